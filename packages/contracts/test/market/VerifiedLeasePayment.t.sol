// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VerificationTestBase} from "../verification/VerificationTestBase.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";

/// @notice Issue #16 item 1: every XPL paid for a verified lease passes through verification. A provider on an
///         exact or tolerance lease must not be paid by letting the lease run out, by timing out, or by settling
///         along the way.
contract VerifiedLeasePaymentTest is VerificationTestBase {
    // ---------------------------------------------------------------- the attacks

    /// @dev The provider lets the lease run to maxSeconds and settles it: paid every second, never sampled.
    function test_attack_settleToExhaustionPaysNothingUnverified() public {
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 3600);
        uint256 before = xpl.balanceOf(provider);
        vm.prank(provider);
        try market.settle(leaseId) {} catch {}
        vm.warp(block.timestamp + 30 days);
        vm.prank(provider);
        try market.settle(leaseId) {} catch {}
        assertEq(xpl.balanceOf(provider), before, "provider paid without verification");
    }

    /// @dev A client (a sybil of the provider, or one whose provider vanished) stops a verified lease after its last
    ///      second: before, that paid the provider every second directly, with no result and no verification.
    function test_attack_stopAfterTheLastSecondPaysNothingUnverified() public {
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 3600);
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 escrow = market.escrowOf(leaseId);
        uint256 dueBy = uint256(market.getLease(leaseId).startedAt) + 3600 + params.verificationParams().verificationWindow;
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketAwaitingResult.selector, leaseId, dueBy));
        market.stopLease(leaseId); // the provider may still send its result
        vm.warp(dueBy + 1);
        vm.prank(client);
        market.stopLease(leaseId);
        assertEq(xpl.balanceOf(provider), providerBefore, "provider paid without verification");
        assertEq(xpl.balanceOf(client), clientBefore + escrow, "the client gets everything back");
        assertEq(uint8(market.getLease(leaseId).endReason), uint8(IComputeMarket.EndReason.EscrowExhausted));
    }

    /// @dev Stopping a verified lease before its end still pays the seconds used: the client chose to.
    function test_stopBeforeTheEndStillPaysTheSecondsUsed() public {
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 600);
        uint256 providerBefore = xpl.balanceOf(provider);
        vm.prank(client);
        market.stopLease(leaseId);
        assertTrue(xpl.balanceOf(provider) > providerBefore, "the used seconds are paid");
        assertEq(uint8(market.getLease(leaseId).endReason), uint8(IComputeMarket.EndReason.StoppedByClient));
    }

    /// @dev The provider reports a time-out: paid every second, never sampled, never slashable.
    function test_attack_timedOutVerifiedLeaseGoesThroughVerification() public {
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 3600);
        uint256 before = xpl.balanceOf(provider);
        vm.prank(provider);
        market.failLease(leaseId, IComputeMarket.EndReason.TimedOut, _commitmentOf(leaseId, WRONG, SALT));
        assertEq(xpl.balanceOf(provider), before, "provider paid without verification");
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Pending), "the lease waits for its draw");
    }

    /// @dev Settling along the way pays the provider at once, outside verification.
    function test_attack_midLeaseSettleOfAVerifiedLeasePaysNothing() public {
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Tolerance, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 1800);
        uint256 before = xpl.balanceOf(provider);
        vm.prank(provider);
        try market.settle(leaseId) {} catch {}
        vm.prank(client);
        try market.settle(leaseId) {} catch {}
        assertEq(xpl.balanceOf(provider), before, "provider paid without verification");
    }

    /// @dev A time-out without a result hash has nothing to verify: it pays nothing.
    function test_attack_timedOutWithoutAResultPaysNothing() public {
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 3600);
        uint256 before = xpl.balanceOf(provider);
        vm.prank(provider);
        market.failLease(leaseId, IComputeMarket.EndReason.TimedOut, bytes32(0));
        assertEq(xpl.balanceOf(provider), before, "provider paid without a result");
    }

    // ---------------------------------------------------------------- settle

    function test_settle_revertsMidLeaseForAVerifiedLease() public {
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 1800);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketVerifiedLeaseSettlesAtEnd.selector, leaseId));
        market.settle(leaseId);
        assertEq(market.accrued(leaseId), uint256(PRICE) * 1800, "the pay keeps accruing for the end");
    }

    function test_settle_givesTheProviderOneWindowToEndAnExhaustedVerifiedLeaseWithAResult() public {
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        uint256 dueBy = block.timestamp + 3600 + 1 hours;
        vm.warp(dueBy);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketAwaitingResult.selector, leaseId, dueBy));
        market.settle(leaseId);
        uint256 before = xpl.balanceOf(provider);
        vm.prank(provider);
        market.completeLease(leaseId, _commitmentOf(leaseId, MANIFEST, SALT));
        uint256 paid = uint256(PRICE) * 3600;
        assertEq(xpl.balanceOf(provider), before, "nothing paid before verification");
        assertEq(verifier.totalLocked(), paid - paid * 500 / 10_000, "every second's payout locked");
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Pending));
        _assertConserved();
    }

    function test_settle_endsAnExhaustedVerifiedLeaseWithoutAResultUnpaid() public {
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Tolerance, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 3600 + 1 hours + 1);
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.LeaseEnded(
            leaseId, provider, client, IComputeMarket.EndReason.EscrowExhausted, 0, uint256(PRICE) * 3600 * 11 / 10, 0, bytes32(0)
        );
        vm.prank(client);
        assertEq(market.settle(leaseId), 0);
        assertEq(xpl.balanceOf(client), clientBefore, "the whole escrow and fee back");
        assertEq(xpl.balanceOf(provider), providerBefore, "no result, no pay");
        assertEq(market.exposure(provider), 0);
        assertEq(registry.getOffer(offerId).gpusInUse, 0);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.None));
    }

    // ---------------------------------------------------------------- failLease(TimedOut)

    function test_failLease_timedOutVerifiedLeaseLocksItsPayoutAndFee() public {
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 1200);
        bytes32 commitment = _commitmentOf(leaseId, MANIFEST, SALT);
        vm.prank(provider);
        market.failLease(leaseId, IComputeMarket.EndReason.TimedOut, commitment);
        uint256 paid = uint256(PRICE) * 1200;
        uint256 providerShare = paid - paid * 500 / 10_000;
        assertEq(clientBefore - xpl.balanceOf(client), paid + paid / 10, "the used seconds plus their fee");
        assertEq(verifier.totalLocked(), providerShare, "the payout is locked");
        assertEq(verifier.feePool(), paid / 10);
        assertEq(verifier.pendingValue(provider), paid, "counts towards collateral while verified");
        assertEq(market.getLease(leaseId).resultHash, commitment, "a paid ending carries a result hash");
        _draw(leaseId, false);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Released));
        _assertConserved();
    }

    function test_failLease_timedOutCheaterIsSlashedAndTheClientRefunded() public {
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 3600);
        vm.prank(provider);
        market.failLease(leaseId, IComputeMarket.EndReason.TimedOut, _commitmentOf(leaseId, WRONG, SALT));
        uint256 value = market.getLease(leaseId).paid;
        address first = _disputeByFirst(leaseId, MANIFEST);
        // A committee of two more validators commits blind: then all three reveal.
        (address second, address third) = _committeeCommits(leaseId, MANIFEST, MANIFEST);
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 stakeBefore = registry.getProvider(provider).stake;
        _reveal(leaseId, first, MANIFEST);
        _reveal(leaseId, second, MANIFEST);
        _reveal(leaseId, third, MANIFEST);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed));
        assertEq(xpl.balanceOf(client) - clientBefore, value, "client gets back all it paid");
        assertEq(xpl.balanceOf(provider), providerBefore, "the cheater is paid nothing");
        assertLt(registry.getProvider(provider).stake, stakeBefore, "and slashed");
        _assertConserved();
    }

    function test_failLease_timedOutVerifiedLeaseWithoutAResultRefundsEverything() public {
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 600);
        vm.prank(provider);
        market.failLease(leaseId, IComputeMarket.EndReason.TimedOut, bytes32(0));
        assertEq(xpl.balanceOf(client), clientBefore, "escrow and fee back");
        assertEq(market.getLease(leaseId).paid, 0);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.None));
        assertEq(market.exposure(provider), 0);
    }

    function test_failLease_providerFailedVerifiedLeaseWithAResultIsNotPaid() public {
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 600);
        vm.prank(provider);
        market.failLease(leaseId, IComputeMarket.EndReason.ProviderFailed, _commitmentOf(leaseId, MANIFEST, SALT));
        assertEq(xpl.balanceOf(client), clientBefore);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.None));
    }

    // ---------------------------------------------------------------- fuzz

    /// @dev However a verified lease ends, the market itself never pays its provider, except when the client
    ///      stops it; whatever it paid otherwise sits locked in the verification manager.
    function testFuzz_verifiedLease_providerPaidOnlyThroughVerification(uint32 maxSeconds, uint32 settleAt, uint32 endAt, uint8 how, bool withResult)
        public
    {
        maxSeconds = uint32(bound(maxSeconds, 1, 30 days));
        settleAt = uint32(bound(settleAt, 0, uint256(maxSeconds) * 2 + 2 hours));
        endAt = uint32(bound(endAt, settleAt, uint256(maxSeconds) * 2 + 2 hours));
        vm.assume(uint256(PRICE) * maxSeconds <= 900 ether); // within the provider's collateral
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 leaseId = _openVerified(IVerificationManager.Mode(1 + how % 2), maxSeconds);
        uint256 t0 = block.timestamp;
        _start(leaseId);
        vm.warp(t0 + settleAt);
        vm.prank(how % 4 == 0 ? client : provider);
        try market.settle(leaseId) {} catch {}
        vm.warp(t0 + endAt);
        bytes32 result = withResult ? _commitmentOf(leaseId, MANIFEST, SALT) : bytes32(0);
        bool stopped;
        if (market.getLease(leaseId).status == IComputeMarket.LeaseStatus.Running) {
            uint256 which = (how / 4) % 4;
            if (which == 2 && !withResult) which = 3;
            vm.prank(which == 3 ? client : provider);
            if (which == 0) market.failLease(leaseId, IComputeMarket.EndReason.TimedOut, result);
            else if (which == 1) market.failLease(leaseId, IComputeMarket.EndReason.ProviderFailed, result);
            else if (which == 2 && withResult) market.completeLease(leaseId, result);
            else {
                // A stop before the end pays the used seconds directly, at the client's choice; after the last
                // second it waits for the provider's result, then ends the lease unpaid.
                stopped = endAt < maxSeconds;
                try market.stopLease(leaseId) {}
                catch {
                    vm.warp(t0 + uint256(maxSeconds) + params.verificationParams().verificationWindow + 1);
                    vm.prank(client);
                    market.stopLease(leaseId);
                }
            }
        }
        IComputeMarket.Lease memory l = market.getLease(leaseId);
        if (!stopped) assertEq(xpl.balanceOf(provider), providerBefore, "the market paid the provider directly");
        if (l.paid > 0 && !stopped) {
            assertTrue(l.resultHash != bytes32(0), "a paid ending carries a result hash");
            assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Pending), "a paid ending is verified");
            assertEq(verifier.totalLocked(), l.paid - l.paid * 500 / 10_000, "its whole payout is locked");
        }
        assertEq(xpl.balanceOf(address(market)), market.protocolFeesPending(), "the market keeps only fees");
        _assertConserved();
    }
}
