// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";

contract DelegationTest is Fixture {
    function _delegate(address who, uint256 amount) internal {
        vm.prank(who);
        registry.delegate(provider, amount);
    }

    function _undelegate(address who, uint256 amount) internal {
        vm.prank(who);
        registry.undelegate(provider, amount);
    }

    function _slash(uint256 amount) internal returns (uint256) {
        vm.prank(address(market));
        return registry.slash(provider, amount, treasury);
    }

    function _registryOwes() internal view returns (uint256) {
        IProviderRegistry.Provider memory p = registry.getProvider(provider);
        IProviderRegistry.DelegationPool memory pool = registry.getDelegationPool(provider);
        return uint256(p.stake) + p.unbonding + pool.active + pool.unbonding + registry.delegatorRewardsHeld();
    }

    function test_delegate_countsTowardsTheMinimumStake() public {
        _registerAndStake(provider, 400 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryStakeBelowMinimum.selector, provider, 400 ether, 1000 ether)
        );
        _offer(provider, 1, PRICE);
        _delegate(stranger, 600 ether);
        assertEq(registry.backing(provider), 1000 ether);
        uint256 offerId = _offer(provider, 1, PRICE);
        _undelegate(stranger, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryStakeBelowMinimum.selector, provider, 1000 ether - 1, 1000 ether)
        );
        _open(offerId, 1, 60, address(0));
    }

    function test_delegate_revertsForUnregisteredProvidersAndZero() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRegistered.selector, provider));
        _delegate(stranger, 1 ether);
        _registerAndStake(provider, STAKE);
        vm.expectRevert(IProviderRegistry.RegistryZeroAmount.selector);
        _delegate(stranger, 0);
    }

    function test_slash_takesTheSameFractionFromEveryoneToTheWei() public {
        _registerAndStake(provider, 4000 ether);
        vm.prank(provider);
        registry.requestUnstake(1000 ether); // own: stake 3000, unbonding 1000
        _delegate(client, 2000 ether);
        _delegate(stranger, 1000 ether);
        _undelegate(stranger, 500 ether); // pool: active 2500, unbonding 500 — 7000 in all

        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.DelegationsSlashed(provider, 250 ether, 50 ether);
        assertEq(_slash(700 ether), 700 ether, "10 % of 7000");
        IProviderRegistry.Provider memory p = registry.getProvider(provider);
        assertEq(p.stake, 2700 ether, "own stake -10 %");
        assertEq(p.unbonding, 900 ether, "own unbonding -10 %");
        assertEq(registry.getDelegation(provider, client).stake, 1800 ether, "client -10 %");
        assertEq(registry.getDelegation(provider, stranger).stake, 450 ether, "stranger's active part -10 %");
        assertEq(registry.getDelegation(provider, stranger).unbonding, 450 ether, "stranger's unbonding part -10 %");

        // 1000 wei over 6300 XPL: floors 428 + 142 + 357 + 71 = 998, the 2 wei of dust from the provider.
        _slash(1000);
        p = registry.getProvider(provider);
        IProviderRegistry.DelegationPool memory pool = registry.getDelegationPool(provider);
        assertEq(p.stake, 2700 ether - 430, "own stake: its share plus the dust");
        assertEq(p.unbonding, 900 ether - 142);
        assertEq(pool.active, 2250 ether - 357);
        assertEq(pool.unbonding, 450 ether - 71);
        assertEq(xpl.balanceOf(address(registry)), _registryOwes(), "registry holds what it owes");
        assertEq(xpl.balanceOf(treasury), 700 ether + 1000, "recipient got every slashed wei");
    }

    function test_slash_ofEverythingEmptiesEveryBucketAndThePoolKeepsWorking() public {
        _registerAndStake(provider, 1000 ether);
        _delegate(client, 3000 ether);
        assertEq(_slash(10_000 ether), 4000 ether, "capped at what backs the provider");
        assertEq(registry.getDelegation(provider, client).stake, 0);
        assertEq(xpl.balanceOf(address(registry)), 0);
        assertEq(registry.getDelegationPool(provider).activeEra, 1, "the worthless shares were written off");
        _delegate(stranger, 500 ether);
        assertEq(registry.getDelegation(provider, stranger).stake, 500 ether, "a new delegator keeps its value");
        assertEq(registry.getDelegation(provider, stranger).shares, 500 ether, "at one share per wei again");
        assertEq(registry.getDelegation(provider, client).stake, 0, "the wiped one gains nothing from it");
        vm.prank(client);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryUndelegateExceedsDelegation.selector, provider, client, 0, 0)
        );
        registry.undelegate(provider, type(uint256).max);
    }

    function test_slash_writesOffAPoolLeftWithDustAndTakesTheDust() public {
        _registerAndStake(provider, 1000 ether);
        _delegate(client, 1000 ether);
        // Leaves 1 wei of delegated stake behind 1000e18 shares: written off, the wei goes with the slash.
        uint256 slashed = _slash(2000 ether - 2);
        assertEq(slashed, 2000 ether - 1, "the dust is slashed too");
        assertEq(registry.getDelegationPool(provider).active, 0);
        assertEq(xpl.balanceOf(address(registry)), _registryOwes());
    }

    function test_undelegate_goesThroughTheUnbondingPeriod() public {
        _registerAndStake(provider, STAKE);
        _delegate(stranger, 1000 ether);
        uint256 before = xpl.balanceOf(stranger);
        _undelegate(stranger, 400 ether);
        IProviderRegistry.DelegationInfo memory d = registry.getDelegation(provider, stranger);
        assertEq(d.stake, 600 ether);
        assertEq(d.unbonding, 400 ether);
        assertEq(d.releaseAt, block.timestamp + 7 days);
        vm.warp(block.timestamp + 7 days - 1);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryUnbondingNotFinished.selector, stranger, d.releaseAt, block.timestamp)
        );
        registry.withdrawDelegation(provider);
        vm.warp(block.timestamp + 1);
        vm.prank(stranger);
        assertEq(registry.withdrawDelegation(provider), 400 ether);
        assertEq(xpl.balanceOf(stranger), before + 400 ether);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNothingToWithdraw.selector, stranger));
        registry.withdrawDelegation(provider);
        _undelegate(stranger, type(uint256).max);
        assertEq(registry.getDelegation(provider, stranger).unbonding, 600 ether, "max undelegates everything");
    }

    function test_undelegate_revertsAboveTheDelegationOrZero() public {
        _registerAndStake(provider, STAKE);
        _delegate(stranger, 100 ether);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.RegistryUndelegateExceedsDelegation.selector, provider, stranger, 100 ether + 1, 100 ether
            )
        );
        registry.undelegate(provider, 100 ether + 1);
        vm.prank(stranger);
        vm.expectRevert(IProviderRegistry.RegistryZeroAmount.selector);
        registry.undelegate(provider, 0);
        vm.prank(client);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryUndelegateExceedsDelegation.selector, provider, client, 0, 0)
        );
        registry.undelegate(provider, type(uint256).max);
    }

    function test_setCommission_cutsAtOnceRaisesAfterTheUnbondingPeriod() public {
        _registerAndStake(provider, STAKE);
        vm.prank(provider);
        registry.setCommission(1000);
        assertEq(registry.commissionOf(provider), 0, "a raise waits");
        vm.warp(block.timestamp + 7 days);
        assertEq(registry.commissionOf(provider), 1000, "then applies");
        vm.prank(provider);
        registry.setCommission(500);
        assertEq(registry.commissionOf(provider), 500, "a cut applies at once");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryCommissionTooHigh.selector, 10_001));
        registry.setCommission(10_001);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRegistered.selector, stranger));
        registry.setCommission(0);
    }

    function test_delegatorRewards_arePaidPerShareAndOnlyToActiveShares() public {
        _registerAndStake(provider, STAKE);
        _delegate(client, 2000 ether);
        _delegate(stranger, 1000 ether);
        vm.warp(block.timestamp + EPOCH); // shares earn from the epoch after the one they arrived in
        uint256 epoch = rewards.currentEpoch();
        vm.startPrank(address(rewards)); // the distributor pays delegators from its pool
        xpl.approve(address(registry), type(uint256).max);
        registry.addDelegatorRewards(provider, 300 ether, epoch);
        vm.stopPrank();
        assertEq(registry.getDelegation(provider, client).rewards, 200 ether);
        assertEq(registry.getDelegation(provider, stranger).rewards, 100 ether);
        _undelegate(stranger, type(uint256).max); // unbonding shares earn nothing more
        vm.prank(address(rewards));
        registry.addDelegatorRewards(provider, 100 ether, epoch);
        assertEq(registry.getDelegation(provider, client).rewards, 300 ether);
        assertEq(registry.getDelegation(provider, stranger).rewards, 100 ether);
        uint256 before = xpl.balanceOf(client);
        vm.prank(client);
        assertEq(registry.claimDelegationRewards(provider), 300 ether);
        assertEq(xpl.balanceOf(client), before + 300 ether);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNothingToClaim.selector, client));
        registry.claimDelegationRewards(provider);
        assertEq(xpl.balanceOf(address(registry)), _registryOwes());
    }

    function test_addDelegatorRewards_onlyForTheRewarderAndOnlyWithDelegators() public {
        _registerAndStake(provider, STAKE);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRewardsDistributor.selector, stranger));
        registry.addDelegatorRewards(provider, 1, 0);
        vm.startPrank(address(rewards));
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNoDelegators.selector, provider));
        registry.addDelegatorRewards(provider, 1, 0);
        vm.stopPrank();
    }

    /// Random delegations, undelegations, slashes and rewards: nobody can take out more than is held,
    /// and everyone who leaves gets at most its share.
    function testFuzz_delegation_conservesTokens(uint256 a, uint256 b, uint256 out, uint256 slashAmount, uint256 reward)
        public
    {
        a = bound(a, 1, FUNDS / 2);
        b = bound(b, 1, FUNDS / 2);
        _registerAndStake(provider, STAKE);
        _delegate(client, a);
        _delegate(stranger, b);
        out = bound(out, 0, a);
        if (out > 0) _undelegate(client, out);
        _slash(bound(slashAmount, 0, STAKE + a + b));
        vm.warp(block.timestamp + EPOCH);
        vm.startPrank(address(rewards));
        xpl.approve(address(registry), type(uint256).max);
        if (registry.getDelegationPool(provider).activeShares > 0) {
            registry.addDelegatorRewards(provider, bound(reward, 1, 1e24), rewards.currentEpoch());
        }
        vm.stopPrank();
        assertEq(xpl.balanceOf(address(registry)), _registryOwes(), "held == owed");
        // Everyone leaves and claims; the registry must be able to pay all of it.
        if (registry.getDelegation(provider, client).stake > 0) _undelegate(client, type(uint256).max);
        vm.warp(block.timestamp + 7 days);
        if (registry.getDelegation(provider, client).unbonding > 0) {
            vm.prank(client);
            registry.withdrawDelegation(provider);
        }
        IProviderRegistry.DelegationInfo memory s = registry.getDelegation(provider, stranger);
        if (s.stake > 0) {
            _undelegate(stranger, type(uint256).max);
            vm.warp(block.timestamp + 7 days);
            if (registry.getDelegation(provider, stranger).unbonding > 0) {
                vm.prank(stranger);
                registry.withdrawDelegation(provider);
            }
        }
        if (registry.getDelegation(provider, client).rewards > 0) {
            vm.prank(client);
            registry.claimDelegationRewards(provider);
        }
        if (registry.getDelegation(provider, stranger).rewards > 0) {
            vm.prank(stranger);
            registry.claimDelegationRewards(provider);
        }
        assertEq(xpl.balanceOf(address(registry)), _registryOwes(), "held == owed after everyone left");
        IProviderRegistry.DelegationPool memory pool = registry.getDelegationPool(provider);
        assertLe(pool.active + pool.unbonding + registry.delegatorRewardsHeld(), 4, "at most rounding dust stays");
    }
}
