// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {XPLToken} from "../../src/token/XPLToken.sol";
import {ProviderRegistry} from "../../src/staking/ProviderRegistry.sol";
import {ComputeMarket} from "../../src/market/ComputeMarket.sol";
import {RewardsDistributor} from "../../src/rewards/RewardsDistributor.sol";
import {ProtocolParameters} from "../../src/config/ProtocolParameters.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";

/// @notice Random leases against one provider that may never show up, delegations and unstakes around them, and
///         accounts without a caller's role trying to slash, take capacity or record work. Ghost ledger: what
///         no-shows took in each allowance period, and anything taken by someone who is not a named caller.
contract StakeHandler is Test {
    XPLToken internal immutable xpl;
    ProviderRegistry internal immutable registry;
    ComputeMarket internal immutable market;
    RewardsDistributor internal immutable rewards;
    ProtocolParameters internal immutable params;
    address internal immutable provider;
    address internal immutable client;
    address internal immutable delegator;
    uint256 internal immutable offerId;
    address[] internal outsiders;

    uint256[] internal leases;

    /// @notice One allowance period: what the provider could lose when it began, and what no-shows took in it.
    struct Period {
        uint256 slashableAtStart;
        uint256 taken;
        uint256 capBps;
    }

    Period[] public periods;
    uint256 public periodEndsAt;
    /// @notice XPL or work an outsider managed to take or record (must stay 0).
    uint256 public stolen;

    constructor(
        XPLToken xpl_,
        ProviderRegistry registry_,
        ComputeMarket market_,
        RewardsDistributor rewards_,
        ProtocolParameters params_,
        address provider_,
        address client_,
        address delegator_,
        uint256 offerId_,
        address[] memory outsiders_
    ) {
        (xpl, registry, market, rewards, params) = (xpl_, registry_, market_, rewards_, params_);
        (provider, client, delegator, offerId) = (provider_, client_, delegator_, offerId_);
        outsiders = outsiders_;
    }

    function periodCount() external view returns (uint256) {
        return periods.length;
    }

    function open(uint256 gpus, uint256 seconds_) external {
        IComputeMarket.OpenLeaseParams memory p = IComputeMarket.OpenLeaseParams({
            offerId: offerId,
            gpus: uint16(bound(gpus, 1, 2)),
            maxSeconds: uint32(bound(seconds_, 1, 50_000_000)), // up to 100,000 XPL of value at 2 GPUs
            maxPricePerGpuSecond: type(uint96).max,
            specHash: bytes32(0),
            builder: address(0),
            verification: IVerificationManager.Mode.None
        });
        vm.prank(client);
        try market.openLease(p) returns (uint256 id) {
            leases.push(id);
        } catch {}
    }

    function start(uint256 which) external {
        if (leases.length == 0) return;
        uint256 id = leases[bound(which, 0, leases.length - 1)];
        vm.prank(provider);
        try market.startLease(id) {} catch {}
    }

    function cancel(uint256 which) external {
        if (leases.length == 0) return;
        uint256 id = leases[bound(which, 0, leases.length - 1)];
        uint256 before = registry.slashable(provider);
        try market.cancelLease(id) {
            (, uint256 endsAt) = market.noShowAllowance(provider);
            if (endsAt != periodEndsAt) {
                periodEndsAt = endsAt;
                periods.push(Period(before, 0, params.marketParams().noShowBackingCapBps));
            }
            periods[periods.length - 1].taken += before - registry.slashable(provider);
        } catch {}
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1 minutes, 3 days));
    }

    function delegate(uint256 amount) external {
        vm.prank(delegator);
        try registry.delegate(provider, bound(amount, 1 ether, 50_000 ether)) {} catch {}
    }

    function undelegate(uint256 amount) external {
        vm.prank(delegator);
        try registry.undelegate(provider, bound(amount, 1 ether, 50_000 ether)) {} catch {}
    }

    function stake(uint256 amount) external {
        vm.prank(provider);
        try registry.stake(bound(amount, 1 ether, 50_000 ether)) {} catch {}
    }

    function requestUnstake(uint256 amount) external {
        vm.prank(provider);
        try registry.requestUnstake(bound(amount, 1 ether, 50_000 ether)) {} catch {}
    }

    /// @dev Someone who is not a named caller (the timelock, the deployer, a participant) tries every restricted call.
    function outsiderTries(uint256 who, uint256 amount) external {
        address outsider = outsiders[bound(who, 0, outsiders.length - 1)];
        amount = bound(amount, 1, 1_000_000 ether);
        uint256 before = xpl.balanceOf(outsider);
        vm.startPrank(outsider);
        try registry.slash(provider, amount, outsider) returns (uint256 slashed) {
            stolen += slashed + 1;
        } catch {}
        try registry.reserveCapacity(offerId, 1) {
            stolen += 1;
        } catch {}
        try rewards.recordWork(provider, amount, amount) {
            stolen += 1;
        } catch {}
        try registry.setCallers(outsider, outsider, rewards) {
            stolen += 1;
        } catch {}
        vm.stopPrank();
        stolen += xpl.balanceOf(outsider) - before;
    }
}
