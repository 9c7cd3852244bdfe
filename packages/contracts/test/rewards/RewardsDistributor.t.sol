// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";

/// @dev Leases settled for two providers, rewards paid per epoch.
abstract contract RewardsFixture is Fixture {
    uint256 internal offer1;
    uint256 internal offer2;

    function setUp() public virtual override {
        super.setUp();
        _registerAndStake(provider, STAKE);
        _registerAndStake(provider2, STAKE);
        offer1 = _offer(provider, 8, PRICE);
        offer2 = _offer(provider2, 8, PRICE);
    }

    /// @dev Opens, starts and completes a lease of `gpus` × `seconds_` on `offerId`, paid by `payer`.
    function _work(address payer, uint256 offerId, uint16 gpus, uint32 seconds_, address builder_) internal {
        vm.prank(payer);
        uint256 leaseId = market.openLease(
            IComputeMarket.OpenLeaseParams(offerId, gpus, seconds_, type(uint96).max, bytes32(0), builder_, IVerificationManager.Mode.None)
        );
        address p = market.getLease(leaseId).provider;
        vm.prank(p);
        market.startLease(leaseId);
        vm.warp(block.timestamp + seconds_);
        vm.prank(p);
        market.completeLease(leaseId, keccak256("result"));
    }

    function _setParam(bytes32 name, uint256 value) internal {
        vm.prank(owner);
        params.setParameter(name, value);
    }

    function _nextEpoch() internal {
        vm.warp(rewards.epochEndsAt(rewards.currentEpoch()));
    }

    function _distributorHoldsWhatItOwes() internal view {
        assertEq(
            xpl.balanceOf(address(rewards)),
            rewards.available() + rewards.reserved() + rewards.totalOwed(),
            "distributor balance == available + reserved + owed"
        );
    }
}

contract RewardsDistributorTest is RewardsFixture {
    function test_epoch_paysEmissionProRataGpuSecondsSplitWithDelegatorsToTheWei() public {
        // Provider 1: 10,000 own + 5,000 + 5,000 delegated, 10 % commission. Provider 2: alone.
        vm.prank(provider);
        registry.setCommission(1000);
        vm.warp(block.timestamp + 7 days); // the raise takes effect
        vm.prank(client);
        registry.delegate(provider, 5000 ether);
        vm.prank(stranger);
        registry.delegate(provider, 5000 ether);
        _nextEpoch(); // delegations share the rewards of the epochs after the one they arrived in
        uint256 epoch = rewards.currentEpoch();
        _work(client, offer1, 2, 1000, address(0)); // 2000 GPU-s, fee 0.1 XPL
        _work(client, offer2, 1, 1000, address(0)); // 1000 GPU-s, fee 0.05 XPL
        _setParam("emissionPerEpoch", 0.03 ether + 1); // below the caps (50 % of each fee)

        vm.expectRevert(
            abi.encodeWithSelector(IRewardsDistributor.RewardsEpochNotEnded.selector, epoch, rewards.epochEndsAt(epoch))
        );
        rewards.distribute(epoch, provider);
        _nextEpoch();
        uint256 poolBefore = rewards.available();

        assertEq(rewards.distribute(epoch, provider), 0.02 ether, "2/3 of the emission, rounded down");
        // Commission 0.002; the other 0.018 shared by stake 10k : 10k delegated.
        assertEq(rewards.owed(provider), 0.011 ether, "commission + own stake's half");
        assertEq(registry.getDelegation(provider, client).rewards, 0.0045 ether);
        assertEq(registry.getDelegation(provider, stranger).rewards, 0.0045 ether);
        assertEq(rewards.distribute(epoch, provider2), 0.01 ether, "1/3, rounded down");
        IRewardsDistributor.Epoch memory e = rewards.getEpoch(epoch);
        assertEq(e.emission, 0.03 ether + 1);
        assertEq(e.paid, 0.03 ether, "sum paid");
        assertEq(rewards.reserved(), 0, "the epoch is closed");
        assertEq(rewards.available(), poolBefore - 0.03 ether, "the 1 wei of rounding went back to the pool");
        _distributorHoldsWhatItOwes();

        uint256 before = xpl.balanceOf(provider2);
        vm.prank(provider2);
        assertEq(rewards.claim(), 0.01 ether);
        assertEq(xpl.balanceOf(provider2), before + 0.01 ether);
        vm.prank(provider2);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsNothingToClaim.selector, provider2));
        rewards.claim();
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsAlreadyDistributed.selector, epoch, provider));
        rewards.distribute(epoch, provider);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsNoWork.selector, epoch, stranger));
        rewards.distribute(epoch, stranger);
    }

    function test_reward_isCappedByTheProtocolFeeAndTheRestReturnsToThePool() public {
        uint256 epoch = rewards.currentEpoch();
        _work(client, offer1, 2, 1000, address(0)); // protocol fee 0.1 XPL
        _work(client, offer2, 1, 1000, builder); // fee 0.05, of which 20 % to the builder: 0.04 to the protocol
        _nextEpoch();
        uint256 poolBefore = rewards.available();
        assertEq(rewards.previewReward(epoch, provider), 0.05 ether, "preview");
        assertEq(rewards.distribute(epoch, provider), 0.05 ether, "50 % of 0.1");
        assertEq(rewards.distribute(epoch, provider2), 0.02 ether, "50 % of the protocol's 0.04");
        assertEq(rewards.available(), poolBefore - 0.07 ether, "50,000 XPL emission, 0.07 paid, the rest returned");
        _distributorHoldsWhatItOwes();
    }

    function test_claim_distributesEveryEndedEpochFirst() public {
        uint256 first = rewards.currentEpoch();
        _work(client, offer1, 1, 1000, address(0));
        _nextEpoch();
        _work(client, offer1, 1, 1000, address(0));
        uint256 current = rewards.currentEpoch();
        assertEq(rewards.pendingEpochs(provider).length, 2);
        vm.prank(provider);
        assertEq(rewards.claim(), 0.025 ether, "only the ended epoch");
        uint256[] memory pending = rewards.pendingEpochs(provider);
        assertEq(pending.length, 1);
        assertEq(pending[0], current);
        assertTrue(rewards.getWork(first, provider).distributed);
        _nextEpoch();
        vm.prank(provider);
        assertEq(rewards.claim(), 0.025 ether);
    }

    function test_emissionRate_isReadWhenTheEpochIsFinalized() public {
        uint256 epoch = rewards.currentEpoch();
        _work(client, offer1, 8, 10_000, address(0)); // fee 4 XPL: cap 2 XPL
        _setParam("emissionPerEpoch", 1 ether);
        _nextEpoch();
        assertEq(rewards.distribute(epoch, provider), 1 ether);
        _setParam("emissionPerEpoch", 0);
        uint256 next = rewards.currentEpoch();
        _work(client, offer1, 8, 10_000, address(0));
        _nextEpoch();
        assertEq(rewards.distribute(next, provider), 0, "governance turned emissions off");
    }

    function test_recordWork_onlyForTheMarket() public {
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsNotMarket.selector, provider));
        rewards.recordWork(provider, 1e9, 1e9);
        vm.prank(owner); // the deployer named the market once; nobody can name another
        vm.expectRevert(IRewardsDistributor.RewardsMarketAlreadySet.selector);
        rewards.setMarket(provider);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IRewardsDistributor.RewardsNotDeployer.selector, provider));
        rewards.setMarket(provider);
    }

    /// The attack the cap exists for: a provider leases its own offers (and names itself builder), a
    /// friend delegates to it, and together they collect every reward. They still lose XPL.
    function testFuzz_farmingOwnOffersLosesMoney(uint256 fee, uint256 builderShare, uint256 cap, uint256 secs, uint256 gpus)
        public
    {
        _setParam("protocolFeeBps", bound(fee, 1, 2000));
        _setParam("builderShareBps", bound(builderShare, 0, 10_000));
        _setParam("rewardFeeCapBps", bound(cap, 0, 9000));
        _setParam("emissionPerEpoch", 10_000_000 ether); // as generous as governance can make it
        vm.prank(stranger);
        registry.delegate(provider, 50_000 ether);
        uint256 before = _coalitionWealth();
        _work(provider, offer1, uint16(bound(gpus, 1, 8)), uint32(bound(secs, 1000, 1 days)), provider);
        uint256 epoch = rewards.currentEpoch(); // the settlement's epoch
        _nextEpoch();
        rewards.distributePending(provider, 64);
        vm.startPrank(provider);
        if (rewards.owed(provider) > 0) rewards.claim();
        if (market.builderBalance(provider) > 0) market.claimBuilderFees();
        vm.stopPrank();
        if (registry.getDelegation(provider, stranger).rewards > 0) {
            vm.prank(stranger);
            registry.claimDelegationRewards(provider);
        }
        assertTrue(rewards.getWork(epoch, provider).distributed, "the farmed epoch was paid");
        if (market.protocolFeesPending() > 0) {
            assertLt(_coalitionWealth(), before, "farming must cost more than it earns");
        } else {
            // Governance gave the whole fee to builders: nothing paid to the protocol, nothing earned.
            assertEq(_coalitionWealth(), before, "no fee, no reward");
        }
    }

    function test_farmingOwnOffers_lossIsAtLeastHalfTheProtocolFeeAtDefaults() public {
        _setParam("emissionPerEpoch", 10_000_000 ether);
        uint256 before = _coalitionWealth();
        _work(provider, offer1, 8, 1 days, provider); // 691.2 XPL gross, 34.56 fee, 6.912 back as builder
        _nextEpoch();
        vm.startPrank(provider);
        uint256 reward = rewards.claim();
        market.claimBuilderFees();
        vm.stopPrank();
        assertEq(reward, 13.824 ether, "50 % of the 27.648 XPL the treasury got");
        assertEq(before - _coalitionWealth(), 13.824 ether, "the farmer is 13.824 XPL poorer");
    }

    function _coalitionWealth() internal view returns (uint256) {
        return xpl.balanceOf(provider) + xpl.balanceOf(stranger) + registry.getProvider(provider).stake
            + registry.getDelegation(provider, stranger).stake;
    }
}

/// A pool smaller than the emission pays what it has and no more.
contract RewardsSmallPoolTest is RewardsFixture {
    function _rewardsPool() internal pure override returns (uint256) {
        return 0.03 ether;
    }

    function test_pool_neverPaysMoreThanItHolds() public {
        uint256 epoch = rewards.currentEpoch();
        _work(client, offer1, 8, 1000, address(0)); // caps far above the pool
        _work(client, offer2, 8, 1000, address(0));
        _nextEpoch();
        assertEq(rewards.distribute(epoch, provider), 0.015 ether, "half of what the pool held");
        assertEq(rewards.distribute(epoch, provider2), 0.015 ether);
        assertEq(rewards.available(), 0, "empty");
        uint256 next = rewards.currentEpoch();
        _work(client, offer1, 8, 1000, address(0));
        _nextEpoch();
        assertEq(rewards.distribute(next, provider), 0, "nothing left to emit");
        vm.prank(provider);
        assertEq(rewards.claim(), 0.015 ether);
        assertEq(xpl.balanceOf(address(rewards)), 0.015 ether, "provider2's part waits for its claim");
        _distributorHoldsWhatItOwes();
    }
}
