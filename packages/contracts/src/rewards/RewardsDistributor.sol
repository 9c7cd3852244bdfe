// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IProtocolParameters} from "../interfaces/IProtocolParameters.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {IRewardsDistributor} from "../interfaces/IRewardsDistributor.sol";

/// @title RewardsDistributor
/// @notice The rewards pool. Each ended epoch gets `emissionPerEpoch` (or what the pool has left), and
///         each provider's part is its share of the epoch's GPU-seconds, capped at `rewardFeeCapBps` of
///         the protocol fee its work paid. What the caps leave over returns to the pool. A reward is split by
///         the stake that was there during its epoch: stake and delegations that arrive later (or in it) take
///         no part, whenever the reward is distributed. XPL held here
///         always equals what is available, plus what finalized epochs reserve, plus what providers are owed.
contract RewardsDistributor is IRewardsDistributor, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 public constant MAX_EPOCHS_PER_CLAIM = 64;
    uint256 private constant BPS = 10_000;

    IERC20 public immutable xpl;
    IProviderRegistry public immutable registry;
    IProtocolParameters public immutable params;
    uint256 public immutable genesis;
    uint256 public immutable epochLength;
    /// @dev May call `setMarket`, once; no other power.
    address private immutable _deployer;
    address private _market; // the only recorder of work, named once

    mapping(uint256 epoch => Epoch) private _epochs;
    mapping(uint256 epoch => mapping(address provider => Work)) private _work;
    mapping(address provider => uint256[]) private _workedEpochs; // ascending
    mapping(address provider => uint256) private _nextWorked; // index of the oldest undistributed one
    mapping(address provider => uint256) private _owed;
    uint256 private _reserved;
    uint256 private _totalOwed;

    /// @param epochLength_ Seconds per epoch; epoch 0 starts at deployment.
    /// @param deployer Names the market (the only recorder of work), once.
    constructor(IERC20 xpl_, IProviderRegistry registry_, IProtocolParameters params_, uint256 epochLength_, address deployer) {
        if (epochLength_ == 0) revert RewardsZeroEpochLength();
        xpl = xpl_;
        registry = registry_;
        params = params_;
        genesis = block.timestamp;
        epochLength = epochLength_;
        _deployer = deployer;
    }

    /// @inheritdoc IRewardsDistributor
    function setMarket(address market_) external {
        if (msg.sender != _deployer) revert RewardsNotDeployer(msg.sender);
        if (_market != address(0)) revert RewardsMarketAlreadySet();
        if (market_ == address(0)) revert RewardsZeroMarket();
        _market = market_;
        emit MarketSet(market_);
    }

    /// @inheritdoc IRewardsDistributor
    function market() external view returns (address) {
        return _market;
    }

    /// @inheritdoc IRewardsDistributor
    function recordWork(address provider, uint256 gpuSeconds, uint256 protocolFee) external {
        if (msg.sender != _market) revert RewardsNotMarket(msg.sender);
        uint256 epoch = currentEpoch();
        Work storage w = _work[epoch][provider];
        if (w.gpuSeconds == 0) _workedEpochs[provider].push(epoch);
        uint96 seconds_ = SafeCast.toUint96(gpuSeconds);
        w.gpuSeconds += seconds_;
        w.protocolFees += SafeCast.toUint128(protocolFee);
        _epochs[epoch].gpuSeconds += seconds_;
    }

    /// @inheritdoc IRewardsDistributor
    function distribute(uint256 epoch, address provider) external nonReentrant returns (uint256) {
        return _distribute(epoch, provider);
    }

    /// @inheritdoc IRewardsDistributor
    function distributePending(address provider, uint256 maxEpochs) external nonReentrant returns (uint256) {
        return _distributePending(provider, maxEpochs);
    }

    /// @inheritdoc IRewardsDistributor
    function claim() external nonReentrant returns (uint256 amount) {
        _distributePending(msg.sender, MAX_EPOCHS_PER_CLAIM);
        amount = _owed[msg.sender];
        if (amount == 0) revert RewardsNothingToClaim(msg.sender);
        _owed[msg.sender] = 0;
        _totalOwed -= amount;
        emit RewardsClaimed(msg.sender, amount);
        xpl.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IRewardsDistributor
    function epochAt(uint256 timestamp) public view returns (uint256) {
        return (timestamp - genesis) / epochLength;
    }

    /// @inheritdoc IRewardsDistributor
    function currentEpoch() public view returns (uint256) {
        return epochAt(block.timestamp);
    }

    /// @inheritdoc IRewardsDistributor
    function epochEndsAt(uint256 epoch) public view returns (uint256) {
        return genesis + (epoch + 1) * epochLength;
    }

    /// @inheritdoc IRewardsDistributor
    function getEpoch(uint256 epoch) external view returns (Epoch memory) {
        return _epochs[epoch];
    }

    /// @inheritdoc IRewardsDistributor
    function getWork(uint256 epoch, address provider) external view returns (Work memory) {
        return _work[epoch][provider];
    }

    /// @inheritdoc IRewardsDistributor
    function firstUndistributedEpoch(address provider) external view returns (uint256) {
        return _firstUndistributed(provider);
    }

    function _firstUndistributed(address provider) private view returns (uint256) {
        uint256[] storage worked = _workedEpochs[provider];
        uint256 i = _nextWorked[provider];
        return i < worked.length ? worked[i] : type(uint256).max;
    }

    /// @inheritdoc IRewardsDistributor
    function rewardStake(address provider, uint256 epoch) public view returns (uint256 ownStake, uint256 delegated) {
        (uint256 stakeAmount, uint256 stakeEpoch, uint256 shares, uint256 sharesEpoch) = registry.arrivals(provider);
        ownStake = registry.getProvider(provider).stake;
        // Own stake that arrived in `epoch` or later was not there; arrivals are taken off first.
        if (stakeAmount > 0 && stakeEpoch >= epoch) ownStake -= Math.min(ownStake, stakeAmount);
        IProviderRegistry.DelegationPool memory pool = registry.getDelegationPool(provider);
        uint256 earning = pool.activeShares;
        // Exactly the shares `addDelegatorRewards(provider, _, epoch)` credits: the registry lets arrivals in then
        // only if they came before `epoch` and no reward of their epoch or an earlier one is left to distribute.
        bool letIn = sharesEpoch < epoch && sharesEpoch < currentEpoch() && _firstUndistributed(provider) > sharesEpoch;
        if (shares > 0 && !letIn) earning -= shares;
        delegated = earning == pool.activeShares
            ? pool.active
            : Math.mulDiv(earning, uint256(pool.active) + 1, uint256(pool.activeShares) + 1); // the registry's rate
    }

    /// @inheritdoc IRewardsDistributor
    function epochsOf(address provider) external view returns (uint256 current, uint256 firstUndistributed) {
        return (currentEpoch(), _firstUndistributed(provider));
    }

    /// @inheritdoc IRewardsDistributor
    function pendingEpochs(address provider) external view returns (uint256[] memory list) {
        uint256[] storage worked = _workedEpochs[provider];
        uint256 start = _nextWorked[provider];
        list = new uint256[](worked.length - start);
        uint256 n;
        for (uint256 i = start; i < worked.length; ++i) {
            if (!_work[worked[i]][provider].distributed) list[n++] = worked[i];
        }
        assembly ("memory-safe") {
            mstore(list, n) // shrink to the epochs found
        }
    }

    /// @inheritdoc IRewardsDistributor
    function previewReward(uint256 epoch, address provider) external view returns (uint256) {
        Work storage w = _work[epoch][provider];
        if (w.gpuSeconds == 0 || w.distributed || epoch >= currentEpoch()) return 0;
        Epoch memory e = _epochs[epoch];
        if (!e.finalized) (e.emission, e.feeCapBps) = _emissionNow();
        return _reward(e, w);
    }

    /// @inheritdoc IRewardsDistributor
    function owed(address provider) external view returns (uint256) {
        return _owed[provider];
    }

    /// @inheritdoc IRewardsDistributor
    function available() public view returns (uint256) {
        return xpl.balanceOf(address(this)) - _reserved - _totalOwed;
    }

    /// @inheritdoc IRewardsDistributor
    function reserved() external view returns (uint256) {
        return _reserved;
    }

    /// @inheritdoc IRewardsDistributor
    function totalOwed() external view returns (uint256) {
        return _totalOwed;
    }

    // ---------------------------------------------------------------- internals

    function _distribute(uint256 epoch, address provider) private returns (uint256 reward) {
        Work storage w = _work[epoch][provider];
        if (w.gpuSeconds == 0) revert RewardsNoWork(epoch, provider);
        if (w.distributed) revert RewardsAlreadyDistributed(epoch, provider);
        Epoch storage e = _finalized(epoch);
        reward = _reward(e, w);
        w.distributed = true;
        _advanceNextWorked(provider);
        e.paid += uint128(reward); // the sum of rewards never exceeds the emission, a uint128
        e.distributedGpuSeconds += w.gpuSeconds;
        _reserved -= reward;
        (uint256 toProvider, uint256 toDelegators) = _split(provider, reward, epoch);
        _owed[provider] += toProvider;
        _totalOwed += toProvider;
        emit RewardDistributed(epoch, provider, reward, toProvider, toDelegators);
        if (e.distributedGpuSeconds == e.gpuSeconds) {
            // Every provider of the epoch is paid: what the caps and rounding left returns to the pool.
            uint256 rest = e.emission - e.paid;
            _reserved -= rest;
            emit EpochClosed(epoch, e.paid, rest);
        }
        if (toDelegators > 0) {
            xpl.forceApprove(address(registry), toDelegators);
            registry.addDelegatorRewards(provider, toDelegators, epoch);
        }
    }


    function _distributePending(address provider, uint256 maxEpochs) private returns (uint256 total) {
        uint256[] storage worked = _workedEpochs[provider];
        uint256 current = currentEpoch();
        // Each distribution moves the index past it (and past any distributed out of order).
        for (uint256 i = _nextWorked[provider]; i < worked.length && maxEpochs > 0; i = _nextWorked[provider]) {
            uint256 epoch = worked[i];
            if (epoch >= current) break;
            total += _distribute(epoch, provider);
            --maxEpochs;
        }
    }

    /// @dev Moves a provider's index to its oldest undistributed epoch (each epoch is passed once).
    function _advanceNextWorked(address provider) private {
        uint256[] storage worked = _workedEpochs[provider];
        uint256 i = _nextWorked[provider];
        while (i < worked.length && _work[worked[i]][provider].distributed) ++i;
        _nextWorked[provider] = i;
    }


    /// @dev Fixes an ended epoch's emission on first use: the governed rate, or what the pool has left.
    function _finalized(uint256 epoch) private returns (Epoch storage e) {
        e = _epochs[epoch];
        if (e.finalized) return e;
        uint256 endsAt = epochEndsAt(epoch);
        if (block.timestamp < endsAt) revert RewardsEpochNotEnded(epoch, endsAt);
        (uint128 emission, uint16 feeCapBps) = _emissionNow();
        e.finalized = true;
        e.emission = emission;
        e.feeCapBps = feeCapBps;
        _reserved += emission;
        emit EpochFinalized(epoch, emission, e.gpuSeconds, feeCapBps);
    }

    /// @dev What an epoch finalized now would get: the governed rate, or what the pool has left, and the cap.
    function _emissionNow() private view returns (uint128 emission, uint16 feeCapBps) {
        IProtocolParameters.RewardParams memory rp = params.rewardParams();
        emission = uint128(Math.min(rp.emissionPerEpoch, available())); // emissionPerEpoch is a uint128
        feeCapBps = rp.rewardFeeCapBps;
    }

    /// @dev The provider's GPU-second share of the emission, at most the capped share of its fees.
    function _reward(Epoch memory e, Work storage w) private view returns (uint256) {
        uint256 share = Math.mulDiv(e.emission, w.gpuSeconds, e.gpuSeconds);
        uint256 cap = Math.mulDiv(w.protocolFees, e.feeCapBps, BPS);
        return Math.min(share, cap);
    }

    /// @dev The provider keeps its commission; the rest is shared between its own stake and its delegators', as
    ///      much of each as was there during `epoch` (what arrived in it or since takes no part).
    function _split(address provider, uint256 reward, uint256 epoch)
        private
        view
        returns (uint256 toProvider, uint256 toDelegators)
    {
        (uint256 ownStake, uint256 delegated) = rewardStake(provider, epoch);
        if (delegated > 0) {
            uint256 afterCommission = reward - Math.mulDiv(reward, registry.commissionOf(provider), BPS);
            toDelegators = Math.mulDiv(afterCommission, delegated, ownStake + delegated);
        }
        toProvider = reward - toDelegators;
    }
}
