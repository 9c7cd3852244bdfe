// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";

contract ProviderRegistryTest is Fixture {
    // ------------------------------------------------------------------ registration

    function test_register_recordsEndpointAndAttributes() public {
        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.ProviderRegistered(provider, "https://gpu.example", '{"country":"DE"}');
        vm.prank(provider);
        registry.register("https://gpu.example", '{"country":"DE"}');
        IProviderRegistry.Provider memory p = registry.getProvider(provider);
        assertTrue(p.registered);
        assertEq(p.endpoint, "https://gpu.example", "endpoint");
        assertEq(p.attributes, '{"country":"DE"}', "attributes");
    }

    function test_register_revertsTwice() public {
        vm.startPrank(provider);
        registry.register("https://a", "");
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryAlreadyRegistered.selector, provider));
        registry.register("https://b", "");
        vm.stopPrank();
    }

    function test_register_revertsOnEmptyEndpoint() public {
        vm.prank(provider);
        vm.expectRevert(IProviderRegistry.RegistryEmptyEndpoint.selector);
        registry.register("", "");
    }

    function test_register_revertsOnOversizedStrings() public {
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryStringTooLong.selector, 257, 256));
        registry.register(string(new bytes(257)), "");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryStringTooLong.selector, 1025, 1024));
        registry.register("https://a", string(new bytes(1025)));
    }

    function test_updateProvider_changesTheRecord() public {
        vm.startPrank(provider);
        registry.register("https://a", "");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.ProviderUpdated(provider, "https://b", "{}");
        registry.updateProvider("https://b", "{}");
        vm.stopPrank();
        assertEq(registry.getProvider(provider).endpoint, "https://b", "endpoint");
    }

    function test_updateProvider_revertsWhenNotRegistered() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRegistered.selector, stranger));
        registry.updateProvider("https://b", "");
    }

    // ------------------------------------------------------------------ stake

    function test_stake_pullsXplAndEmits() public {
        vm.prank(provider);
        registry.register("https://a", "");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.Staked(provider, 500 ether, 500 ether);
        vm.prank(provider);
        registry.stake(500 ether);
        assertEq(registry.getProvider(provider).stake, 500 ether);
        assertEq(xpl.balanceOf(address(registry)), 500 ether);
    }

    function test_stake_revertsWhenNotRegistered() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRegistered.selector, stranger));
        registry.stake(1 ether);
    }

    function test_stake_revertsOnZero() public {
        vm.startPrank(provider);
        registry.register("https://a", "");
        vm.expectRevert(IProviderRegistry.RegistryZeroAmount.selector);
        registry.stake(0);
        vm.stopPrank();
    }

    function test_stakeWithPermit_needsNoApproval() public {
        vm.prank(provider);
        registry.register("https://a", "");
        vm.prank(provider);
        xpl.approve(address(registry), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permit(PROVIDER_KEY, provider, address(registry), 2000 ether, deadline);
        vm.prank(provider);
        registry.stakeWithPermit(2000 ether, deadline, v, r, s);
        assertEq(registry.getProvider(provider).stake, 2000 ether);
    }

    // ------------------------------------------------------------------ unbonding

    function test_requestUnstake_movesStakeToUnbondingWithATimer() public {
        _registerAndStake(provider, STAKE);
        uint64 releaseAt = uint64(block.timestamp + 7 days);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.UnstakeRequested(provider, 1000 ether, STAKE - 1000 ether, 1000 ether, releaseAt);
        vm.prank(provider);
        registry.requestUnstake(1000 ether);
        IProviderRegistry.Provider memory p = registry.getProvider(provider);
        assertEq(p.stake, STAKE - 1000 ether);
        assertEq(p.unbonding, 1000 ether);
        assertEq(p.unbondingReleaseAt, releaseAt);
    }

    function test_withdraw_oneSecondEarlyRevertsOnTimeWorks() public {
        _registerAndStake(provider, STAKE);
        vm.prank(provider);
        registry.requestUnstake(1000 ether);
        uint64 releaseAt = uint64(block.timestamp + 7 days);
        vm.warp(releaseAt - 1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryUnbondingNotFinished.selector, provider, releaseAt, releaseAt - 1));
        registry.withdraw();
        vm.warp(releaseAt);
        uint256 before = xpl.balanceOf(provider);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.Withdrawn(provider, 1000 ether);
        vm.prank(provider);
        assertEq(registry.withdraw(), 1000 ether);
        assertEq(xpl.balanceOf(provider), before + 1000 ether);
        assertEq(registry.getProvider(provider).unbonding, 0);
    }

    function test_requestUnstake_aNewRequestRestartsTheTimer() public {
        _registerAndStake(provider, STAKE);
        vm.prank(provider);
        registry.requestUnstake(100 ether);
        vm.warp(block.timestamp + 6 days);
        vm.prank(provider);
        registry.requestUnstake(100 ether);
        IProviderRegistry.Provider memory p = registry.getProvider(provider);
        assertEq(p.unbonding, 200 ether);
        assertEq(p.unbondingReleaseAt, block.timestamp + 7 days);
    }

    function test_requestUnstake_keepsTheMinimumWithActiveOffers() public {
        _registerAndStake(provider, 1500 ether);
        _offer(provider, 1, PRICE);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryStakeBelowMinimum.selector, provider, 999 ether, 1000 ether));
        registry.requestUnstake(501 ether);
        vm.prank(provider);
        registry.requestUnstake(500 ether); // exactly the minimum left
    }

    function test_requestUnstake_allowsEverythingWithoutActiveOffers() public {
        _registerAndStake(provider, 1500 ether);
        uint256 id = _offer(provider, 1, PRICE);
        vm.prank(provider);
        registry.updateOffer(id, PRICE, 1, false);
        vm.prank(provider);
        registry.requestUnstake(1500 ether);
        assertEq(registry.getProvider(provider).stake, 0);
    }

    function test_requestUnstake_revertsAboveStakeOrZero() public {
        _registerAndStake(provider, 100 ether);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryUnstakeExceedsStake.selector, provider, 101 ether, 100 ether));
        registry.requestUnstake(101 ether);
        vm.prank(provider);
        vm.expectRevert(IProviderRegistry.RegistryZeroAmount.selector);
        registry.requestUnstake(0);
    }

    function test_withdraw_revertsWithNothingUnbonding() public {
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNothingToWithdraw.selector, provider));
        registry.withdraw();
    }

    // ------------------------------------------------------------------ offers

    function test_createOffer_publishesAnActiveOffer() public {
        _registerAndStake(provider, STAKE);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.OfferCreated(1, provider, "H100", 80, 8, PRICE, "eu");
        uint256 id = _offer(provider, 8, PRICE);
        assertEq(id, 1);
        assertEq(registry.offerCount(), 1);
        IProviderRegistry.Offer memory o = registry.getOffer(id);
        assertEq(o.provider, provider);
        assertEq(o.gpuModel, "H100", "model");
        assertEq(o.vramGb, 80);
        assertEq(o.gpuCount, 8);
        assertEq(o.pricePerGpuSecond, PRICE);
        assertTrue(o.active);
        assertEq(registry.getProvider(provider).activeOffers, 1);
    }

    function test_createOffer_revertsOnInvalidInput() public {
        _registerAndStake(provider, STAKE);
        vm.startPrank(provider);
        vm.expectRevert(IProviderRegistry.RegistryEmptyGpuModel.selector);
        registry.createOffer(IProviderRegistry.OfferInput("", 80, 1, PRICE, "eu"));
        vm.expectRevert(IProviderRegistry.RegistryZeroVram.selector);
        registry.createOffer(IProviderRegistry.OfferInput("H100", 0, 1, PRICE, "eu"));
        vm.expectRevert(IProviderRegistry.RegistryZeroGpuCount.selector);
        registry.createOffer(IProviderRegistry.OfferInput("H100", 80, 0, PRICE, "eu"));
        vm.expectRevert(IProviderRegistry.RegistryZeroPrice.selector);
        registry.createOffer(IProviderRegistry.OfferInput("H100", 80, 1, 0, "eu"));
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryStringTooLong.selector, 65, 64));
        registry.createOffer(IProviderRegistry.OfferInput(string(new bytes(65)), 80, 1, PRICE, "eu"));
        vm.stopPrank();
    }

    function test_createOffer_revertsBelowMinimumStakeOrUnregistered() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRegistered.selector, stranger));
        registry.createOffer(IProviderRegistry.OfferInput("H100", 80, 1, PRICE, "eu"));
        _registerAndStake(provider, 999 ether);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryStakeBelowMinimum.selector, provider, 999 ether, 1000 ether));
        registry.createOffer(IProviderRegistry.OfferInput("H100", 80, 1, PRICE, "eu"));
    }

    function test_updateOffer_changesPriceCountAndActivity() public {
        _registerAndStake(provider, STAKE);
        uint256 id = _offer(provider, 8, PRICE);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.OfferUpdated(id, provider, 2 * PRICE, 4, false);
        vm.prank(provider);
        registry.updateOffer(id, 2 * PRICE, 4, false);
        IProviderRegistry.Offer memory o = registry.getOffer(id);
        assertEq(o.pricePerGpuSecond, 2 * PRICE);
        assertEq(o.gpuCount, 4);
        assertTrue(!o.active);
        assertEq(registry.getProvider(provider).activeOffers, 0);
        vm.prank(provider);
        registry.updateOffer(id, 2 * PRICE, 4, true);
        assertEq(registry.getProvider(provider).activeOffers, 1);
    }

    function test_setRequestPrice_setsThePriceOfAServiceRequest() public {
        _registerAndStake(provider, STAKE);
        uint256 id = _offer(provider, 8, PRICE);
        assertEq(registry.getOffer(id).pricePerRequest, 0, "a new offer sells no requests separately");
        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.OfferRequestPriceSet(id, provider, 0.01 ether);
        vm.prank(provider);
        registry.setRequestPrice(id, 0.01 ether);
        IProviderRegistry.Offer memory o = registry.getOffer(id);
        assertEq(o.pricePerRequest, 0.01 ether);
        assertEq(o.pricePerGpuSecond, PRICE, "the GPU price is untouched");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotOfferOwner.selector, id, stranger));
        registry.setRequestPrice(id, 1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryUnknownOffer.selector, 9));
        registry.setRequestPrice(9, 1);
    }

    function test_updateOffer_revertsOnBadInput() public {
        _registerAndStake(provider, STAKE);
        uint256 id = _offer(provider, 8, PRICE);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotOfferOwner.selector, id, stranger));
        registry.updateOffer(id, PRICE, 8, true);
        vm.startPrank(provider);
        vm.expectRevert(IProviderRegistry.RegistryZeroPrice.selector);
        registry.updateOffer(id, 0, 8, true);
        vm.expectRevert(IProviderRegistry.RegistryZeroGpuCount.selector);
        registry.updateOffer(id, PRICE, 0, true);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryUnknownOffer.selector, 9));
        registry.updateOffer(9, PRICE, 1, true);
        vm.stopPrank();
        _open(id, 3, 60, address(0));
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryGpuCountBelowInUse.selector, id, 2, 3));
        registry.updateOffer(id, PRICE, 2, true);
    }

    function test_updateOffer_reactivationNeedsTheMinimumStake() public {
        _registerAndStake(provider, 1000 ether);
        uint256 id = _offer(provider, 1, PRICE);
        vm.prank(provider);
        registry.updateOffer(id, PRICE, 1, false);
        vm.prank(provider);
        registry.requestUnstake(1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryStakeBelowMinimum.selector, provider, 1000 ether - 1, 1000 ether));
        registry.updateOffer(id, PRICE, 1, true);
    }

    // ------------------------------------------------------------------ market hooks and roles

    function test_hooks_onlyForTheContractsNamedAtDeployment() public {
        _registerAndStake(provider, STAKE);
        uint256 id = _offer(provider, 8, PRICE);
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotMarket.selector, stranger));
        registry.reserveCapacity(id, 1);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotMarket.selector, stranger));
        registry.releaseCapacity(id, 1);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotSlasher.selector, stranger));
        registry.slash(provider, 1, stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRewardsDistributor.selector, stranger));
        registry.addDelegatorRewards(provider, 1, 0);
        vm.stopPrank();
        vm.prank(address(verifier)); // the verification manager slashes, but takes no capacity
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotMarket.selector, address(verifier)));
        registry.reserveCapacity(id, 1);
    }

    function test_releaseCapacity_revertsBeyondWhatIsInUse() public {
        _registerAndStake(provider, STAKE);
        uint256 id = _offer(provider, 8, PRICE);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.CapacityReserved(id, 2, 2);
        vm.prank(address(market));
        registry.reserveCapacity(id, 2);
        vm.prank(address(market));
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryReleaseExceedsInUse.selector, id, 3, 2));
        registry.releaseCapacity(id, 3);
    }

    function test_slash_takesStakeAndUnbondingProRataCappedAtWhatIsThere() public {
        _registerAndStake(provider, 1000 ether);
        vm.prank(provider);
        registry.requestUnstake(400 ether); // stake 600, unbonding 400
        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.Slashed(provider, client, 700 ether, 180 ether, 120 ether); // 70 % of each
        vm.prank(address(market));
        assertEq(registry.slash(provider, 700 ether, client), 700 ether);
        vm.prank(address(market));
        assertEq(registry.slash(provider, 1000 ether, client), 300 ether, "capped at what is left");
        vm.prank(address(market));
        assertEq(registry.slash(provider, 1 ether, client), 0, "nothing left, nothing sent");
        assertEq(xpl.balanceOf(address(registry)), 0);
    }

    function testFuzz_slash_conservesTokens(uint256 stakeAmount, uint256 unbond, uint256 amount) public {
        stakeAmount = bound(stakeAmount, 1, FUNDS);
        unbond = bound(unbond, 0, stakeAmount);
        amount = bound(amount, 0, 2 * FUNDS);
        _registerAndStake(provider, stakeAmount);
        if (unbond > 0) {
            vm.prank(provider);
            registry.requestUnstake(unbond);
        }
        uint256 clientBefore = xpl.balanceOf(client);
        vm.prank(address(market));
        uint256 slashed = registry.slash(provider, amount, client);
        IProviderRegistry.Provider memory p = registry.getProvider(provider);
        assertEq(slashed, amount < stakeAmount ? amount : stakeAmount, "slashed");
        assertEq(xpl.balanceOf(client) - clientBefore, slashed, "recipient got it");
        assertEq(xpl.balanceOf(address(registry)), uint256(p.stake) + p.unbonding, "registry holds stake + unbonding");
    }

    function test_getOffer_revertsForUnknownIds() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryUnknownOffer.selector, 1));
        registry.getOffer(1);
    }
}
