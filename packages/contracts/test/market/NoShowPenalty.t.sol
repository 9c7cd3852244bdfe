// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";

/// @notice Issue #16 item 6: a no-show penalty is bounded, and most of it goes to the treasury, not to
///         the client who can trigger it.
contract NoShowPenaltyTest is Fixture {
    uint256 internal offerId;

    function setUp() public override {
        super.setUp();
        _registerAndStake(provider, STAKE);
        offerId = _offer(provider, 8, PRICE);
        // 90,000 XPL of delegators' money behind the provider: backing 100,000 XPL.
        vm.prank(stranger);
        registry.delegate(provider, 90_000 ether);
    }

    /// @dev The attack of issue #16: a huge escrow against an offline provider, then a cancel. It used to
    ///      take 10 % of the escrow (90,000 XPL, backing 100k -> 10k) and hand all of it to the client.
    function test_attack_hugeEscrowNoShowTakesABoundedPenaltyMostlyAwayFromTheClient() public {
        uint256 backingBefore = registry.backing(provider);
        // 8 GPUs for 112.5M seconds: an escrow of 900,000 XPL.
        uint256 leaseId = _open(offerId, 8, 112_500_000, address(0));
        uint256 clientBefore = xpl.balanceOf(client);
        vm.warp(block.timestamp + params.marketParams().startDeadline + 1);
        vm.prank(client);
        market.cancelLease(leaseId);

        uint256 taken = backingBefore - registry.backing(provider);
        uint256 escrow = 900_000 ether;
        uint256 clientGain = xpl.balanceOf(client) - clientBefore - escrow;
        assertLt(0, taken, "a no-show still costs the provider something");
        assertLe(taken, backingBefore / 20, "a no-show takes at most 5 % of the backing");
        assertLe(clientGain * 2, taken, "at most half of the penalty goes to the client");
    }

    /// @dev Sets a parameter now: a raise of a penalty waits its notice, then is applied.
    function _setParam(bytes32 name, uint256 value) internal {
        vm.prank(owner);
        params.setParameter(name, value);
        (, uint256 appliesAt) = params.scheduledChange(name);
        if (appliesAt == 0) return;
        vm.warp(appliesAt);
        params.applyParameter(name);
    }

    function _cancel(uint256 leaseId) internal {
        vm.warp(block.timestamp + params.marketParams().startDeadline + 1);
        vm.prank(client);
        market.cancelLease(leaseId);
    }

    function test_cancelLease_penaltyIsCappedByTheAbsoluteCap() public {
        // 20,000 XPL of value: 10 % is 2,000 XPL, 5 % of the 100,000 XPL slashable is 5,000: the cap of 1,000 wins.
        uint256 leaseId = _open(offerId, 8, 2_500_000, address(0));
        uint256 clientBefore = xpl.balanceOf(client);
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.LeaseEnded(
            leaseId, provider, client, IComputeMarket.EndReason.NoShow, 0, 20_000 ether, 1_000 ether, bytes32(0)
        );
        _cancel(leaseId);
        assertEq(registry.slashable(provider), 99_000 ether);
        assertEq(xpl.balanceOf(client) - clientBefore, 20_000 ether + 200 ether, "escrow back plus 20 %");
        assertEq(xpl.balanceOf(treasury), 800 ether, "80 % of the penalty to the treasury");
        assertEq(xpl.balanceOf(address(market)), 0);
    }

    function test_cancelLease_penaltyIsCappedByAShareOfWhatTheProviderCanLose() public {
        _setParam("noShowPenaltyCap", 100_000 ether);
        _setParam("noShowBackingCapBps", 100); // 1 %
        uint256 leaseId = _open(offerId, 8, 112_500_000, address(0)); // 10 % would be 90,000 XPL
        _cancel(leaseId);
        assertEq(registry.slashable(provider), 99_000 ether, "1 % of 100,000 XPL");
    }

    function test_cancelLease_smallLeasePaysTheBpsShare() public {
        uint256 leaseId = _open(offerId, 4, 1000, address(0)); // 4 XPL: 10 % = 0.4 XPL
        _cancel(leaseId);
        assertEq(registry.slashable(provider), 100_000 ether - 0.4 ether);
        assertEq(xpl.balanceOf(treasury), 0.32 ether);
    }

    function test_cancelLease_clientShareFollowsTheParameter() public {
        vm.prank(owner);
        params.setParameter("noShowClientShareBps", 0);
        uint256 leaseId = _open(offerId, 8, 2_500_000, address(0));
        uint256 clientBefore = xpl.balanceOf(client);
        _cancel(leaseId);
        assertEq(xpl.balanceOf(client) - clientBefore, 20_000 ether, "only the escrow back");
        assertEq(xpl.balanceOf(treasury), 1_000 ether, "the whole penalty to the treasury");
    }

    /// @dev Whatever the lease and the parameters, a no-show takes at most the least of its three bounds,
    ///      and the client gets at most half of it.
    function testFuzz_cancelLease_penaltyNeverExceedsItsBounds(
        uint256 gpus,
        uint256 seconds_,
        uint256 bps,
        uint256 cap,
        uint256 backingBps,
        uint256 clientBps
    ) public {
        _setParam("noShowPenaltyBps", bound(bps, 0, 5_000));
        _setParam("noShowPenaltyCap", bound(cap, 0, 100_000 ether));
        _setParam("noShowBackingCapBps", bound(backingBps, 0, 2_000));
        _setParam("noShowClientShareBps", bound(clientBps, 0, 5_000));
        uint16 g = uint16(bound(gpus, 1, 8));
        uint32 s = uint32(bound(seconds_, 1, 100_000_000));
        uint256 leaseId = _open(offerId, g, s, address(0));
        uint256 value = uint256(PRICE) * g * s;
        uint256 slashableBefore = registry.slashable(provider);
        uint256 clientBefore = xpl.balanceOf(client);
        _cancel(leaseId);
        uint256 taken = slashableBefore - registry.slashable(provider);
        assertLe(taken, value * params.marketParams().noShowPenaltyBps / 10_000, "bps of the value");
        assertLe(taken, params.marketParams().noShowPenaltyCap, "the cap");
        assertLe(taken, slashableBefore * params.marketParams().noShowBackingCapBps / 10_000, "share of slashable");
        assertLe((xpl.balanceOf(client) - clientBefore - value) * 2, taken, "the client gets at most half");
        assertEq(xpl.balanceOf(address(market)), 0);
    }

    /// @dev Review finding M1 (issue #16): the cap was per lease, so a client split its escrow into many leases
    ///      against an offline provider and cancelled them all, again and again, and drained the backing (mostly
    ///      delegators' XPL). All the no-show penalties of one unbonding period together stay under the cap.
    function test_attack_manyNoShowLeasesDrainNoMoreThanTheCapPerPeriod() public {
        uint256 backingBefore = registry.slashable(provider);
        uint256 cap = (backingBefore * params.marketParams().noShowBackingCapBps) / 10_000; // 5,000 XPL
        // 8 rounds of 8 one-GPU leases worth 10,000 XPL each: 1,000 XPL penalty each under the per-lease cap.
        for (uint256 round; round < 8; ++round) {
            uint256[] memory ids = new uint256[](8);
            for (uint256 i; i < 8; ++i) {
                ids[i] = _open(offerId, 1, 10_000_000, address(0));
            }
            vm.warp(block.timestamp + params.marketParams().startDeadline + 1);
            for (uint256 i; i < 8; ++i) {
                market.cancelLease(ids[i]);
            }
        }
        uint256 taken = backingBefore - registry.slashable(provider);
        assertLe(taken, cap, "all no-shows of one period take at most the backing cap");
        assertEq(taken, cap, "the cap is reached");
        // A new period starts with a new allowance, of what the provider can lose then.
        vm.warp(block.timestamp + params.stakingParams().unbondingPeriod);
        uint256 before = registry.slashable(provider);
        _cancel(_open(offerId, 1, 10_000_000, address(0)));
        assertEq(before - registry.slashable(provider), 1_000 ether, "penalised again in the next period");
    }
}
