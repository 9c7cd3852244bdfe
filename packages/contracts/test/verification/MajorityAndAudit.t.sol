// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VerificationTestBase} from "./VerificationTestBase.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";

/// @notice Tolerance-mode audits and round-3 majorities (issue #16 items 3 and 8).
contract MajorityAndAuditTest is VerificationTestBase {
    /// @dev A tolerance-mode lease whose first validator attested a match with `firstOutputs`, and whose audit was
    ///      drawn; returns the first validator and the auditor (committed to `auditorOutputs`).
    function _audited(bytes32 reported, bytes32 firstOutputs, bytes32 auditorOutputs)
        internal
        returns (uint256 leaseId, address first, address auditor)
    {
        leaseId = _completed(IVerificationManager.Mode.Tolerance, reported);
        _draw(leaseId, true);
        first = _current(leaseId);
        _validatorCommit(leaseId, first, firstOutputs);
        _revealProviderSalt(leaseId);
        vm.prank(first);
        verifier.attestMatch(leaseId, firstOutputs, _saltOf(first));
        _drawAudit(leaseId, true);
        auditor = _current(leaseId);
        _validatorCommit(leaseId, auditor, auditorOutputs);
    }

    function test_audit_agreeingAuditorPaysBothAndReleases() public {
        (uint256 leaseId, address first, address auditor) = _audited(MANIFEST, keccak256("close outputs"), MANIFEST);
        uint256 cap = verifier.getVerification(leaseId).payCap;
        (uint256 firstBefore, uint256 auditorBefore, uint256 pool) =
            (xpl.balanceOf(first), xpl.balanceOf(auditor), verifier.feePool());
        vm.prank(auditor);
        verifier.attestAudit(leaseId, true, true, MANIFEST, _saltOf(auditor));
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Verified));
        uint256 firstPay = cap < pool ? cap : pool;
        assertEq(xpl.balanceOf(first) - firstBefore, firstPay);
        uint256 left = pool - firstPay;
        assertEq(xpl.balanceOf(auditor) - auditorBefore, cap < left ? cap : left);
        assertEq(verifier.getAssignment(leaseId).result2, MANIFEST, "the auditor's outputs are published too");
        _assertConserved();
    }

    function test_audit_contradictedMatchGoesToAThirdValidatorWhoseMajoritySlashesTheFirst() public {
        // The provider cheated; a colluding first validator said it matched; the auditor says it does not.
        (uint256 leaseId, address first, address auditor) = _audited(WRONG, WRONG, MANIFEST);
        vm.prank(auditor);
        verifier.attestAudit(leaseId, false, false, MANIFEST, _saltOf(auditor));
        IVerificationManager.Verification memory v = verifier.getVerification(leaseId);
        assertEq(uint8(v.stage), uint8(IVerificationManager.Stage.NeedsValidator));
        assertEq(v.round, 3);
        _assignNext(leaseId);
        address third = _current(leaseId);
        assertTrue(third != first && third != auditor && third != address(0), "a third, independent validator");
        _validatorCommit(leaseId, third, MANIFEST);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Revealed), "it judges the provider's outputs");
        uint256 clientBefore = xpl.balanceOf(client);
        vm.prank(third);
        verifier.attestMismatch(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed));
        assertEq(xpl.balanceOf(client) - clientBefore, market.getLease(leaseId).paid, "the client is refunded");
        assertEq(_stakeOf(first), VALIDATOR_STAKE / 2, "the minority (the false match) is slashed");
        assertEq(_stakeOf(auditor), VALIDATOR_STAKE);
        assertEq(validatorSet.getValidator(auditor).attested, 1);
        assertEq(validatorSet.getValidator(third).attested, 1);
        assertEq(validatorSet.getValidator(first).attested, 0);
        _assertConserved();
    }

    function test_audit_wrongAuditorIsOutvotedAndSlashed() public {
        (uint256 leaseId, address first, address auditor) = _audited(MANIFEST, MANIFEST, keccak256("lazy"));
        vm.prank(auditor);
        verifier.attestAudit(leaseId, false, false, keccak256("lazy"), _saltOf(auditor));
        _assignNext(leaseId);
        address third = _current(leaseId);
        _validatorCommit(leaseId, third, MANIFEST);
        uint256 providerBefore = xpl.balanceOf(provider);
        vm.prank(third);
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(third));
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Verified));
        assertTrue(xpl.balanceOf(provider) > providerBefore, "the honest provider is paid");
        assertEq(_stakeOf(auditor), VALIDATOR_STAKE / 2, "the auditor in the minority is slashed");
        assertEq(_stakeOf(first), VALIDATOR_STAKE, "the first validator was right");
        _assertConserved();
    }

    function test_audit_nobodyToAuditPaysTheFirstValidator() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Tolerance, MANIFEST);
        _draw(leaseId, true);
        address first = _current(leaseId);
        for (uint256 i; i < 3; ++i) {
            if (validators[i] != first) _exitValidator(validators[i]);
        }
        vm.roll(block.number + 1);
        _validatorCommit(leaseId, first, MANIFEST);
        _revealProviderSalt(leaseId);
        vm.prank(first);
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(first));
        uint256 before = xpl.balanceOf(first);
        _drawAudit(leaseId, true);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Verified), "an audit is not a dispute");
        assertTrue(xpl.balanceOf(first) > before, "the first validator is paid");
        _assertConserved();
    }

    function test_audit_wrongAnswersAreRefused() public {
        (uint256 leaseId,, address auditor) = _audited(MANIFEST, MANIFEST, MANIFEST);
        vm.prank(auditor);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyAuditExpected.selector, leaseId));
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(auditor));
        vm.prank(auditor);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyAuditExpected.selector, leaseId));
        verifier.attestMismatch(leaseId);
        vm.prank(auditor);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyCommitmentMismatch.selector, leaseId));
        verifier.attestAudit(leaseId, true, true, WRONG, _saltOf(auditor));

        uint256 other = _completed(IVerificationManager.Mode.Tolerance, MANIFEST);
        _draw(other, true);
        address first = _current(other);
        _validatorCommit(other, first, MANIFEST);
        _revealProviderSalt(other);
        vm.prank(first);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyNotAnAudit.selector, other));
        verifier.attestAudit(other, true, true, MANIFEST, _saltOf(first));
    }

    function test_toleranceDispute_contradictedByTheSecondGoesToAThirdValidator() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Tolerance, MANIFEST);
        _draw(leaseId, true);
        address first = _current(leaseId);
        _validatorCommit(leaseId, first, keccak256("first's outputs"));
        _revealProviderSalt(leaseId);
        vm.prank(first);
        verifier.attestMismatch(leaseId); // false
        _assignNext(leaseId);
        address second = _current(leaseId);
        _validatorCommit(leaseId, second, MANIFEST);
        vm.prank(second);
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(second));
        assertEq(verifier.getVerification(leaseId).round, 3, "a bare match does not settle a dispute");
        _assignNext(leaseId);
        address third = _current(leaseId);
        _validatorCommit(leaseId, third, MANIFEST);
        vm.prank(third);
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(third));
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Verified));
        assertEq(_stakeOf(first), VALIDATOR_STAKE / 2, "the false mismatch is slashed");
        _assertConserved();
    }

    function test_committee_missedCommitIsPenalizedAndRedrawnWhileTheOtherMemberStays() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, WRONG);
        address first = _disputeByFirst(leaseId, MANIFEST);
        _assignNext(leaseId);
        IVerificationManager.Assignment memory a = verifier.getAssignment(leaseId);
        (address second, address third) = (a.validator2, a.validator3);
        _validatorCommit(leaseId, second, MANIFEST);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Assigned), "nothing is revealed before both commit");
        vm.warp(block.timestamp + 1 hours + 1);
        verifier.timeout(leaseId);
        assertEq(_stakeOf(third), VALIDATOR_STAKE - 100 ether, "the missed-window penalty");
        assertEq(_stakeOf(second), VALIDATOR_STAKE, "the member that committed is not penalized");
        assertEq(validatorSet.getValidator(third).openAssignments, 0);
        IVerificationManager.Verification memory v = verifier.getVerification(leaseId);
        assertEq(uint8(v.stage), uint8(IVerificationManager.Stage.NeedsValidator));
        assertEq(v.round, 2);
        a = verifier.getAssignment(leaseId);
        assertEq(a.validator2, second, "it keeps its place and its commitment");
        assertEq(a.validator3, address(0));
        // The lease's parties and the other validators are never drawn: the only one left is drawn again.
        _assignNext(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Assigned));
        assertEq(verifier.getAssignment(leaseId).validator3, third);
        assertEq(validatorSet.getValidator(second).openAssignments, 1, "the kept member is not assigned twice");
        _validatorCommit(leaseId, third, MANIFEST);
        _reveal(leaseId, first, MANIFEST);
        _reveal(leaseId, second, MANIFEST);
        _reveal(leaseId, third, MANIFEST);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed));
        _assertConserved();
    }
}
