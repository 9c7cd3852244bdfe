// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VerificationTestBase} from "../verification/VerificationTestBase.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";

/// @notice Open (issue #16 hostile review of the verification game): the exploits below still work on `main`; each
///         test PASSES while its exploit works. Fixed and kept as regressions in test/verification/ReviewRegressions.t.sol:
///         C1 (the auditor's bare word slashed the first validator), H2 (non-opening results as evidence against the
///         provider), H3 (round 3 copied public results), and a dispute's stale draw re-armed as forced.
///         Still open:
///         - M3 (F1b): tolerance mode, a lazy auditor that never re-executes is paid; nothing on chain checks a
///           tolerance judgement.
///         - H1 (F2): tolerance mode, the second validator of a dispute sees the first's public mismatch and agrees
///           without re-executing: an honest provider fails. Tolerance disputes are still sequential attestations,
///           not a blind committee compared on chain (outputs within tolerance have different hashes).
///         - L1 (F5): a dispute whose committee (two validators besides the first, the lease's parties excluded)
///           cannot be drawn for DISPUTE_DRAW_WINDOWS windows ends Refunded: the client is refunded, the honest
///           provider unpaid, the lying first validator free. A client that stakes as a validator shrinks the
///           eligible set on its own; on a set this thin it gets the work for free. Fix ideas: let the provider
///           (or anyone) extend the wait, or fall back to a smaller committee with a stricter rule.
contract ReviewVerificationOpen is VerificationTestBase {
    event Amount(string what, uint256 value);

    bytes32 internal constant JUNK = keccak256("never re-executed");

    /// @dev An honest provider's exact/tolerance lease sampled, first validator committed to `firstOutputs`.
    function _sampled(IVerificationManager.Mode mode, bytes32 firstOutputs) internal returns (uint256 leaseId, address first) {
        leaseId = _completed(mode, MANIFEST);
        _draw(leaseId, true);
        first = _current(leaseId);
        _validatorCommit(leaseId, first, firstOutputs);
        _revealProviderSalt(leaseId);
    }

    // F1b: a lazy auditor is paid for nothing: (true, true) with a junk commitment is never checked.
    function test_exploit_lazyAuditorPaidWithoutReexecuting() public {
        for (uint256 i; i < 10; ++i) _draw(_completed(IVerificationManager.Mode.Tolerance, MANIFEST), false); // fill the pool
        (uint256 leaseId, address first) = _sampled(IVerificationManager.Mode.Tolerance, MANIFEST);
        vm.prank(first);
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(first));
        _drawAudit(leaseId, true);
        address auditor = _current(leaseId);
        _validatorCommit(leaseId, auditor, JUNK);
        uint256 before = xpl.balanceOf(auditor);
        vm.prank(auditor);
        verifier.attestAudit(leaseId, true, true, JUNK, _saltOf(auditor));
        assertTrue(xpl.balanceOf(auditor) > before, "paid the pay cap for a junk audit");
        assertEq(_stakeOf(auditor), VALIDATOR_STAKE, "no risk");
    }

    // F2 (High): tolerance-mode dispute, round 2: the second validator sees the first's public mismatch and can
    // simply agree. attestMismatch checks no commitment, compares nothing, and ends the dispute at once
    // (_fail(1|2)): the honest provider is slashed 10x its lease value and both validators split a bounty.
    // Agreeing is free and pays; disagreeing risks a round 3. So a false mismatch + a copying second = theft.
    function test_exploit_toleranceDisputeSecondCopiesFirstsMismatch() public {
        (uint256 leaseId, address first) = _sampled(IVerificationManager.Mode.Tolerance, JUNK);
        uint256 backingBefore = registry.slashable(provider);
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 firstBefore = xpl.balanceOf(first);
        vm.prank(first);
        verifier.attestMismatch(leaseId); // false: the provider's outputs are right
        _assignNext(leaseId);
        address second = _current(leaseId);
        uint256 secondBefore = xpl.balanceOf(second);
        _validatorCommit(leaseId, second, JUNK); // never re-executes
        vm.prank(second);
        verifier.attestMismatch(leaseId); // copies the first's public verdict
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed), "honest provider failed");
        uint256 lost = backingBefore - registry.slashable(provider);
        emit Amount("honest provider slashed (XPL)", lost);
        emit Amount("client refunded (XPL)", xpl.balanceOf(client) - clientBefore);
        emit Amount("first validator gain", xpl.balanceOf(first) - firstBefore);
        emit Amount("second validator gain", xpl.balanceOf(second) - secondBefore);
        assertTrue(lost > 0);
        assertTrue(xpl.balanceOf(second) > secondBefore);
        assertEq(_stakeOf(first), VALIDATOR_STAKE);
        assertEq(_stakeOf(second), VALIDATOR_STAKE);
        _assertConserved();
    }

    // F5 / L1 (Low/Medium): an exact-mode dispute whose committee cannot be drawn ends Refunded after
    // DISPUTE_DRAW_WINDOWS windows: the client gets everything back, the honest provider is unpaid, and the lying
    // first validator is released unslashed. With a small set, a client that is itself a staked validator is
    // excluded from the draw and can empty the committee's pool on its own.
    function test_exploit_undrawableCommitteeRefundsClientAndFreesLiar() public {
        _fundValidator(client, true); // the client stakes: it is never drawn for its own lease
        _exitValidator(val3);
        vm.roll(block.number + 1);
        (uint256 leaseId, address first) = _sampled(IVerificationManager.Mode.Exact, WRONG);
        vm.prank(first);
        verifier.attestMismatch(leaseId); // a lie
        _assignNext(leaseId); // the committee: provider, client, v1 excluded, val3 gone: one left, two needed
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.NeedsValidator));
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 clientBefore = xpl.balanceOf(client);
        vm.warp(uint256(verifier.getVerification(leaseId).deadline) + 1);
        verifier.timeout(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Refunded));
        assertEq(xpl.balanceOf(provider), providerBefore, "honest provider is unpaid");
        assertTrue(xpl.balanceOf(client) > clientBefore, "client refunded");
        assertEq(_stakeOf(first), VALIDATOR_STAKE, "liar unslashed");
        _assertConserved();
    }
}
