// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";
import {RewardsFixture} from "./RewardsDistributor.t.sol";

/// @dev Issue #16 item 5: delegates a large amount after an epoch ended and distributes that epoch in the same
///      transaction, to take the delegators' part of a reward its stake was not there to earn.
contract JitDelegator {
    function attack(IERC20 xpl, IProviderRegistry registry, IRewardsDistributor rewards, address provider, uint256 epoch)
        external
    {
        uint256 amount = xpl.balanceOf(address(this));
        xpl.approve(address(registry), amount);
        registry.delegate(provider, amount);
        rewards.distribute(epoch, provider);
    }
}

/// Rewards go to the stake that was there during the epoch that earned them, however late they are distributed.
contract RewardTimingTest is RewardsFixture {
    uint256 internal constant HONEST = 10_000 ether; // the provider also has STAKE = 10,000 of its own

    function _assertNear(uint256 a, uint256 b, uint256 tolerance, string memory message) internal pure {
        assertTrue(a <= b + tolerance && b <= a + tolerance, message);
    }

    function _assertNear(uint256 a, uint256 b, uint256 tolerance) internal pure {
        _assertNear(a, b, tolerance, "within rounding");
    }

    /// @dev The honest delegator is there from the epoch before the work; returns the work's epoch, now ended.
    function _honestEpochWithWork() internal returns (uint256 epoch) {
        vm.prank(client);
        registry.delegate(provider, HONEST);
        _nextEpoch();
        epoch = rewards.currentEpoch();
        _work(client, offer1, 8, 1 days / 4, address(0)); // 172.8 XPL gross, 6.912 XPL protocol fee
        _nextEpoch();
    }

    function test_distribute_paysNothingToStakeDelegatedAfterTheEpochInTheSameTransaction() public {
        uint256 epoch = _honestEpochWithWork();
        uint256 reward = rewards.previewReward(epoch, provider);
        assertTrue(reward > 0, "the epoch earned a reward");
        JitDelegator attacker = new JitDelegator();
        vm.prank(stranger);
        xpl.transfer(address(attacker), 990_000 ether); // 99 × the stake that did the work
        attacker.attack(xpl, registry, rewards, provider, epoch);
        assertEq(registry.getDelegation(provider, address(attacker)).rewards, 0, "the late stake takes nothing");
        _assertNear(registry.getDelegation(provider, client).rewards, reward / 2, 2, "half: 10,000 of 20,000");
        assertEq(rewards.owed(provider), reward - reward / 2, "the provider's own half");
    }

    function test_distribute_paysNothingToStakeDelegatedDuringTheEpochsLastSecond() public {
        vm.prank(client);
        registry.delegate(provider, HONEST);
        _nextEpoch();
        uint256 epoch = rewards.currentEpoch();
        _work(client, offer1, 8, 1 days / 4, address(0));
        vm.warp(rewards.epochEndsAt(epoch) - 1);
        vm.prank(stranger);
        registry.delegate(provider, 990_000 ether);
        _nextEpoch();
        uint256 reward = rewards.distribute(epoch, provider);
        assertEq(registry.getDelegation(provider, stranger).rewards, 0, "not there for the epoch");
        _assertNear(registry.getDelegation(provider, client).rewards, reward / 2, 2);
    }

    function test_distribute_late_stillPaysOnlyTheStakeOfTheEpoch() public {
        uint256 epoch = _honestEpochWithWork();
        vm.prank(stranger);
        registry.delegate(provider, 990_000 ether);
        _nextEpoch();
        _nextEpoch(); // nobody distributed for two epochs: the late delegation would count by now
        uint256 reward = rewards.distribute(epoch, provider);
        assertEq(registry.getDelegation(provider, stranger).rewards, 0, "the late stake takes nothing");
        _assertNear(registry.getDelegation(provider, client).rewards, reward / 2, 2);
    }

    function test_distribute_providerCannotDiluteItsDelegatorsByStakingAfterTheEpoch() public {
        uint256 epoch = _honestEpochWithWork();
        vm.startPrank(provider);
        registry.stake(900_000 ether); // 90 × its stake during the epoch
        uint256 reward = rewards.distribute(epoch, provider);
        vm.stopPrank();
        _assertNear(registry.getDelegation(provider, client).rewards, reward / 2, 2, "the delegators keep half");
        assertEq(rewards.owed(provider), reward - registry.getDelegation(provider, client).rewards);
    }

    function test_distribute_providerCannotDiluteByStakingDuringTheEpochsLastSecond() public {
        vm.prank(client);
        registry.delegate(provider, HONEST);
        _nextEpoch();
        uint256 epoch = rewards.currentEpoch();
        _work(client, offer1, 8, 1 days / 4, address(0));
        vm.warp(rewards.epochEndsAt(epoch) - 1);
        vm.prank(provider);
        registry.stake(900_000 ether);
        _nextEpoch();
        uint256 reward = rewards.distribute(epoch, provider);
        _assertNear(registry.getDelegation(provider, client).rewards, reward / 2, 2);
    }

    function test_delegate_waitsForTheRewardOfTheEpochEarlierArrivalsMustNotShare() public {
        vm.prank(client);
        registry.delegate(provider, HONEST);
        uint256 epoch = rewards.currentEpoch();
        _work(client, offer1, 8, 1000, address(0)); // the client's shares arrived in this epoch: not theirs
        _nextEpoch();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryRewardsPending.selector, provider, epoch));
        registry.delegate(provider, 1 ether);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryRewardsPending.selector, provider, epoch));
        registry.stake(1 ether);
        uint256 reward = rewards.distributePending(provider, 64); // anyone may; the SDK does it first
        assertEq(registry.getDelegation(provider, client).rewards, 0, "the client arrived during the epoch");
        assertEq(rewards.owed(provider), reward, "all of it is the provider's");
        vm.prank(stranger);
        registry.delegate(provider, 1 ether);
        (,, uint256 shares, uint256 sharesEpoch) = registry.arrivals(provider);
        assertEq(shares, registry.getDelegation(provider, stranger).shares, "only the stranger's shares wait now");
        assertEq(sharesEpoch, rewards.currentEpoch());
        (uint256 own, uint256 delegated) = rewards.rewardStake(provider, sharesEpoch);
        assertEq(own, STAKE);
        assertEq(delegated, HONEST, "for this epoch, only the client's delegation counts");
        _nextEpoch();
        (, delegated) = rewards.rewardStake(provider, sharesEpoch + 1);
        assertEq(delegated, HONEST + 1 ether, "for the next one, both do");
    }

    function test_delegation_earnsFromTheEpochAfterItArrivedWithoutAnyCall() public {
        vm.prank(client);
        registry.delegate(provider, HONEST);
        (,, uint256 waiting,) = registry.arrivals(provider);
        assertEq(waiting, registry.getDelegation(provider, client).shares);
        _nextEpoch();
        uint256 epoch = rewards.currentEpoch();
        _work(client, offer1, 8, 1000, address(0));
        _nextEpoch();
        uint256 reward = rewards.distribute(epoch, provider); // the registry lets the shares in as it credits
        _assertNear(registry.getDelegation(provider, client).rewards, reward / 2, 2);
        (,, waiting,) = registry.arrivals(provider);
        assertEq(waiting, 0, "they earn now");
        vm.prank(client);
        registry.claimDelegationRewards(provider);
        _registryHoldsWhatItOwes();
    }

    function test_undelegate_takesTheSharesThatDoNotEarnYetFirst() public {
        vm.prank(client);
        registry.delegate(provider, HONEST);
        _nextEpoch();
        vm.prank(client);
        registry.delegate(provider, HONEST); // arrives now: waits
        uint256 epoch = rewards.currentEpoch();
        _work(client, offer1, 8, 1000, address(0));
        vm.prank(client);
        registry.undelegate(provider, HONEST); // the waiting half leaves; the earning half stays
        (,, uint256 waiting,) = registry.arrivals(provider);
        assertEq(waiting, 0);
        _nextEpoch();
        uint256 reward = rewards.distribute(epoch, provider);
        _assertNear(registry.getDelegation(provider, client).rewards, reward / 2, 2, "10,000 earned alongside 10,000");
        _registryHoldsWhatItOwes();
    }

    /// However late the stake arrives (in the epoch's last second, just after it, or epochs later while its reward
    /// waits) and whoever brings it (a delegator or the provider), it takes no part of the epoch's reward; the
    /// stake that was there splits it as if the newcomer never came.
    function testFuzz_reward_goesOnlyToStakePresentInItsEpoch(
        uint256 honest,
        uint256 late,
        uint256 topUp,
        uint256 commission,
        uint256 lateness
    ) public {
        honest = bound(honest, 1 ether, 500_000 ether);
        late = bound(late, 1 ether, 900_000 ether);
        topUp = bound(topUp, 0, 500_000 ether);
        commission = bound(commission, 0, 10_000);
        lateness = bound(lateness, 0, 3); // 0: the epoch's last second; n: n epochs after it ended
        vm.prank(provider);
        registry.setCommission(uint16(commission));
        vm.warp(block.timestamp + 7 days); // any raise takes effect
        vm.prank(client);
        registry.delegate(provider, honest);
        _nextEpoch();
        uint256 epoch = rewards.currentEpoch();
        _work(client, offer1, 8, 1 days / 4, address(0));
        if (lateness == 0) vm.warp(rewards.epochEndsAt(epoch) - 1);
        else vm.warp(rewards.epochEndsAt(epoch + lateness - 1));
        vm.prank(stranger);
        registry.delegate(provider, late);
        if (topUp > 0) {
            vm.prank(provider);
            registry.stake(topUp);
        }
        if (lateness == 0) _nextEpoch();
        uint256 reward = rewards.distribute(epoch, provider);
        assertEq(registry.getDelegation(provider, stranger).rewards, 0, "nothing for stake that was not there");
        uint256 afterCommission = reward - reward * commission / 10_000;
        uint256 toDelegators = afterCommission * honest / (STAKE + honest);
        _assertNear(registry.getDelegation(provider, client).rewards, toDelegators, 2, "split by the epoch's stake");
        assertEq(rewards.owed(provider), reward - toDelegators, "the provider keeps the rest");
        _registryHoldsWhatItOwes();
        _distributorHoldsWhatItOwes();
    }

    function _registryHoldsWhatItOwes() internal view {
        uint256 owed = registry.delegatorRewardsHeld();
        address[2] memory ps = [provider, provider2];
        for (uint256 i; i < 2; ++i) {
            IProviderRegistry.Provider memory p = registry.getProvider(ps[i]);
            IProviderRegistry.DelegationPool memory pool = registry.getDelegationPool(ps[i]);
            owed += uint256(p.stake) + p.unbonding + pool.active + pool.unbonding;
        }
        assertEq(xpl.balanceOf(address(registry)), owed, "registry holds what it owes");
    }
}
