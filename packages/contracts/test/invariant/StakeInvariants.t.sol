// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {StakeHandler} from "./StakeHandler.sol";

/// @notice Issue #16: what may take stake is fixed at deployment (item 11), and no-shows, however a client splits
///         its leases, take at most the provider's allowance per unbonding period (review finding M1).
contract StakeInvariants is Fixture {
    StakeHandler internal handler;

    function setUp() public override {
        super.setUp();
        _registerAndStake(provider, STAKE);
        uint256 offerId = _offer(provider, 8, PRICE);
        vm.prank(stranger);
        registry.delegate(provider, 90_000 ether);
        address[] memory outsiders = new address[](4);
        (outsiders[0], outsiders[1], outsiders[2], outsiders[3]) = (owner, client, provider, stranger);
        handler = new StakeHandler(xpl, registry, market, rewards, params, provider, client, stranger, offerId, outsiders);
        targetContract(address(handler));
    }

    function invariant_noShowsTakeAtMostTheAllowanceOfEachPeriod() public view {
        for (uint256 i; i < handler.periodCount(); ++i) {
            (uint256 slashableAtStart, uint256 taken, uint256 capBps) = handler.periods(i);
            assertLe(taken, (slashableAtStart * capBps) / 10_000, "no-shows of one period within its allowance");
        }
    }

    function invariant_onlyTheNamedCallersTakeStakeCapacityOrRewards() public view {
        assertEq(handler.stolen(), 0, "an outsider slashed, took capacity or recorded work");
        (address market_, address verification, address distributor) = registry.callers();
        assertEq(market_, address(market), "the market is still the one named at deployment");
        assertEq(verification, address(verifier));
        assertEq(distributor, address(rewards));
        assertEq(rewards.market(), address(market));
    }
}
