// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VerificationTestBase} from "./VerificationTestBase.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";

/// @notice Issue #16 item 7: once a mismatch is attested, the payout stays locked until the dispute is decided,
///         even when no second validator can be drawn.
contract DisputeWithoutValidatorTest is VerificationTestBase {
    /// @dev A cheater's lease, sampled, with a mismatch attested by the first validator and every other
    ///      validator gone; returns the first validator.
    function _disputeWithNobodyLeft() internal returns (uint256 leaseId, address first) {
        leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 1800);
        vm.prank(provider);
        market.completeLease(leaseId, _commitmentOf(leaseId, WRONG, SALT));
        _draw(leaseId, true);
        first = _current(leaseId);
        for (uint256 i; i < 3; ++i) {
            if (validators[i] != first) _exitValidator(validators[i]);
        }
        vm.roll(block.number + 1); // draws from here on see the set without them
        _validatorCommit(leaseId, first, MANIFEST);
        _revealProviderSalt(leaseId);
        vm.prank(first);
        verifier.attestMismatch(leaseId);
    }

    /// @dev Validators that join now count in draws seeded from the next block on: one more empty draw first.
    function _joinAndWaitADraw(uint256 leaseId, address newcomer, address another) internal {
        _fundValidator(newcomer, true);
        _fundValidator(another, true);
        _assignNext(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.NeedsValidator), "the set was frozen before it joined");
    }

    /// @dev The attack: no second validator can be drawn, and the accused provider is paid.
    function test_attack_emptyDisputeDrawDoesNotPayTheAccusedProvider() public {
        (uint256 leaseId,) = _disputeWithNobodyLeft();
        uint256 before = xpl.balanceOf(provider);
        _assignNext(leaseId);
        assertEq(xpl.balanceOf(provider), before, "accused provider paid without a verdict");
        assertTrue(_stage(leaseId) != IVerificationManager.Stage.Released, "dispute released without a verdict");
    }

    function test_assign_emptyDisputeDrawKeepsThePayoutLockedAndWaits() public {
        (uint256 leaseId,) = _disputeWithNobodyLeft();
        uint256 locked = verifier.totalLocked();
        uint256 waitingSince = verifier.getVerification(leaseId).drawBlock;
        vm.setBlockhash(waitingSince, keccak256("any"));
        vm.roll(waitingSince + 1);
        uint40 fallbackAt = uint40(block.timestamp + 24 hours);
        vm.expectEmit(true, true, true, true, address(verifier));
        emit IVerificationManager.DisputeAwaitingValidator(leaseId, uint64(block.number + 1), fallbackAt);
        verifier.assign(leaseId);
        IVerificationManager.Verification memory v = verifier.getVerification(leaseId);
        assertEq(uint8(v.stage), uint8(IVerificationManager.Stage.NeedsValidator));
        assertEq(v.round, 2);
        assertEq(v.deadline, fallbackAt);
        assertEq(v.drawBlock, block.number, "a retry draws from a later block");
        assertEq(verifier.totalLocked(), locked, "the payout stays locked");
        // A retry that finds nobody again does not move the fallback.
        vm.warp(block.timestamp + 1 hours);
        _assignNext(leaseId);
        assertEq(verifier.getVerification(leaseId).deadline, fallbackAt);
        _assertConserved();
    }

    function test_assign_committeeOfOneIsNotDrawn() public {
        (uint256 leaseId,) = _disputeWithNobodyLeft();
        _fundValidator(address(0xA004), true);
        vm.roll(block.number + 1);
        _assignNext(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.NeedsValidator), "two are needed");
        IVerificationManager.Assignment memory a = verifier.getAssignment(leaseId);
        assertEq(a.validator2, address(0));
        assertEq(a.validator3, address(0));
        assertEq(validatorSet.getValidator(address(0xA004)).openAssignments, 0, "nobody is held by a partial draw");
    }

    function test_assign_disputeRetriesOnceValidatorsJoinAndIsDecided() public {
        (uint256 leaseId, address first) = _disputeWithNobodyLeft();
        _assignNext(leaseId);
        (address newcomer, address another) = (address(0xA004), address(0xA005));
        _joinAndWaitADraw(leaseId, newcomer, another);
        _assignNext(leaseId);
        IVerificationManager.Assignment memory a = verifier.getAssignment(leaseId);
        assertTrue(
            (a.validator2 == newcomer && a.validator3 == another) || (a.validator2 == another && a.validator3 == newcomer),
            "the validators who joined are drawn"
        );
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Assigned));
        _validatorCommit(leaseId, newcomer, MANIFEST);
        _validatorCommit(leaseId, another, MANIFEST);
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 value = market.getLease(leaseId).paid;
        _reveal(leaseId, first, MANIFEST);
        _reveal(leaseId, newcomer, MANIFEST);
        _reveal(leaseId, another, MANIFEST);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed), "a verdict: the cheater lost");
        assertEq(xpl.balanceOf(client) - clientBefore, value);
        assertEq(xpl.balanceOf(provider), providerBefore);
        _assertConserved();
    }

    function test_timeout_undecidedDisputeRefundsTheClientAndPaysNobody() public {
        (uint256 leaseId, address first) = _disputeWithNobodyLeft();
        vm.expectRevert(
            abi.encodeWithSelector(IVerificationManager.VerifyWrongStage.selector, leaseId, IVerificationManager.Stage.NeedsValidator)
        );
        verifier.timeout(leaseId); // no fallback before a draw has found nobody
        _assignNext(leaseId);
        uint40 fallbackAt = verifier.getVerification(leaseId).deadline;
        vm.warp(fallbackAt);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyWindowOpen.selector, leaseId, fallbackAt));
        verifier.timeout(leaseId);
        vm.warp(uint256(fallbackAt) + 1);
        uint256 locked = verifier.totalLocked();
        uint256 pool = verifier.feePool();
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 firstBefore = xpl.balanceOf(first);
        uint256 stakeBefore = registry.getProvider(provider).stake;
        vm.expectEmit(true, true, true, true, address(verifier));
        emit IVerificationManager.VerificationEnded(leaseId, provider, IVerificationManager.Stage.Refunded, 0, locked, 0);
        vm.prank(stranger);
        verifier.timeout(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Refunded));
        assertEq(xpl.balanceOf(client) - clientBefore, locked, "the client gets the locked payout back");
        assertEq(xpl.balanceOf(first), firstBefore, "an unconfirmed mismatch earns nothing");
        assertEq(verifier.feePool(), pool, "its fee stays in the pool");
        assertEq(xpl.balanceOf(provider), providerBefore, "the accused provider is never paid");
        assertEq(registry.getProvider(provider).stake, stakeBefore, "nor slashed without a verdict");
        assertEq(verifier.pendingValue(provider), 0);
        assertEq(validatorSet.getValidator(first).openAssignments, 0);
        assertEq(validatorSet.getValidator(first).attested, 0, "no verdict credited");
        assertEq(verifier.totalLocked(), 0);
        _assertConserved();
    }

    function test_assign_roundOneEmptyDrawStillReleases() public {
        for (uint256 i; i < 3; ++i) {
            _exitValidator(validators[i]);
        }
        vm.roll(block.number + 1);
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 60);
        vm.prank(provider);
        market.completeLease(leaseId, _commitmentOf(leaseId, MANIFEST, SALT));
        _draw(leaseId, true);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Released), "no mismatch was attested");
    }

    function test_timeout_missedCommitteeWindowThenNobodyWaitsAgain() public {
        (uint256 leaseId,) = _disputeWithNobodyLeft();
        (address newcomer, address another) = (address(0xA004), address(0xA005));
        _joinAndWaitADraw(leaseId, newcomer, another);
        _assignNext(leaseId);
        _validatorCommit(leaseId, another, MANIFEST);
        _exitValidator(newcomer);
        vm.roll(block.number + 1);
        vm.warp(block.timestamp + 1 hours + 1);
        verifier.timeout(leaseId); // the newcomer missed its window; the other committed and stays
        assertEq(_stakeOf(another), VALIDATOR_STAKE);
        assertEq(validatorSet.getValidator(another).openAssignments, 1);
        assertEq(verifier.getVerification(leaseId).deadline, 0, "no fallback clock before a draw finds nobody");
        uint256 before = xpl.balanceOf(provider);
        _assignNext(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.NeedsValidator));
        assertEq(verifier.getVerification(leaseId).deadline, block.timestamp + 24 hours);
        assertEq(xpl.balanceOf(provider), before);
        _assertConserved();
    }
}
