// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VerificationTestBase} from "./VerificationTestBase.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";
import {VerificationManager} from "../../src/verification/VerificationManager.sol";

/// @notice Draws a lease only when the draw assigns the grinder's own validator; a re-armed draw (no pick yet) it
///         lets through, since reverting it would only leave the lease waiting.
contract DrawGrinder {
    VerificationManager private immutable verifier;
    address private immutable mine;

    constructor(VerificationManager verifier_, address mine_) {
        (verifier, mine) = (verifier_, mine_);
    }

    function tryDraw(uint256 leaseId) external {
        verifier.draw(leaseId);
        IVerificationManager.Stage stage = verifier.getVerification(leaseId).stage;
        if (stage == IVerificationManager.Stage.Assigned && verifier.getAssignment(leaseId).validator1 != mine) revert("not mine");
    }
}

/// @notice Issue #16 items 3, 4 and 8 and review finding M2: each attack as the issue describes it.
contract VerificationAttacksTest is VerificationTestBase {
    address internal grinderValidator = address(0xBAD1);

    function _completedBy(address who, IVerificationManager.Mode mode, bytes32 reported, uint256 offer, uint32 secs)
        internal
        returns (uint256 leaseId)
    {
        vm.prank(client);
        leaseId = market.openLease(
            IComputeMarket.OpenLeaseParams(offer, 8, secs, type(uint96).max, keccak256("spec"), address(0), mode)
        );
        vm.prank(who);
        market.startLease(leaseId);
        vm.warp(block.timestamp + secs);
        vm.prank(who);
        market.completeLease(leaseId, _commitmentOf(leaseId, reported, SALT));
    }

    // ---------------------------------------------------------------- item 4: grindable stale draws

    /// @dev The pool holds 28.8 XPL of other leases' fees. A client, provider and validator run by one party let
    ///      their own 28.8 XPL lease's draw go stale, then draw only in a block that picks their validator, which
    ///      "matches" its own result and is paid from the shared pool.
    function test_attack_staleDrawGrindingDoesNotDrainTheFeePool() public {
        // An honest lease of 288 XPL pays its 28.8 XPL fee into the pool and is not sampled.
        uint256 honest = _completedBy(provider, IVerificationManager.Mode.Exact, MANIFEST, offerId, 36_000);
        _draw(honest, false);
        uint256 othersFees = verifier.feePool();
        assertEq(othersFees, 28.8 ether);

        // The attacker: provider2 (provider), client (its own client), grinderValidator (its validator).
        _registerAndStake(provider2, STAKE);
        uint256 attackerOffer = _offer(provider2, 8, PRICE);
        _fundValidator(grinderValidator, true);
        DrawGrinder grinder = new DrawGrinder(verifier, grinderValidator);
        uint256 attackerBefore = xpl.balanceOf(provider2) + xpl.balanceOf(client) + xpl.balanceOf(grinderValidator);
        uint256 leaseId = _completedBy(provider2, IVerificationManager.Mode.Exact, MANIFEST, attackerOffer, 3600);

        bool picked;
        for (uint256 i; i < 5000 && !picked; ++i) {
            vm.setBlockhash(block.number, keccak256(abi.encode("block", block.number)));
            vm.roll(block.number + (i == 0 ? 300 : 1)); // the first try comes after the completion block's hash is gone
            try grinder.tryDraw(leaseId) {
                picked = verifier.getAssignment(leaseId).validator1 == grinderValidator;
            } catch {}
        }
        assertTrue(picked, "the grinder got its own validator in the end");
        _validatorCommit(leaseId, grinderValidator, MANIFEST);
        vm.prank(provider2);
        verifier.revealSalt(leaseId, SALT);
        vm.prank(grinderValidator);
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(grinderValidator));

        uint256 attackerAfter = xpl.balanceOf(provider2) + xpl.balanceOf(client) + xpl.balanceOf(grinderValidator);
        assertGe(verifier.feePool(), othersFees, "the other leases' fees were paid to the grinder");
        assertLe(attackerAfter, attackerBefore, "grinding the draw paid");
        _assertConserved();
    }

    // ---------------------------------------------------------------- item 3: the copying second validator

    /// @dev A cheating provider; the honest first validator attests a mismatch; the second validator commits the
    ///      provider's manifest hash, as the provider's node would serve it, and claims a match.
    function test_attack_copyingSecondValidatorDoesNotSettleTheDispute() public {
        uint256 leaseId = _completedBy(provider, IVerificationManager.Mode.Exact, WRONG, offerId, 1800);
        address first = _disputeByFirst(leaseId, MANIFEST);
        // The second and third validators are drawn together and both commit before anything is revealed.
        _assignNext(leaseId);
        IVerificationManager.Assignment memory a = verifier.getAssignment(leaseId);
        (address copier, address third) = (a.validator2, a.validator3);
        assertTrue(third != first && third != copier && third != address(0), "a third, independent validator");
        uint256 providerBefore = xpl.balanceOf(provider);
        _validatorCommit(leaseId, copier, WRONG); // the provider's outputs, copied
        vm.prank(copier);
        try verifier.attestMatch(leaseId, WRONG, _saltOf(copier)) {} catch {}
        assertEq(xpl.balanceOf(provider), providerBefore, "a copied match paid the cheater");
        assertEq(_stakeOf(first), VALIDATOR_STAKE, "a copied match slashed the honest first validator");
        _validatorCommit(leaseId, third, MANIFEST);

        // All three reveal what they committed to blind: two equal results that do not open the commitment decide.
        _reveal(leaseId, first, MANIFEST);
        _reveal(leaseId, copier, WRONG);
        _reveal(leaseId, third, MANIFEST);

        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed), "the majority found the cheat");
        assertEq(_stakeOf(copier), VALIDATOR_STAKE / 2, "the copier is slashed");
        assertEq(_stakeOf(first), VALIDATOR_STAKE, "the honest first validator keeps its stake");
        assertEq(xpl.balanceOf(provider), providerBefore, "the cheater is never paid");
        _assertConserved();
    }

    // ---------------------------------------------------------------- item 8: the lazy tolerance-mode validator

    /// @dev A validator that never re-executes commits garbage and attests a tolerance-mode match.
    function test_attack_lazyToleranceMatchIsSlashedWhenAudited() public {
        uint256 leaseId = _completedBy(provider, IVerificationManager.Mode.Tolerance, MANIFEST, offerId, 1800);
        _draw(leaseId, true);
        address lazy = _current(leaseId);
        bytes32 garbage = keccak256("never ran it");
        _validatorCommit(leaseId, lazy, garbage);
        _revealProviderSalt(leaseId);
        uint256 lazyBefore = xpl.balanceOf(lazy);
        vm.prank(lazy);
        verifier.attestMatch(leaseId, garbage, _saltOf(lazy));
        assertEq(xpl.balanceOf(lazy), lazyBefore, "a tolerance-mode match is paid before anyone could check it");

        _drawAudit(leaseId, true);
        address auditor = _current(leaseId);
        assertTrue(auditor != lazy && auditor != address(0), "an independent auditor");
        _validatorCommit(leaseId, auditor, MANIFEST);
        uint256 providerBefore = xpl.balanceOf(provider);
        vm.prank(auditor);
        verifier.attestAudit(leaseId, true, false, MANIFEST, _saltOf(auditor));

        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Verified), "the provider's verdict stands");
        assertTrue(xpl.balanceOf(provider) > providerBefore, "the honest provider is paid");
        assertEq(_stakeOf(lazy), VALIDATOR_STAKE / 2, "the lazy validator is slashed");
        assertEq(xpl.balanceOf(lazy), lazyBefore, "and not paid");
        _assertConserved();
    }

    // ---------------------------------------------------------------- M2: thin set, false mismatch

    /// @dev The client and the first validator collude against an honest provider: a false mismatch, and with
    ///      every other validator gone nobody can be drawn for round 2.
    function test_attack_unconfirmedMismatchIsNotPaid() public {
        uint256 leaseId = _completedBy(provider, IVerificationManager.Mode.Exact, MANIFEST, offerId, 1800);
        _draw(leaseId, true);
        address colluder = _current(leaseId);
        for (uint256 i; i < 3; ++i) {
            if (validators[i] != colluder) _exitValidator(validators[i]);
        }
        vm.roll(block.number + 1);
        _validatorCommit(leaseId, colluder, WRONG);
        _revealProviderSalt(leaseId);
        vm.prank(colluder);
        verifier.attestMismatch(leaseId);
        _assignNext(leaseId);
        vm.warp(uint256(verifier.getVerification(leaseId).deadline) + 1);
        uint256 before = xpl.balanceOf(colluder);
        uint256 pool = verifier.feePool();
        verifier.timeout(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Refunded));
        assertEq(xpl.balanceOf(colluder), before, "an unconfirmed mismatch was paid");
        assertEq(verifier.feePool(), pool, "its fee stays in the pool");
        _assertConserved();
    }
}
