// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {XPLToken} from "../../src/token/XPLToken.sol";
import {ProviderRegistry} from "../../src/staking/ProviderRegistry.sol";
import {ComputeMarket} from "../../src/market/ComputeMarket.sol";
import {RewardsDistributor} from "../../src/rewards/RewardsDistributor.sol";
import {VerificationManager} from "../../src/verification/VerificationManager.sol";
import {ValidatorSet} from "../../src/verification/ValidatorSet.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {IProtocolParameters} from "../../src/interfaces/IProtocolParameters.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";

/// @notice The log-recording cheatcodes (the shared test base does not declare them).
interface VmLogs {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory);
}

/// @notice Drives the market, registry (stakes and delegations), rewards and verification at random for the invariant
///         tests, keeping a ghost ledger of what each lease took in and paid out. Providers report a wrong result for
///         every second lease; validators re-execute honestly or lazily guess.
contract MarketHandler is Test {
    XPLToken public xpl;
    ProviderRegistry public registry;
    ComputeMarket public market;
    RewardsDistributor public rewards;
    VerificationManager public verifier;
    ValidatorSet public validatorSet;
    address[] public validators;

    address[] public clients;
    address[] public providers;
    address public builder;
    uint256[] public offerIds;

    // Ghost ledger, per lease.
    mapping(uint256 leaseId => uint256) public ghostEscrowIn;
    mapping(uint256 leaseId => uint256) public ghostProviderReceived;
    mapping(uint256 leaseId => uint256) public ghostClientRefunded;
    uint256 public ghostPenalties;
    /// @dev No-show penalties that took more than min(bps × value, cap, share of slashable XPL).
    uint256 public ghostNoShowPenaltiesOverCap;
    /// @dev Unstakes and undelegations that left backing below the locked collateral, and withdrawals
    ///      that left stake + delegations + unbonding below it.
    uint256 public ghostCollateralUnlocks;
    uint256 public calls;

    constructor(
        XPLToken xpl_,
        ProviderRegistry registry_,
        ComputeMarket market_,
        RewardsDistributor rewards_,
        VerificationManager verifier_,
        ValidatorSet validatorSet_,
        address[] memory validators_,
        address[] memory clients_,
        address[] memory providers_,
        address builder_
    ) {
        (xpl, registry, market, rewards, builder) = (xpl_, registry_, market_, rewards_, builder_);
        verifier = verifier_;
        validatorSet = validatorSet_;
        validators = validators_;
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

    function open(uint256 clientSeed, uint256 offerSeed, uint256 gpus, uint256 seconds_, bool withBuilder, uint8 mode) external {
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
                verification: IVerificationManager.Mode(mode % 3)
            })
        ) returns (uint256 leaseId) {
            ghostEscrowIn[leaseId] = before - xpl.balanceOf(client);
        } catch {}
    }

    function start(uint256 leaseSeed) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pickIn(leaseSeed, IComputeMarket.LeaseStatus.Open);
        if (id == 0) return;
        vm.prank(l.provider);
        try market.startLease(id) {} catch {}
    }

    function settle(uint256 leaseSeed, bool byClient) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pickIn(leaseSeed, IComputeMarket.LeaseStatus.Running);
        if (id == 0) return;
        _track(id, l, byClient ? l.client : l.provider, abi.encodeCall(market.settle, (id)));
    }

    function complete(uint256 leaseSeed) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pickIn(leaseSeed, IComputeMarket.LeaseStatus.Running);
        if (id == 0) return;
        _track(id, l, l.provider, abi.encodeCall(market.completeLease, (id, keccak256(abi.encode(id, reported(id), salt(id))))));
    }

    /// @dev The true outputs of a lease, as every honest re-execution finds them.
    function truth(uint256 id) public pure returns (bytes32) {
        return keccak256(abi.encode("outputs", id));
    }

    /// @dev What the provider reports: a lie for every second lease.
    function reported(uint256 id) public pure returns (bytes32) {
        return id % 2 == 0 ? keccak256(abi.encode("garbage", id)) : truth(id);
    }

    function salt(uint256 id) public pure returns (bytes32) {
        return keccak256(abi.encode("salt", id));
    }

    // ---------------------------------------------------------------- verification

    /// @dev Draws (or assigns) every lease waiting for it, one block later.
    function draw() external {
        ++calls;
        vm.roll(block.number + 1);
        for (uint256 id = 1; id <= market.leaseCount(); ++id) {
            IVerificationManager.Stage stage = verifier.getVerification(id).stage;
            if (stage == IVerificationManager.Stage.Pending) _verifierCall(id, address(0), abi.encodeCall(verifier.draw, (id)));
            else if (stage == IVerificationManager.Stage.NeedsValidator) _verifierCall(id, address(0), abi.encodeCall(verifier.assign, (id)));
        }
    }

    /// @dev Plays every verification as far as it goes: draws, assignments and each party's steps, honestly
    ///      or lazily (then the provider may stay silent).
    function verifyAll(bool lazy, bool providerSilent) external {
        ++calls;
        for (uint256 round; round < 8; ++round) {
            vm.roll(block.number + 1);
            for (uint256 id = 1; id <= market.leaseCount(); ++id) {
                IVerificationManager.Stage stage = verifier.getVerification(id).stage;
                if (stage == IVerificationManager.Stage.Pending) _verifierCall(id, address(0), abi.encodeCall(verifier.draw, (id)));
                else if (stage == IVerificationManager.Stage.NeedsValidator) _verifierCall(id, address(0), abi.encodeCall(verifier.assign, (id)));
                else _verifyStep(id, lazy && round % 2 == 0, providerSilent && lazy);
            }
        }
    }

    function _verifyStep(uint256 id, bool lazy, bool providerSilent) private {
        IVerificationManager.Verification memory v = verifier.getVerification(id);
        IVerificationManager.Assignment memory a = verifier.getAssignment(id);
        address current = v.round == 1 ? a.validator1 : v.round == 2 ? a.validator2 : a.validator3;
        bytes32 result = lazy ? keccak256("guess") : truth(id);
        if (v.stage == IVerificationManager.Stage.Assigned) {
            _verifierCall(id, current, abi.encodeCall(verifier.commitResult, (id, _commitmentBy(id, current, result))));
            if (v.mode == IVerificationManager.Mode.Exact && v.round == 2) {
                // An exact-mode dispute's committee: the third validator commits blind beside the second.
                _verifierCall(id, a.validator3, abi.encodeCall(verifier.commitResult, (id, _commitmentBy(id, a.validator3, result))));
            }
        } else if (v.stage == IVerificationManager.Stage.Committed && !providerSilent) {
            _verifierCall(id, market.getLease(id).provider, abi.encodeCall(verifier.revealSalt, (id, salt(id))));
        } else if (v.stage == IVerificationManager.Stage.Revealed) {
            _attest(id, v, a.result1, current, lazy);
        } else if (v.stage == IVerificationManager.Stage.FinalReveal) {
            _verifierCall(id, a.validator1, abi.encodeCall(verifier.revealResult, (id, result, salt(id))));
            _verifierCall(id, a.validator2, abi.encodeCall(verifier.revealResult, (id, result, salt(id))));
            _verifierCall(id, a.validator3, abi.encodeCall(verifier.revealResult, (id, result, salt(id))));
        }
    }

    /// @dev An honest validator attests what it found (tolerance mode never fails a match on chain); an honest auditor
    ///      judges both the provider's outputs and the first validator's published ones; a lazy one says yes.
    function _attest(uint256 id, IVerificationManager.Verification memory v, bytes32 firstResult, address current, bool lazy)
        private
    {
        if (v.audit && v.round == 2) return _audit(id, firstResult, current, lazy);
        bytes32 result = lazy ? keccak256("guess") : truth(id);
        bool honestMatch = v.mode == IVerificationManager.Mode.Exact || lazy || reported(id) == truth(id);
        bool matched = honestMatch && _verifierCall(id, current, abi.encodeCall(verifier.attestMatch, (id, result, salt(id))));
        if (!matched && _verifierCall(id, current, abi.encodeCall(verifier.attestMismatch, (id))) && v.round == 1) {
            ghostMismatchAttested[id] = true;
        }
    }

    function _audit(uint256 id, bytes32 firstResult, address auditor, bool lazy) private {
        bytes memory data = abi.encodeCall(
            verifier.attestAudit,
            (id, lazy || reported(id) == truth(id), lazy || firstResult == truth(id), lazy ? keccak256("guess") : truth(id), salt(id))
        );
        _verifierCall(id, auditor, data);
    }

    function verifyTimeout(uint256 leaseSeed) external {
        ++calls;
        (uint256 id,) = _pick(leaseSeed);
        if (id == 0) return;
        vm.warp(block.timestamp + 2 hours);
        _verifierCall(id, address(0), abi.encodeCall(verifier.timeout, (id)));
    }

    function validatorStake(uint256 validatorSeed, uint256 amount) external {
        ++calls;
        vm.prank(validators[validatorSeed % validators.length]);
        try validatorSet.stake(bound(amount, 1, 20_000 ether)) {} catch {}
    }

    function validatorExit(uint256 validatorSeed, bool withdrawNow) external {
        ++calls;
        address who = validators[validatorSeed % validators.length];
        vm.prank(who);
        if (withdrawNow) {
            try validatorSet.withdraw() {} catch {}
        } else {
            try validatorSet.requestExit() {} catch {}
        }
    }

    function fail(uint256 leaseSeed, bool timedOut) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pickIn(leaseSeed, IComputeMarket.LeaseStatus.Running);
        if (id == 0) return;
        IComputeMarket.EndReason reason = timedOut ? IComputeMarket.EndReason.TimedOut : IComputeMarket.EndReason.ProviderFailed;
        _track(id, l, l.provider, abi.encodeCall(market.failLease, (id, reason, bytes32(0))));
    }

    function stop(uint256 leaseSeed) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pickIn(leaseSeed, IComputeMarket.LeaseStatus.Running);
        if (id == 0) return;
        _track(id, l, l.client, abi.encodeCall(market.stopLease, (id)));
    }

    function cancel(uint256 leaseSeed) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pickIn(leaseSeed, IComputeMarket.LeaseStatus.Open);
        if (id == 0) return;
        uint256 registryBefore = xpl.balanceOf(address(registry));
        uint256 cap = _noShowCap(l);
        _track(id, l, l.client, abi.encodeCall(market.cancelLease, (id)));
        uint256 penalty = registryBefore - xpl.balanceOf(address(registry));
        ghostPenalties += penalty;
        if (penalty > cap) ++ghostNoShowPenaltiesOverCap;
        // The client's share of the penalty is compensation, not a refund of escrow; the rest is the treasury's.
        ghostClientRefunded[id] -= (penalty * market.params().marketParams().noShowClientShareBps) / 10_000;
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
        try registry.requestUnstake(bound(amount, 1, 5000 ether)) {
            _checkLock(providers[providerSeed % providers.length], false);
        } catch {}
    }

    function withdraw(uint256 providerSeed) external {
        ++calls;
        vm.prank(providers[providerSeed % providers.length]);
        try registry.withdraw() {
            _checkLock(providers[providerSeed % providers.length], true);
        } catch {}
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
        try registry.undelegate(providers[providerSeed % providers.length], all ? type(uint256).max : bound(amount, 1, 3000 ether)) {
            _checkLock(providers[providerSeed % providers.length], false);
        } catch {}
    }

    function withdrawDelegation(uint256 delegatorSeed, uint256 providerSeed) external {
        ++calls;
        vm.prank(clients[delegatorSeed % clients.length]);
        try registry.withdrawDelegation(providers[providerSeed % providers.length]) {
            _checkLock(providers[providerSeed % providers.length], true);
        } catch {}
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
        _trackVerified(id, l, data, xpl.balanceOf(l.provider) - providerBefore);
    }

    function _pick(uint256 seed) private view returns (uint256 id, IComputeMarket.Lease memory l) {
        uint256 count = market.leaseCount();
        if (count == 0) return (0, l);
        id = (seed % count) + 1;
        l = market.getLease(id);
    }

    /// @dev The first lease in `status` from a random place on, so that lifecycles get to their end.
    function _pickIn(uint256 seed, IComputeMarket.LeaseStatus status) private view returns (uint256, IComputeMarket.Lease memory l) {
        uint256 count = market.leaseCount();
        for (uint256 i; i < count; ++i) {
            uint256 id = ((seed % count + i) % count) + 1;
            l = market.getLease(id);
            if (l.status == status) return (id, l);
        }
        return (0, l);
    }

    /// @dev A long verified lease worth 35-900 XPL (under the 1,000 XPL verified-lease cap): its 350-9,000 XPL of
    ///      collateral is a large part of a provider's backing, so unstakes, undelegations and withdrawals run into the lock.
    function openVerifiedLarge(uint256 clientSeed, uint256 offerSeed, uint256 seconds_) external {
        ++calls;
        address client = clients[clientSeed % clients.length];
        uint256 offerId = offerIds[offerSeed % offerIds.length];
        uint256 before = xpl.balanceOf(client);
        vm.prank(client);
        try market.openLease(
            IComputeMarket.OpenLeaseParams({
                offerId: offerId,
                gpus: 1,
                maxSeconds: uint32(bound(seconds_, 1e8, 4.5e8) / (offerSeed % 2 == 0 ? 1 : 2)),
                maxPricePerGpuSecond: type(uint96).max,
                specHash: bytes32(0),
                builder: address(0),
                verification: IVerificationManager.Mode.Exact
            })
        ) returns (uint256 leaseId) {
            ghostEscrowIn[leaseId] = before - xpl.balanceOf(client);
        } catch {}
    }

    /// @dev Tries to take a provider's whole stake out, the move that would escape a verified lease's collateral.
    function requestUnstakeAll(uint256 providerSeed) external {
        ++calls;
        address p = providers[providerSeed % providers.length];
        uint256 staked = registry.getProvider(p).stake;
        if (staked == 0) return;
        vm.prank(p);
        try registry.requestUnstake(staked) {
            _checkLock(p, false);
        } catch {}
    }

    /// @dev The most a no-show on `l` may cost its provider, as the parameters bound it now.
    function _noShowCap(IComputeMarket.Lease memory l) private view returns (uint256 cap) {
        IProtocolParameters.MarketParams memory mp = market.params().marketParams();
        uint256 value = uint256(l.pricePerGpuSecond) * l.gpus * l.maxSeconds;
        cap = value * mp.noShowPenaltyBps / 10_000;
        if (cap > mp.noShowPenaltyCap) cap = mp.noShowPenaltyCap;
        uint256 ofBacking = registry.slashable(l.provider) * mp.noShowBackingCapBps / 10_000;
        if (cap > ofBacking) cap = ofBacking;
    }

    /// @dev After a successful unstake or undelegation the backing covers the lock; after a withdrawal
    ///      everything a slash can still reach does.
    function _checkLock(address p, bool withdrawal) private {
        uint256 left = withdrawal ? registry.slashable(p) : registry.backing(p);
        if (left < registry.lockedCollateral(p)) ++ghostCollateralUnlocks;
    }

    // ---------------------------------------------------------------- issue #16: verified leases pay through verification

    /// @dev XPL a market call paid a verified lease's provider directly (a stop by the client aside).
    mapping(uint256 leaseId => uint256) public ghostVerifiedPaidDirect;
    /// @dev XPL the verification manager paid a lease's provider (payout released, bounties).
    mapping(uint256 leaseId => uint256) public ghostPaidByVerifier;
    /// @dev The payout the market handed to verification when the lease ended.
    mapping(uint256 leaseId => uint256) public ghostLockedForProvider;
    /// @dev A validator attested a mismatch on the lease.
    mapping(uint256 leaseId => bool) public ghostMismatchAttested;

    /// @dev A timed-out verified lease ending with a result (the provider's commitment, honest or not).
    function failTimedOutWithResult(uint256 leaseSeed) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pickIn(leaseSeed, IComputeMarket.LeaseStatus.Running);
        if (id == 0) return;
        bytes32 result = keccak256(abi.encode(id, reported(id), salt(id)));
        _track(id, l, l.provider, abi.encodeCall(market.failLease, (id, IComputeMarket.EndReason.TimedOut, result)));
    }

    /// @dev Runs a lease past its last second and past the window for its result, then settles it.
    function settleExhausted(uint256 leaseSeed, bool byClient) external {
        ++calls;
        (uint256 id, IComputeMarket.Lease memory l) = _pickIn(leaseSeed, IComputeMarket.LeaseStatus.Running);
        if (id == 0) return;
        uint256 end = uint256(l.startedAt) + l.maxSeconds + 1 hours + 1;
        if (block.timestamp < end) vm.warp(end);
        _track(id, l, byClient ? l.client : l.provider, abi.encodeCall(market.settle, (id)));
    }

    /// @dev Every validator but one asks to leave, so that a dispute may find no second validator to draw.
    function exitValidatorsButOne(uint256 validatorSeed) external {
        ++calls;
        uint256 keep = validatorSeed % validators.length;
        for (uint256 i; i < validators.length; ++i) {
            if (i == keep) continue;
            vm.prank(validators[i]);
            try validatorSet.requestExit() {} catch {}
        }
    }

    /// @dev Books what a market call paid a verified lease's provider, and what it locked in verification.
    function _trackVerified(uint256 id, IComputeMarket.Lease memory l, bytes memory data, uint256 received) private {
        if (l.verification == IVerificationManager.Mode.None) return;
        if (bytes4(data) != market.stopLease.selector) ghostVerifiedPaidDirect[id] += received;
        IVerificationManager.Verification memory v = verifier.getVerification(id);
        if (v.stage == IVerificationManager.Stage.Pending) ghostLockedForProvider[id] = v.locked;
    }

    function _commitmentBy(uint256 id, address validator, bytes32 result) private pure returns (bytes32) {
        return keccak256(abi.encode(id, validator, result, salt(id)));
    }

    /// @dev Calls the verification manager about lease `id` (as `caller` unless zero) and books what it paid the
    ///      lease's provider; returns whether the call succeeded.
    function _verifierCall(uint256 id, address caller, bytes memory data) private returns (bool ok) {
        address p = market.getLease(id).provider;
        uint256 before = xpl.balanceOf(p);
        LOGS.recordLogs();
        if (caller != address(0)) vm.prank(caller);
        (ok,) = address(verifier).call(data);
        ghostPaidByVerifier[id] += xpl.balanceOf(p) - before;
        _checkValidatorPay(LOGS.getRecordedLogs());
    }

    // ---------------------------------------------------------------- issue #16 items 3, 4, 8: validator pay and draws

    VmLogs private constant LOGS = VmLogs(address(uint160(uint256(keccak256("hevm cheat code")))));
    /// @dev Validator payments above the lease's cap (its own fee if its draw was re-armed, else its pay cap).
    uint256 public ghostPaidOverCap;
    /// @dev Validators paid twice for one lease.
    uint256 public ghostPaidTwice;
    mapping(uint256 leaseId => mapping(address validator => bool)) public ghostPaid;
    /// @dev Draws whose validator changed after a stake, top-up or exit sent in the draw's own block.
    uint256 public ghostSteeredDraws;
    uint256 public ghostDrawsChecked;

    function _checkValidatorPay(VmLogs.Log[] memory logs) private {
        bytes32 paidTopic = IVerificationManager.ValidatorPaid.selector;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(verifier) || logs[i].topics[0] != paidTopic) continue;
            uint256 id = uint256(logs[i].topics[1]);
            address validator = address(uint160(uint256(logs[i].topics[2])));
            uint256 amount = abi.decode(logs[i].data, (uint256));
            IVerificationManager.Verification memory v = verifier.getVerification(id);
            if (amount > (v.forced ? v.fee : v.payCap)) ++ghostPaidOverCap;
            if (ghostPaid[id][validator]) ++ghostPaidTwice;
            ghostPaid[id][validator] = true;
        }
    }

    /// @dev In the block of a draw, first computes who the draw picks, then lets a validator stake, top up, exit or
    ///      withdraw (the caller's move once it knows the seed), then draws: the pick must not have changed.
    function steerDraw(uint256 leaseSeed, uint256 validatorSeed, uint8 move, uint256 amount) external {
        ++calls;
        uint256 id = _waitingForADraw(leaseSeed);
        if (id == 0) return;
        IVerificationManager.Verification memory v = verifier.getVerification(id);
        if (block.number <= v.drawBlock) vm.roll(v.drawBlock + 1);
        if (blockhash(v.drawBlock) == bytes32(0)) return; // stale: the draw re-arms and picks nobody
        uint8 slot = _slotToDraw(id, v);
        address expected = _expectedPick(id, v, slot);
        address who = validators[validatorSeed % validators.length];
        vm.startPrank(who);
        if (move % 3 == 0) try validatorSet.stake(bound(amount, 1, 20_000 ether)) {} catch {}
        else if (move % 3 == 1) try validatorSet.requestExit() {} catch {}
        else try validatorSet.withdraw() {} catch {}
        vm.stopPrank();
        bool pending = v.stage == IVerificationManager.Stage.Pending;
        bytes memory data = pending ? abi.encodeCall(verifier.draw, (id)) : abi.encodeCall(verifier.assign, (id));
        if (!_verifierCall(id, address(0), data)) return;
        IVerificationManager.Assignment memory a = verifier.getAssignment(id);
        address got = slot == 1 ? a.validator1 : slot == 2 ? a.validator2 : a.validator3;
        // A draw that did not sample (or audit) the lease picks nobody; one that did must pick the expected one.
        if (got == address(0) && verifier.getVerification(id).stage != IVerificationManager.Stage.NeedsValidator) return;
        // A committee is drawn whole or not at all: one that found its first member but not its second assigns nobody.
        if (got == address(0) && slot == v.round && v.mode == IVerificationManager.Mode.Exact && v.round == 2) return;
        ++ghostDrawsChecked;
        if (got != expected) ++ghostSteeredDraws;
    }

    /// @dev A verified lease from opening to its result in one step, so that verification games are played often.
    function completeVerified(uint256 clientSeed, uint256 offerSeed, uint256 seconds_, bool tolerance) external {
        ++calls;
        address client = clients[clientSeed % clients.length];
        uint256 before = xpl.balanceOf(client);
        vm.prank(client);
        try market.openLease(
            IComputeMarket.OpenLeaseParams({
                offerId: offerIds[offerSeed % offerIds.length],
                gpus: 1,
                maxSeconds: uint32(bound(seconds_, 60, 1 days)),
                maxPricePerGpuSecond: type(uint96).max,
                specHash: bytes32(0),
                builder: address(0),
                verification: tolerance ? IVerificationManager.Mode.Tolerance : IVerificationManager.Mode.Exact
            })
        ) returns (uint256 id) {
            ghostEscrowIn[id] = before - xpl.balanceOf(client);
            IComputeMarket.Lease memory l = market.getLease(id);
            vm.prank(l.provider);
            try market.startLease(id) {} catch {
                return;
            }
            vm.warp(block.timestamp + 30);
            _track(id, l, l.provider, abi.encodeCall(market.completeLease, (id, keccak256(abi.encode(id, reported(id), salt(id))))));
        } catch {}
    }

    function _waitingForADraw(uint256 seed) private view returns (uint256) {
        uint256 count = market.leaseCount();
        for (uint256 i; i < count; ++i) {
            uint256 id = ((seed % (count == 0 ? 1 : count) + i) % count) + 1;
            IVerificationManager.Stage stage = verifier.getVerification(id).stage;
            if (stage == IVerificationManager.Stage.Pending || stage == IVerificationManager.Stage.NeedsValidator) return id;
        }
        return 0;
    }

    /// @dev The first validator slot the lease's next draw fills: the round's, or an exact-mode dispute committee's
    ///      third when its second kept its place.
    function _slotToDraw(uint256 id, IVerificationManager.Verification memory v) private view returns (uint8) {
        bool committee = v.mode == IVerificationManager.Mode.Exact && v.round == 2;
        return committee && verifier.getAssignment(id).validator2 != address(0) ? 3 : v.round;
    }

    /// @dev The validator the lease's next draw picks, computed as the verification manager seeds it.
    function _expectedPick(uint256 id, IVerificationManager.Verification memory v, uint8 slot) private view returns (address) {
        IComputeMarket.Lease memory l = market.getLease(id);
        IVerificationManager.Assignment memory a = verifier.getAssignment(id);
        address[] memory excluded = new address[](5);
        (excluded[0], excluded[1], excluded[2], excluded[3], excluded[4]) =
            (l.provider, l.client, a.validator1, a.validator2, a.validator3);
        bytes32 seed = keccak256(abi.encode(blockhash(v.drawBlock), id, slot, "validator"));
        return validatorSet.pick(v.drawBlock, seed, excluded);
    }

    // ---------------------------------------------------------------- rewards timing (issue #16 item 5)
    // A reward goes only to stake present in its epoch. `owner` plays a just-in-time delegator: it delegates only
    // here, right after an epoch ends, and distributes in the same step. Ghosts count every breach.

    /// @dev The epoch of the owner's first delegation to each provider (+1; 0: none yet). It never undelegates.
    mapping(address provider => uint256) public ghostJitSince;
    /// @dev Rewards of an epoch paid to the owner's delegation although it arrived in that epoch or later.
    uint256 public ghostRewardsToLateStake;
    /// @dev Stake or shares arriving after an epoch that changed the stake its reward is split by.
    uint256 public ghostLateStakeCounted;
    uint256 public ghostJitDistributions;

    /// @dev The just-in-time delegator: the fixture's `owner` (its XPL is already counted as held).
    address public constant JIT_DELEGATOR = address(0x0A11);

    function jitDelegateAndDistribute(uint256 providerSeed, uint256 amount) external {
        ++calls;
        address p = providers[providerSeed % providers.length];
        _endEpochWithWork(p);
        (uint256 ownBefore, uint256 delegatedBefore, uint256 ended, bool check) = _rewardStakeOfEndedEpoch(p);
        vm.startPrank(JIT_DELEGATOR);
        xpl.approve(address(registry), type(uint256).max);
        try registry.delegate(p, bound(amount, 1 ether, 100_000 ether)) {
            if (ghostJitSince[p] == 0) ghostJitSince[p] = rewards.currentEpoch() + 1;
        } catch {}
        vm.stopPrank();
        _checkUnchanged(p, ended, check, ownBefore, delegatedBefore);
        _distributeOldest(p);
    }

    function providerTopUpAndDistribute(uint256 providerSeed, uint256 amount) external {
        ++calls;
        address p = providers[providerSeed % providers.length];
        _endEpochWithWork(p);
        (uint256 ownBefore, uint256 delegatedBefore, uint256 ended, bool check) = _rewardStakeOfEndedEpoch(p);
        vm.prank(p);
        try registry.stake(bound(amount, 1 ether, 100_000 ether)) {} catch {}
        _checkUnchanged(p, ended, check, ownBefore, delegatedBefore);
        _distributeOldest(p);
    }

    /// @dev The attack's moment: when `p` has work in the epoch now, go to the first second after it.
    function _endEpochWithWork(address p) private {
        uint256 current = rewards.currentEpoch();
        if (rewards.getWork(current, p).gpuSeconds > 0) vm.warp(rewards.epochEndsAt(current));
    }

    /// @dev The split of the epoch that just ended, if it has undistributed work of `p`.
    function _rewardStakeOfEndedEpoch(address p) private view returns (uint256 own, uint256 delegated, uint256 ended, bool check) {
        uint256 current = rewards.currentEpoch();
        if (current == 0) return (0, 0, 0, false);
        ended = current - 1;
        IRewardsDistributor.Work memory w = rewards.getWork(ended, p);
        check = w.gpuSeconds > 0 && !w.distributed;
        if (check) (own, delegated) = rewards.rewardStake(p, ended);
    }

    function _checkUnchanged(address p, uint256 ended, bool check, uint256 own, uint256 delegated) private {
        if (!check) return;
        (uint256 ownAfter, uint256 delegatedAfter) = rewards.rewardStake(p, ended);
        // A delegation mints floor(amount × shares / assets) shares, so the pool's rate can move by rounding and the
        // stake already there be valued 1 wei differently (the deep profile found it); more than that is counted.
        uint256 drift = delegatedAfter > delegated ? delegatedAfter - delegated : delegated - delegatedAfter;
        if (ownAfter != own || drift > 1) ++ghostLateStakeCounted;
    }

    /// @dev Distributes `p`'s oldest ended epoch and books what the late delegator got from it.
    function _distributeOldest(address p) private {
        uint256 epoch = rewards.firstUndistributedEpoch(p);
        if (epoch >= rewards.currentEpoch()) return;
        uint256 before = registry.getDelegation(p, JIT_DELEGATOR).rewards;
        try rewards.distribute(epoch, p) {
            ++ghostJitDistributions;
            uint256 since = ghostJitSince[p];
            bool absent = since == 0 || epoch + 1 <= since; // arrived in `epoch` (since - 1 == epoch) or later
            if (absent && registry.getDelegation(p, JIT_DELEGATOR).rewards > before) ++ghostRewardsToLateStake;
        } catch {}
    }
}
