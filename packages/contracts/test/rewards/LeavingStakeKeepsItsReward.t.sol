// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RewardsFixture} from "./RewardsDistributor.t.sol";

/// @notice Review finding M3 (issue #16): stake that leaves after an epoch ended but before its reward was distributed
///         keeps its share of that reward. Undelegating or unstaking distributes the provider's ended epochs first.
contract LeavingStakeKeepsItsRewardTest is RewardsFixture {
    uint256 internal constant DELEGATED = 10_000 ether; // each of two delegators; the provider has STAKE = 10,000

    function _assertNear(uint256 a, uint256 b, string memory message) internal pure {
        assertTrue(a <= b + 2 && b <= a + 2, message);
    }

    /// @dev Two delegators and the provider, 10,000 XPL each, through an epoch with work; returns that epoch, ended.
    function _epochWithWork() internal returns (uint256 epoch) {
        vm.prank(client);
        registry.delegate(provider, DELEGATED);
        vm.prank(stranger);
        registry.delegate(provider, DELEGATED);
        _nextEpoch();
        epoch = rewards.currentEpoch();
        _work(client, offer1, 8, 1 days / 4, address(0));
        _nextEpoch();
    }

    function test_attack_undelegatingBeforeTheDistributionForfeitsTheEpochsReward() public {
        uint256 epoch = _epochWithWork();
        uint256 reward = rewards.previewReward(epoch, provider);
        assertTrue(reward > 0, "the epoch earned a reward");
        vm.prank(client);
        registry.undelegate(provider, type(uint256).max); // before anyone distributed the epoch
        rewards.distributePending(provider, 10);
        // A third of the stake during the epoch was the client's: so is a third of the reward.
        _assertNear(registry.getDelegation(provider, client).rewards, reward / 3, "the leaver keeps its share");
        _assertNear(registry.getDelegation(provider, stranger).rewards, reward / 3, "the one who stayed gets no more");
        _distributorHoldsWhatItOwes();
    }

    function test_attack_unstakingBeforeTheDistributionForfeitsTheProvidersShare() public {
        uint256 epoch = _epochWithWork();
        uint256 reward = rewards.previewReward(epoch, provider);
        vm.prank(provider);
        registry.requestUnstake(STAKE / 2);
        rewards.distributePending(provider, 10);
        _assertNear(rewards.owed(provider), reward - 2 * (reward / 3), "the provider keeps its third");
        _assertNear(registry.getDelegation(provider, client).rewards, reward / 3, "delegators get no more");
    }

    function test_undelegate_worksWhenNothingIsPending() public {
        vm.prank(client);
        registry.delegate(provider, DELEGATED);
        _nextEpoch();
        vm.prank(client);
        registry.undelegate(provider, type(uint256).max);
        assertEq(registry.getDelegation(provider, client).unbonding, DELEGATED);
    }
}
