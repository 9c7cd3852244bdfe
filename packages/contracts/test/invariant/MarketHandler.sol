// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {XPLToken} from "../../src/token/XPLToken.sol";
import {ProviderRegistry} from "../../src/staking/ProviderRegistry.sol";
import {ComputeMarket} from "../../src/market/ComputeMarket.sol";
import {RewardsDistributor} from "../../src/rewards/RewardsDistributor.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";

/// @notice Drives the market, registry (stakes and delegations) and rewards at random for the invariant tests, keeping a ghost ledger
///         of what each lease took in and paid out.
contract MarketHandler is Test {
    XPLToken public xpl;
    ProviderRegistry public registry;
    ComputeMarket public market;
    RewardsDistributor public rewards;

    address[] public clients;
    address[] public providers;
    address public builder;
    uint256[] public offerIds;

    // Ghost ledger, per lease.
    mapping(uint256 leaseId => uint256) public ghostEscrowIn;
    mapping(uint256 leaseId => uint256) public ghostProviderReceived;
    mapping(uint256 leaseId => uint256) public ghostClientRefunded;
    uint256 public ghostPenalties;
    uint256 public calls;

    constructor(
        XPLToken xpl_,
        ProviderRegistry registry_,
        ComputeMarket market_,
        RewardsDistributor rewards_,
        address[] memory clients_,
        address[] memory providers_,
        address builder_
    ) {
        (xpl, registry, market, rewards, builder) = (xpl_, registry_, market_, rewards_, builder_);
        clients = clients_;
        providers = providers_;
        for (uint256 i; i < providers.length; ++i) {
            vm.startPrank(providers[i]);
            registry.register("http://p", "");
            registry.stake(5000 ether);
            offerIds.push(registry.createOffer(IProviderRegistry.OfferInput("H100", 80, 8, uint96(1e12 * (i + 1)), "eu")));
            offerIds.push(registry.createOffer(IProviderRegistry.OfferInput("A100", 40, 4, uint96(7e11 * (i + 1)), "us")));
            vm.stopPrank();
        }
    }

    function leaseCount() external view returns (uint256) {
        return market.leaseCount();
    }

    function open(uint256 clientSeed, uint256 offerSeed, uint256 gpus, uint256 seconds_, bool withBuilder) external {
        ++calls;
        address client = clients[clientSeed % clients.length];
        uint256 offerId = offerIds[offerSeed % offerIds.length];
        uint256 before = xpl.balanceOf(client);
        vm.prank(client);
        try market.openLease(
            IComputeMarket.OpenLeaseParams({
                offerId: offerId,
                gpus: uint16(bound(gpus, 1, 4)),
                maxSeconds: uint32(bound(seconds_, 1, 2 days)),
                maxPricePerGpuSecond: type(uint96).max,
                specHash: bytes32(0),
                builder: withBuilder ? builder : address(0),
                verification: IVerificationManager.Mode.None
            })
        ) returns (uint256 leaseId) {
            ghostEscrowIn[leaseId] = before - xpl.balanceOf(client);
        } catch {}
    }

    function start(uint256 leaseSeed) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pick(leaseSeed);
        if (id == 0) return;
        vm.prank(l.provider);
        try market.startLease(id) {} catch {}
    }

    function settle(uint256 leaseSeed, bool byClient) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pick(leaseSeed);
        if (id == 0) return;
        _track(id, l, byClient ? l.client : l.provider, abi.encodeCall(market.settle, (id)));
    }

    function complete(uint256 leaseSeed) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pick(leaseSeed);
        if (id == 0) return;
        _track(id, l, l.provider, abi.encodeCall(market.completeLease, (id, keccak256(abi.encode(id)))));
    }

    function fail(uint256 leaseSeed, bool timedOut) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pick(leaseSeed);
        if (id == 0) return;
        IComputeMarket.EndReason reason = timedOut ? IComputeMarket.EndReason.TimedOut : IComputeMarket.EndReason.ProviderFailed;
        _track(id, l, l.provider, abi.encodeCall(market.failLease, (id, reason, bytes32(0))));
    }

    function stop(uint256 leaseSeed) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pick(leaseSeed);
        if (id == 0) return;
        _track(id, l, l.client, abi.encodeCall(market.stopLease, (id)));
    }

    function cancel(uint256 leaseSeed) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pick(leaseSeed);
        if (id == 0) return;
        uint256 registryBefore = xpl.balanceOf(address(registry));
        _track(id, l, l.client, abi.encodeCall(market.cancelLease, (id)));
        uint256 penalty = registryBefore - xpl.balanceOf(address(registry));
        ghostPenalties += penalty;
        ghostClientRefunded[id] -= penalty; // the penalty is compensation, not a refund of escrow
    }

    function warp(uint256 seconds_) external {
        ++calls;
        vm.warp(block.timestamp + bound(seconds_, 1, 1 days));
    }

    function claimBuilderFees() external {
        ++calls;
        vm.prank(builder);
        try market.claimBuilderFees() {} catch {}
    }

    function sweepProtocolFees() external {
        ++calls;
        try market.sweepProtocolFees() {} catch {}
    }

    function stake(uint256 providerSeed, uint256 amount) external {
        ++calls;
        vm.prank(providers[providerSeed % providers.length]);
        try registry.stake(bound(amount, 1, 1000 ether)) {} catch {}
    }

    function requestUnstake(uint256 providerSeed, uint256 amount) external {
        ++calls;
        vm.prank(providers[providerSeed % providers.length]);
        try registry.requestUnstake(bound(amount, 1, 5000 ether)) {} catch {}
    }

    function withdraw(uint256 providerSeed) external {
        ++calls;
        vm.prank(providers[providerSeed % providers.length]);
        try registry.withdraw() {} catch {}
    }

    // Clients double as delegators.
    function delegate(uint256 delegatorSeed, uint256 providerSeed, uint256 amount) external {
        ++calls;
        vm.prank(clients[delegatorSeed % clients.length]);
        try registry.delegate(providers[providerSeed % providers.length], bound(amount, 1, 3000 ether)) {} catch {}
    }

    function undelegate(uint256 delegatorSeed, uint256 providerSeed, uint256 amount, bool all) external {
        ++calls;
        vm.prank(clients[delegatorSeed % clients.length]);
        try registry.undelegate(providers[providerSeed % providers.length], all ? type(uint256).max : bound(amount, 1, 3000 ether)) {}
            catch {}
    }

    function withdrawDelegation(uint256 delegatorSeed, uint256 providerSeed) external {
        ++calls;
        vm.prank(clients[delegatorSeed % clients.length]);
        try registry.withdrawDelegation(providers[providerSeed % providers.length]) {} catch {}
    }

    function claimDelegationRewards(uint256 delegatorSeed, uint256 providerSeed) external {
        ++calls;
        vm.prank(clients[delegatorSeed % clients.length]);
        try registry.claimDelegationRewards(providers[providerSeed % providers.length]) {} catch {}
    }

    function setCommission(uint256 providerSeed, uint256 bps) external {
        ++calls;
        vm.prank(providers[providerSeed % providers.length]);
        try registry.setCommission(uint16(bound(bps, 0, 10_000))) {} catch {}
    }

    function distributeRewards(uint256 providerSeed) external {
        ++calls;
        try rewards.distributePending(providers[providerSeed % providers.length], 8) {} catch {}
    }

    function claimRewards(uint256 providerSeed) external {
        ++calls;
        vm.prank(providers[providerSeed % providers.length]);
        try rewards.claim() {} catch {}
    }

    /// @dev Calls the market as `caller` and books the balance changes of the lease's two parties.
    function _track(uint256 id, IComputeMarket.Lease memory l, address caller, bytes memory data) private {
        uint256 providerBefore = xpl.balanceOf(l.provider);
        uint256 clientBefore = xpl.balanceOf(l.client);
        vm.prank(caller);
        (bool ok,) = address(market).call(data);
        if (!ok) return;
        ghostProviderReceived[id] += xpl.balanceOf(l.provider) - providerBefore;
        ghostClientRefunded[id] += xpl.balanceOf(l.client) - clientBefore;
    }

    function _pick(uint256 seed) private view returns (uint256 id, IComputeMarket.Lease memory l) {
        uint256 count = market.leaseCount();
        if (count == 0) return (0, l);
        id = (seed % count) + 1;
        l = market.getLease(id);
    }
}
