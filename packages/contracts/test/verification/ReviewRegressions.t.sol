// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VerificationTestBase} from "./VerificationTestBase.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";

/// @notice The hostile review of the issue-16 verification game (C1, H2, H3 and the forced re-arm of a dispute):
///         each exploit as the reviewer wrote it, now asserting that it fails. Still open: open-findings/.
contract ReviewRegressionsTest is VerificationTestBase {
    bytes32 internal constant JUNK = keccak256("never re-executed");
    bytes32 internal constant OTHER_JUNK = keccak256("never re-executed either");

    /// @dev A lease whose provider reported `reported`, sampled, its first validator committed to `firstOutputs`.
    function _sampled(IVerificationManager.Mode mode, bytes32 reported, bytes32 firstOutputs)
        internal
        returns (uint256 leaseId, address first)
    {
        leaseId = _completed(mode, reported);
        _draw(leaseId, true);
        first = _current(leaseId);
        _validatorCommit(leaseId, first, firstOutputs);
        _revealProviderSalt(leaseId);
    }

    /// @dev An honest provider's exact lease, disputed by a first validator that lies (its result: WRONG).
    function _falselyDisputed() internal returns (uint256 leaseId, address first) {
        (leaseId, first) = _sampled(IVerificationManager.Mode.Exact, MANIFEST, WRONG);
        vm.prank(first);
        verifier.attestMismatch(leaseId);
    }

    function _expire(uint256 leaseId) internal {
        vm.warp(uint256(verifier.getVerification(leaseId).deadline) + 1);
        verifier.timeout(leaseId);
    }

    // ---------------------------------------------------------------- C1: the auditor's bare word

    /// @dev The auditor never re-executes, commits junk and says the honest first validator's outputs were not
    ///      reproduced. Before: the first validator lost half its stake and the auditor took a 500 XPL bounty.
    function test_attack_auditorCannotSlashAnHonestFirstValidatorAlone() public {
        (uint256 leaseId, address first) = _sampled(IVerificationManager.Mode.Tolerance, MANIFEST, MANIFEST);
        vm.prank(first);
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(first)); // honest
        _drawAudit(leaseId, true);
        address auditor = _current(leaseId);
        _validatorCommit(leaseId, auditor, JUNK);
        uint256 cap = verifier.getVerification(leaseId).payCap;
        uint256 pool = verifier.feePool();
        (uint256 auditorBefore, uint256 firstBefore) = (xpl.balanceOf(auditor), xpl.balanceOf(first));
        vm.prank(auditor);
        verifier.attestAudit(leaseId, true, false, JUNK, _saltOf(auditor));
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Verified));
        assertEq(_stakeOf(first), VALIDATOR_STAKE, "no evidence: the honest first validator keeps its stake");
        assertEq(xpl.balanceOf(first), firstBefore, "its pay is withheld on the auditor's word");
        assertEq(xpl.balanceOf(auditor) - auditorBefore, cap < pool ? cap : pool, "the auditor's pay, no bounty");
        _assertConserved();
    }

    /// @dev The evidence that does slash: the auditor's outputs open the provider's commitment (the job reproduces
    ///      byte for byte) and the first published other outputs. The auditor is paid exactly as if it had agreed.
    function test_audit_evidenceSlashesTheFirstValidatorWithoutABounty() public {
        (uint256 leaseId, address first) = _sampled(IVerificationManager.Mode.Tolerance, MANIFEST, JUNK);
        vm.prank(first);
        verifier.attestMatch(leaseId, JUNK, _saltOf(first)); // lazy
        _drawAudit(leaseId, true);
        address auditor = _current(leaseId);
        _validatorCommit(leaseId, auditor, MANIFEST);
        uint256 cap = verifier.getVerification(leaseId).payCap;
        uint256 auditorBefore = xpl.balanceOf(auditor);
        vm.prank(auditor);
        verifier.attestAudit(leaseId, true, false, MANIFEST, _saltOf(auditor));
        assertEq(_stakeOf(first), VALIDATOR_STAKE / 2, "proven not re-run: slashed");
        assertEq(xpl.balanceOf(auditor) - auditorBefore, cap, "the auditor's pay, no bounty");
        _assertConserved();
    }

    // ---------------------------------------------------------------- H2: non-evidence against the provider

    /// @dev Before: round 3's junk counted as siding with the lying first validator. Now the committee member whose
    ///      result opens the provider's commitment verifies it, and junk that agrees with nobody is no evidence.
    function test_attack_exactJunkCommitteeMemberDoesNotSideWithALyingFirst() public {
        (uint256 leaseId, address first) = _falselyDisputed();
        (address second, address third) = _committeeCommits(leaseId, MANIFEST, JUNK);
        uint256 providerBefore = xpl.balanceOf(provider);
        _reveal(leaseId, first, WRONG);
        _reveal(leaseId, second, MANIFEST);
        _reveal(leaseId, third, JUNK);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Verified), "the honest provider is verified");
        assertTrue(xpl.balanceOf(provider) > providerBefore, "and paid");
        assertEq(_stakeOf(second), VALIDATOR_STAKE, "the honest committee member keeps its stake");
        assertEq(validatorSet.getValidator(second).attested, 1, "and is upheld");
        _assertConserved();
    }

    /// @dev Before: two different junk results failed the honest provider. Now nothing opens and nothing agrees:
    ///      no verdict, the provider is neither slashed nor failed.
    function test_attack_exactDifferentJunkResultsDoNotFailAnHonestProvider() public {
        (uint256 leaseId, address first) = _falselyDisputed();
        (address second, address third) = _committeeCommits(leaseId, JUNK, OTHER_JUNK);
        uint256 backing = registry.slashable(provider);
        uint256 pool = verifier.feePool();
        _reveal(leaseId, first, WRONG);
        _reveal(leaseId, second, JUNK);
        _reveal(leaseId, third, OTHER_JUNK);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Refunded), "no evidence either way");
        assertEq(registry.slashable(provider), backing, "the honest provider is not slashed");
        assertEq(verifier.getReputation(provider).failed, 0);
        assertEq(verifier.feePool(), pool, "nobody is paid for results that reproduce nothing");
        _assertConserved();
    }

    /// @dev Before: a lone revealing accuser failed the honest provider when the other validator went silent.
    function test_attack_exactLoneRevealerDoesNotFailAnHonestProvider() public {
        (uint256 leaseId, address first) = _falselyDisputed();
        (address second, address third) = _committeeCommits(leaseId, MANIFEST, MANIFEST);
        _reveal(leaseId, first, WRONG);
        uint256 backing = registry.slashable(provider);
        _expire(leaseId);
        assertTrue(_stage(leaseId) != IVerificationManager.Stage.Failed, "one accuser's word is no verdict");
        assertEq(registry.slashable(provider), backing, "the honest provider is not slashed");
        assertEq(_stakeOf(second), VALIDATOR_STAKE / 2, "silence is slashed");
        assertEq(_stakeOf(third), VALIDATOR_STAKE / 2);
        _assertConserved();
    }

    /// @dev Before: with no result revealed at all the provider still failed.
    function test_attack_exactNoRevealAtAllDoesNotFailTheProvider() public {
        (uint256 leaseId, address first) = _falselyDisputed();
        _committeeCommits(leaseId, MANIFEST, MANIFEST);
        uint256 backing = registry.slashable(provider);
        _expire(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Refunded), "no result, no verdict");
        assertEq(registry.slashable(provider), backing, "not slashed");
        assertEq(_stakeOf(first), VALIDATOR_STAKE / 2, "the silent accuser is slashed");
        _assertConserved();
    }

    // ---------------------------------------------------------------- H3: copying public results

    /// @dev Before: r1 and r2 were public before the third validator was drawn, so it copied the colluder's r2.
    ///      Now the second and third are drawn together and both commit before anything is revealed.
    function test_attack_exactThirdCannotCopyPublicResults() public {
        (uint256 leaseId, address first) = _sampled(IVerificationManager.Mode.Exact, WRONG, MANIFEST); // cheater
        vm.prank(first);
        verifier.attestMismatch(leaseId);
        _assignNext(leaseId);
        IVerificationManager.Assignment memory a = verifier.getAssignment(leaseId);
        (address colluder, address third) = (a.validator2, a.validator3);
        assertTrue(third != address(0) && third != colluder && third != first, "drawn together with the second");
        _validatorCommit(leaseId, colluder, WRONG); // the provider's manifest, handed over off chain
        vm.prank(first);
        vm.expectRevert(
            abi.encodeWithSelector(IVerificationManager.VerifyWrongStage.selector, leaseId, IVerificationManager.Stage.Assigned)
        );
        verifier.revealResult(leaseId, MANIFEST, _saltOf(first));
        a = verifier.getAssignment(leaseId);
        assertEq(a.result1, bytes32(0), "nothing to copy when the third commits");
        assertEq(a.result2, bytes32(0));
        _validatorCommit(leaseId, third, MANIFEST); // it must re-execute
        uint256 providerBefore = xpl.balanceOf(provider);
        _reveal(leaseId, first, MANIFEST);
        _reveal(leaseId, colluder, WRONG);
        _reveal(leaseId, third, MANIFEST);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed), "two equal results fail the cheater");
        assertEq(xpl.balanceOf(provider), providerBefore, "the cheater is not paid");
        assertEq(_stakeOf(first), VALIDATOR_STAKE, "the honest first validator keeps its stake");
        assertEq(_stakeOf(colluder), VALIDATOR_STAKE / 2, "the copy of the provider's result is slashed");
        _assertConserved();
    }

    // ---------------------------------------------------------------- a stale committee draw

    /// @dev Before: a dispute's stale `assign` re-armed it as forced, cutting the honest winners' pay to the fee.
    function test_attack_staleDisputeDrawDoesNotCutTheWinnersPay() public {
        for (uint256 i; i < 10; ++i) _draw(_completed(IVerificationManager.Mode.Exact, MANIFEST), false); // fill the pool
        (uint256 leaseId, address first) = _sampled(IVerificationManager.Mode.Exact, WRONG, MANIFEST);
        vm.prank(first);
        verifier.attestMismatch(leaseId);
        vm.roll(block.number + 300); // nobody assigns within 256 blocks
        verifier.assign(leaseId);
        IVerificationManager.Verification memory v = verifier.getVerification(leaseId);
        assertEq(uint8(v.stage), uint8(IVerificationManager.Stage.NeedsValidator), "re-armed");
        assertTrue(!v.forced, "the lease was sampled at random: a stale validator draw does not force it");
        (address second, address third) = _committeeCommits(leaseId, MANIFEST, MANIFEST);
        uint256 before = xpl.balanceOf(third);
        _reveal(leaseId, first, MANIFEST);
        _reveal(leaseId, second, MANIFEST);
        _reveal(leaseId, third, MANIFEST);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed));
        assertTrue(v.payCap > v.fee, "the pay cap is above the fee");
        assertGe(xpl.balanceOf(third) - before, v.payCap, "the winners are paid the lease's pay cap");
        _assertConserved();
    }
}
