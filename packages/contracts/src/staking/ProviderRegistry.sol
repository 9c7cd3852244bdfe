// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IProtocolParameters} from "../interfaces/IProtocolParameters.sol";
import {ICollateralSource, IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {IRewardsDistributor} from "../interfaces/IRewardsDistributor.sol";

/// @title ProviderRegistry
/// @notice Providers register an endpoint, stake XPL and publish GPU offers. The market reserves and
///         releases offer capacity; the market (no-shows) and the verification manager (failed results) take
///         stake. Which contracts those are is fixed once, at deployment (`setCallers`): nobody, governance
///         included, can name another, so no proposal can slash, reserve capacity or add rewards.
///         Token holders delegate XPL to providers for a share of their rewards and of their risk.
///         XPL held here always equals every provider's stake and unbonding queue, plus every
///         delegation pool's active and unbonding XPL, plus the delegator rewards not yet claimed.
contract ProviderRegistry is IProviderRegistry, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 public constant MAX_ENDPOINT_LENGTH = 256;
    uint256 public constant MAX_ATTRIBUTES_LENGTH = 1024;
    uint256 public constant MAX_LABEL_LENGTH = 64;
    uint256 public constant MAX_COMMISSION_BPS = 10_000;
    uint256 private constant BPS = 10_000;
    uint256 private constant REWARD_PRECISION = 1e36;
    /// @dev A pool whose shares outnumber its wei by more than this is written off by the slash that did it.
    uint256 private constant MAX_SHARES_PER_WEI = 1e9;
    /// @dev Most ended epochs an unstake or undelegation distributes before it goes on (bounds its gas).
    uint256 private constant MAX_EPOCHS_DISTRIBUTED_ON_LEAVE = 64;

    IERC20 public immutable xpl;
    IProtocolParameters public immutable params;
    /// @dev May call `setCallers`, once; no other power.
    address private immutable _deployer;

    mapping(address provider => Provider) private _providers;
    mapping(uint256 offerId => Offer) private _offers;
    uint256 private _offerCount;
    mapping(address provider => DelegationPool) private _pools;
    mapping(address provider => mapping(address delegator => Delegation)) private _delegations;
    uint256 private _delegatorRewards;
    mapping(address provider => mapping(uint32 era => uint256)) private _eraEndRewardPerShare;
    address private _market; // reserves and releases capacity, slashes no-shows, reports locked collateral
    address private _verification; // slashes providers whose results were not reproduced

    /// @dev Stake or shares that arrived in `epoch` (of the pool's `era`): they earn no reward of that epoch, nor
    ///      of any earlier one, so they join the earning stake only once those rewards are all distributed.
    struct Arrivals {
        uint128 amount;
        uint64 epoch;
        uint32 era;
    }

    IRewardsDistributor private _rewardsDistributor;
    mapping(address provider => Arrivals) private _stakeArrivals;
    mapping(address provider => Arrivals) private _shareArrivals;
    /// @dev 1 + the pool's reward per share when the shares that arrived in an (era, epoch) began to earn.
    mapping(address provider => mapping(uint256 eraEpoch => uint256)) private _admittedAtRewardPerShare;

    /// @param xpl_ The XPL token.
    /// @param params_ Where the minimum stake and unbonding period live.
    /// @param deployer Account that names the market, verification manager and rewards distributor, once.
    constructor(IERC20 xpl_, IProtocolParameters params_, address deployer) {
        xpl = xpl_;
        params = params_;
        _deployer = deployer;
    }

    // ---------------------------------------------------------------- providers

    /// @inheritdoc IProviderRegistry
    function register(string calldata endpoint, string calldata attributes) external {
        Provider storage p = _providers[msg.sender];
        if (p.registered) revert RegistryAlreadyRegistered(msg.sender);
        _checkProviderStrings(endpoint, attributes);
        p.registered = true;
        p.endpoint = endpoint;
        p.attributes = attributes;
        emit ProviderRegistered(msg.sender, endpoint, attributes);
    }

    /// @inheritdoc IProviderRegistry
    function updateProvider(string calldata endpoint, string calldata attributes) external {
        Provider storage p = _registered(msg.sender);
        _checkProviderStrings(endpoint, attributes);
        p.endpoint = endpoint;
        p.attributes = attributes;
        emit ProviderUpdated(msg.sender, endpoint, attributes);
    }

    /// @inheritdoc IProviderRegistry
    function stake(uint256 amount) external nonReentrant {
        _stake(amount);
    }

    /// @inheritdoc IProviderRegistry
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        // A front-run permit fails here but leaves the allowance in place, so go on if it suffices.
        try IERC20Permit(address(xpl)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _stake(amount);
    }

    /// @inheritdoc IProviderRegistry
    function requestUnstake(uint256 amount) external {
        Provider storage p = _registered(msg.sender);
        if (amount == 0) revert RegistryZeroAmount();
        _distributeEndedEpochs(msg.sender);
        if (amount > p.stake) revert RegistryUnstakeExceedsStake(msg.sender, amount, p.stake);
        uint128 remaining = p.stake - uint128(amount); // amount <= stake, checked above
        uint256 minimum = params.stakingParams().minProviderStake;
        uint256 backingLeft = uint256(remaining) + _pools[msg.sender].active;
        if (p.activeOffers > 0 && backingLeft < minimum) revert RegistryStakeBelowMinimum(msg.sender, backingLeft, minimum);
        _checkCollateral(msg.sender, backingLeft);
        p.stake = remaining;
        p.unbonding += uint128(amount);
        uint64 releaseAt = uint64(block.timestamp + params.stakingParams().unbondingPeriod);
        p.unbondingReleaseAt = releaseAt;
        emit UnstakeRequested(msg.sender, amount, remaining, p.unbonding, releaseAt);
    }

    /// @inheritdoc IProviderRegistry
    function withdraw() external nonReentrant returns (uint256 amount) {
        Provider storage p = _providers[msg.sender];
        amount = p.unbonding;
        if (amount == 0) revert RegistryNothingToWithdraw(msg.sender);
        if (block.timestamp < p.unbondingReleaseAt) {
            revert RegistryUnbondingNotFinished(msg.sender, p.unbondingReleaseAt, block.timestamp);
        }
        _checkCollateral(msg.sender, _slashable(msg.sender) - amount);
        p.unbonding = 0;
        p.unbondingReleaseAt = 0;
        emit Withdrawn(msg.sender, amount);
        xpl.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- delegation

    /// @inheritdoc IProviderRegistry
    function delegate(address provider, uint256 amount) external nonReentrant {
        _registered(provider);
        if (amount == 0) revert RegistryZeroAmount();
        DelegationPool storage pool = _pools[provider];
        Delegation storage d = _delegations[provider][msg.sender];
        _sync(provider, pool, d);
        uint256 shares = _toShares(amount, pool.active, pool.activeShares, Math.Rounding.Floor);
        if (shares == 0) revert RegistryAmountTooSmall(amount);
        pool.active += SafeCast.toUint128(amount);
        pool.activeShares += SafeCast.toUint128(shares);
        d.shares += uint128(shares); // d.shares <= pool.activeShares, which fits
        _sharesArrived(provider, pool, d, shares);
        emit Delegated(provider, msg.sender, amount, shares);
        xpl.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IProviderRegistry
    function undelegate(address provider, uint256 amount) external {
        if (amount == 0) revert RegistryZeroAmount();
        _distributeEndedEpochs(provider);
        DelegationPool storage pool = _pools[provider];
        Delegation storage d = _delegations[provider][msg.sender];
        _sync(provider, pool, d);
        uint256 shares;
        if (amount == type(uint256).max) {
            shares = d.shares;
            amount = _toAssets(shares, pool.active, pool.activeShares);
        } else {
            // Round the shares burned up, so the pool never pays out more than a delegator's part.
            shares = _toShares(amount, pool.active, pool.activeShares, Math.Rounding.Ceil);
        }
        uint256 delegated = _toAssets(d.shares, pool.active, pool.activeShares);
        if (shares > d.shares || amount == 0) revert RegistryUndelegateExceedsDelegation(provider, msg.sender, amount, delegated);
        uint256 unbondingShares = _toShares(amount, pool.unbonding, pool.unbondingShares, Math.Rounding.Floor);
        if (unbondingShares == 0) revert RegistryAmountTooSmall(amount);
        _checkCollateral(provider, _backing(provider) - amount);
        // Every cast below is safe: the values are parts of pool totals that are uint128.
        pool.active -= uint128(amount);
        pool.activeShares -= uint128(shares);
        d.shares -= uint128(shares);
        _sharesLeft(provider, pool, d, shares);
        pool.unbonding += uint128(amount);
        pool.unbondingShares += SafeCast.toUint128(unbondingShares);
        d.unbondingShares += uint128(unbondingShares);
        uint64 releaseAt = uint64(block.timestamp + params.stakingParams().unbondingPeriod);
        d.releaseAt = releaseAt;
        emit UndelegationRequested(provider, msg.sender, amount, releaseAt);
    }

    /// @inheritdoc IProviderRegistry
    function withdrawDelegation(address provider) external nonReentrant returns (uint256 amount) {
        DelegationPool storage pool = _pools[provider];
        Delegation storage d = _delegations[provider][msg.sender];
        _sync(provider, pool, d);
        uint128 shares = d.unbondingShares;
        if (shares == 0) revert RegistryNothingToWithdraw(msg.sender);
        if (block.timestamp < d.releaseAt) revert RegistryUnbondingNotFinished(msg.sender, d.releaseAt, block.timestamp);
        amount = _toAssets(shares, pool.unbonding, pool.unbondingShares);
        _checkCollateral(provider, _slashable(provider) - amount);
        pool.unbonding -= uint128(amount); // a share's value never exceeds the pool it is part of
        pool.unbondingShares -= shares;
        d.unbondingShares = 0;
        d.releaseAt = 0;
        emit DelegationWithdrawn(provider, msg.sender, amount);
        if (amount > 0) xpl.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IProviderRegistry
    function claimDelegationRewards(address provider) external nonReentrant returns (uint256 amount) {
        DelegationPool storage pool = _pools[provider];
        Delegation storage d = _delegations[provider][msg.sender];
        _sync(provider, pool, d);
        amount = d.rewards;
        if (amount == 0) revert RegistryNothingToClaim(msg.sender);
        d.rewards = 0;
        _delegatorRewards -= amount; // what is owed never exceeds what was added (debts round up)
        emit DelegationRewardsClaimed(provider, msg.sender, amount);
        xpl.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IProviderRegistry
    function setCommission(uint16 commissionBps) external {
        _registered(msg.sender);
        if (commissionBps > MAX_COMMISSION_BPS) revert RegistryCommissionTooHigh(commissionBps);
        DelegationPool storage pool = _pools[msg.sender];
        uint16 current = _commission(pool);
        if (commissionBps <= current) {
            pool.commissionBps = commissionBps;
            pool.pendingCommissionAt = 0;
            pool.pendingCommissionBps = 0;
            emit CommissionChanged(msg.sender, commissionBps);
        } else {
            uint64 effectiveAt = uint64(block.timestamp + params.stakingParams().unbondingPeriod);
            pool.commissionBps = current;
            pool.pendingCommissionBps = commissionBps;
            pool.pendingCommissionAt = effectiveAt;
            emit CommissionRaiseScheduled(msg.sender, commissionBps, effectiveAt);
        }
    }

    /// @inheritdoc IProviderRegistry
    function addDelegatorRewards(address provider, uint256 amount, uint256 epoch) external nonReentrant {
        if (msg.sender != address(_rewardsDistributor)) revert RegistryNotRewardsDistributor(msg.sender);
        DelegationPool storage pool = _pools[provider];
        _admitShares(provider, pool, epoch);
        uint256 earning = _earningShares(provider, pool);
        if (earning == 0) revert RegistryNoDelegators(provider);
        if (amount == 0) revert RegistryZeroAmount();
        pool.rewardPerShare += Math.mulDiv(amount, REWARD_PRECISION, earning);
        _delegatorRewards += amount;
        emit DelegatorRewardsAdded(provider, amount);
        xpl.safeTransferFrom(msg.sender, address(this), amount);
    }

    // ---------------------------------------------------------------- offers

    /// @inheritdoc IProviderRegistry
    function createOffer(OfferInput calldata input) external returns (uint256 offerId) {
        Provider storage p = _registered(msg.sender);
        _checkMinimumStake(msg.sender, _backing(msg.sender));
        if (bytes(input.gpuModel).length == 0) revert RegistryEmptyGpuModel();
        _checkLength(bytes(input.gpuModel).length, MAX_LABEL_LENGTH);
        _checkLength(bytes(input.region).length, MAX_LABEL_LENGTH);
        if (input.vramGb == 0) revert RegistryZeroVram();
        if (input.gpuCount == 0) revert RegistryZeroGpuCount();
        if (input.pricePerGpuSecond == 0) revert RegistryZeroPrice();
        offerId = ++_offerCount;
        _offers[offerId] = Offer({
            provider: msg.sender,
            gpuCount: input.gpuCount,
            gpusInUse: 0,
            vramGb: input.vramGb,
            active: true,
            pricePerGpuSecond: input.pricePerGpuSecond,
            pricePerRequest: 0,
            gpuModel: input.gpuModel,
            region: input.region
        });
        ++p.activeOffers;
        emit OfferCreated(
            offerId, msg.sender, input.gpuModel, input.vramGb, input.gpuCount, input.pricePerGpuSecond, input.region
        );
    }

    /// @inheritdoc IProviderRegistry
    function updateOffer(uint256 offerId, uint96 pricePerGpuSecond, uint16 gpuCount, bool active) external {
        Offer storage o = _offer(offerId);
        if (o.provider != msg.sender) revert RegistryNotOfferOwner(offerId, msg.sender);
        if (pricePerGpuSecond == 0) revert RegistryZeroPrice();
        if (gpuCount == 0) revert RegistryZeroGpuCount();
        if (gpuCount < o.gpusInUse) revert RegistryGpuCountBelowInUse(offerId, gpuCount, o.gpusInUse);
        Provider storage p = _providers[msg.sender];
        if (active && !o.active) {
            _checkMinimumStake(msg.sender, _backing(msg.sender));
            ++p.activeOffers;
        } else if (!active && o.active) {
            --p.activeOffers; // the offer was active, so the count is at least one
        }
        o.pricePerGpuSecond = pricePerGpuSecond;
        o.gpuCount = gpuCount;
        o.active = active;
        emit OfferUpdated(offerId, msg.sender, pricePerGpuSecond, gpuCount, active);
    }

    /// @inheritdoc IProviderRegistry
    function setRequestPrice(uint256 offerId, uint96 pricePerRequest) external {
        Offer storage o = _offer(offerId);
        if (o.provider != msg.sender) revert RegistryNotOfferOwner(offerId, msg.sender);
        o.pricePerRequest = pricePerRequest;
        emit OfferRequestPriceSet(offerId, msg.sender, pricePerRequest);
    }

    // ---------------------------------------------------------------- callers (set once)

    /// @inheritdoc IProviderRegistry
    function setCallers(address market, address verification, IRewardsDistributor distributor) external {
        if (msg.sender != _deployer) revert RegistryNotDeployer(msg.sender);
        if (_market != address(0)) revert RegistryCallersAlreadySet();
        if (market == address(0) || verification == address(0) || address(distributor) == address(0)) {
            revert RegistryZeroCaller();
        }
        _market = market;
        _verification = verification;
        _rewardsDistributor = distributor;
        emit CallersSet(market, verification, address(distributor));
    }

    /// @inheritdoc IProviderRegistry
    function callers() external view returns (address market, address verification, address distributor) {
        return (_market, _verification, address(_rewardsDistributor));
    }

    // ---------------------------------------------------------------- rewards

    /// @inheritdoc IProviderRegistry
    function arrivals(address provider)
        external
        view
        returns (uint256 stakeAmount, uint256 stakeEpoch, uint256 shares, uint256 sharesEpoch)
    {
        Arrivals storage a = _stakeArrivals[provider];
        (stakeAmount, stakeEpoch) = (a.amount, a.epoch);
        Arrivals storage s = _shareArrivals[provider];
        if (s.era == _pools[provider].activeEra) (shares, sharesEpoch) = (s.amount, s.epoch);
    }

    // ---------------------------------------------------------------- market hooks

    /// @inheritdoc IProviderRegistry
    function reserveCapacity(uint256 offerId, uint16 gpus) external returns (address provider, uint96 pricePerGpuSecond) {
        _onlyMarket();
        Offer storage o = _offer(offerId);
        if (!o.active) revert RegistryOfferInactive(offerId);
        provider = o.provider;
        // A provider whose backing was slashed (or undelegated) below the minimum takes no new leases.
        _checkMinimumStake(provider, _backing(provider));
        uint16 available = o.gpuCount - o.gpusInUse; // gpusInUse <= gpuCount is kept by every write
        if (gpus > available) revert RegistryInsufficientCapacity(offerId, gpus, available);
        uint16 inUse = o.gpusInUse + gpus;
        o.gpusInUse = inUse;
        emit CapacityReserved(offerId, gpus, inUse);
        return (provider, o.pricePerGpuSecond);
    }

    /// @inheritdoc IProviderRegistry
    function releaseCapacity(uint256 offerId, uint16 gpus) external {
        _onlyMarket();
        Offer storage o = _offer(offerId);
        if (gpus > o.gpusInUse) revert RegistryReleaseExceedsInUse(offerId, gpus, o.gpusInUse);
        uint16 inUse = o.gpusInUse - gpus;
        o.gpusInUse = inUse;
        emit CapacityReleased(offerId, gpus, inUse);
    }

    /// @inheritdoc IProviderRegistry
    function slash(address provider, uint256 amount, address recipient) external nonReentrant returns (uint256 slashed) {
        if (msg.sender != _market && msg.sender != _verification) revert RegistryNotSlasher(msg.sender);
        Provider storage p = _providers[provider];
        DelegationPool storage pool = _pools[provider];
        uint256 total = _slashable(provider);
        slashed = amount < total ? amount : total;
        if (slashed > 0) {
            uint256[4] memory held = [uint256(p.stake), p.unbonding, pool.active, pool.unbonding];
            uint256[4] memory cut;
            uint256 dust = slashed;
            for (uint256 i; i < 4; ++i) {
                cut[i] = Math.mulDiv(slashed, held[i], total);
                dust -= cut[i];
            }
            // Rounding dust (at most 3 wei) comes from the provider's own buckets first: it is the one at fault.
            for (uint256 i; i < 4 && dust > 0; ++i) {
                uint256 extra = Math.min(dust, held[i] - cut[i]);
                cut[i] += extra;
                dust -= extra;
            }
            // Each cut is at most the uint128 bucket it comes from.
            p.stake -= uint128(cut[0]);
            p.unbonding -= uint128(cut[1]);
            pool.active -= uint128(cut[2]);
            pool.unbonding -= uint128(cut[3]);
            uint256 writtenOff = _writeOffWorthlessShares(provider, pool);
            slashed += writtenOff;
            cut[2] += writtenOff; // the written-off dust is reported with the active part
            if (cut[2] + cut[3] > 0) emit DelegationsSlashed(provider, cut[2], cut[3]);
        }
        emit Slashed(provider, recipient, slashed, p.stake, p.unbonding);
        if (slashed > 0) xpl.safeTransfer(recipient, slashed);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IProviderRegistry
    function getProvider(address provider) external view returns (Provider memory) {
        return _providers[provider];
    }

    /// @inheritdoc IProviderRegistry
    function getOffer(uint256 offerId) external view returns (Offer memory) {
        return _offer(offerId);
    }

    /// @inheritdoc IProviderRegistry
    function offerCount() external view returns (uint256) {
        return _offerCount;
    }

    /// @inheritdoc IProviderRegistry
    function backing(address provider) external view returns (uint256) {
        return _backing(provider);
    }

    /// @inheritdoc IProviderRegistry
    function lockedCollateral(address provider) external view returns (uint256) {
        return _locked(provider);
    }

    /// @inheritdoc IProviderRegistry
    function slashable(address provider) external view returns (uint256) {
        return _slashable(provider);
    }

    /// @inheritdoc IProviderRegistry
    function commissionOf(address provider) external view returns (uint16) {
        return _commission(_pools[provider]);
    }

    /// @inheritdoc IProviderRegistry
    function getDelegationPool(address provider) external view returns (DelegationPool memory pool) {
        pool = _pools[provider];
        pool.commissionBps = _commission(_pools[provider]);
    }

    /// @inheritdoc IProviderRegistry
    function getDelegation(address provider, address delegator) external view returns (DelegationInfo memory info) {
        DelegationPool storage pool = _pools[provider];
        Delegation storage d = _delegations[provider][delegator];
        info.rewards = d.rewards + _pendingRewards(provider, pool, d);
        if (d.activeEra == pool.activeEra) {
            info.shares = d.shares;
            info.stake = _toAssets(d.shares, pool.active, pool.activeShares);
        }
        if (d.unbondingEra == pool.unbondingEra) {
            info.unbonding = _toAssets(d.unbondingShares, pool.unbonding, pool.unbondingShares);
            info.releaseAt = d.releaseAt;
        }
    }

    /// @inheritdoc IProviderRegistry
    function delegatorRewardsHeld() external view returns (uint256) {
        return _delegatorRewards;
    }

    // ---------------------------------------------------------------- internals

    function _stake(uint256 amount) private {
        Provider storage p = _registered(msg.sender);
        if (amount == 0) revert RegistryZeroAmount();
        uint128 newStake = p.stake + SafeCast.toUint128(amount);
        p.stake = newStake;
        _stakeArrived(msg.sender, amount);
        emit Staked(msg.sender, amount, newStake);
        xpl.safeTransferFrom(msg.sender, address(this), amount);
    }

    function _backing(address provider) private view returns (uint256) {
        return uint256(_providers[provider].stake) + _pools[provider].active;
    }

    function _slashable(address provider) private view returns (uint256) {
        Provider storage p = _providers[provider];
        DelegationPool storage pool = _pools[provider];
        return uint256(p.stake) + p.unbonding + pool.active + pool.unbonding;
    }

    function _locked(address provider) private view returns (uint256) {
        address market = _market;
        return market == address(0) ? 0 : ICollateralSource(market).lockedCollateral(provider);
    }

    function _onlyMarket() private view {
        if (msg.sender != _market) revert RegistryNotMarket(msg.sender);
    }

    /// @dev Collateral is locked, not just checked at open: what stays behind a provider after an unstake,
    ///      an undelegation or a withdrawal must still cover its verified leases and pending verifications.
    function _checkCollateral(address provider, uint256 backingAfter) private view {
        uint256 required = _locked(provider);
        if (backingAfter < required) revert RegistryCollateralLocked(provider, backingAfter, required);
    }

    function _commission(DelegationPool storage pool) private view returns (uint16) {
        uint64 at = pool.pendingCommissionAt;
        return at != 0 && block.timestamp >= at ? pool.pendingCommissionBps : pool.commissionBps;
    }

    /// @dev Shares and XPL convert with one virtual share and one virtual wei, so a pool emptied by a
    ///      slash keeps working and an early depositor cannot inflate the share price against later ones.
    function _toShares(uint256 assets, uint256 poolAssets, uint256 poolShares, Math.Rounding rounding)
        private
        pure
        returns (uint256)
    {
        return Math.mulDiv(assets, poolShares + 1, poolAssets + 1, rounding);
    }

    function _toAssets(uint256 shares, uint256 poolAssets, uint256 poolShares) private pure returns (uint256) {
        return Math.mulDiv(shares, poolAssets + 1, poolShares + 1);
    }

    /// @dev Debts round up and accruals down, so delegators together never claim more than was added.
    function _rewardDebt(uint256 shares, uint256 rewardPerShare) private pure returns (uint256) {
        return Math.mulDiv(shares, rewardPerShare, REWARD_PRECISION, Math.Rounding.Ceil);
    }

    /// @dev Rewards accrued since the debt was set; shares of a written-off era earn up to its end only.
    function _pendingRewards(address provider, DelegationPool storage pool, Delegation storage d)
        private
        view
        returns (uint256)
    {
        uint256 perShare =
            d.activeEra == pool.activeEra ? pool.rewardPerShare : _eraEndRewardPerShare[provider][d.activeEra];
        uint256 accrued = Math.mulDiv(d.shares - d.pendingShares, perShare, REWARD_PRECISION);
        uint256 pending = accrued > d.rewardDebt ? accrued - d.rewardDebt : 0;
        if (d.pendingShares > 0) {
            // Shares that arrived earn from the moment the pool let them in.
            uint256 admittedAt = _admittedAtRewardPerShare[provider][_eraEpoch(d.activeEra, d.pendingEpoch)];
            if (admittedAt != 0) pending += Math.mulDiv(d.pendingShares, perShare - (admittedAt - 1), REWARD_PRECISION);
        }
        return pending;
    }

    /// @dev Brings a delegation up to date before any change: accrued rewards become claimable and shares
    ///      of a written-off era are dropped. A caller that then changes the shares resets the debt.
    function _sync(address provider, DelegationPool storage pool, Delegation storage d) private {
        _admitShares(provider, pool, type(uint256).max);
        uint256 pending = _pendingRewards(provider, pool, d);
        if (pending > 0) d.rewards += SafeCast.toUint128(pending);
        if (d.pendingShares > 0 && _admittedAtRewardPerShare[provider][_eraEpoch(d.activeEra, d.pendingEpoch)] != 0) {
            d.pendingShares = 0; // they earn now, and their debt is set below
        }
        if (d.activeEra != pool.activeEra) {
            d.shares = 0;
            d.pendingShares = 0;
            d.activeEra = pool.activeEra;
        }
        if (d.unbondingEra != pool.unbondingEra) {
            d.unbondingShares = 0;
            d.unbondingEra = pool.unbondingEra;
        }
        d.rewardDebt = _rewardDebt(d.shares - d.pendingShares, pool.rewardPerShare);
    }

    // Rewards go to the stake that was there during the epoch that earned them: stake and shares that arrive in an
    // epoch wait (as "arrivals") until that epoch, and every earlier one in which the provider worked, is rewarded.

    /// @dev Whether no reward of `epoch` or earlier can still come in for `provider`: the epoch has ended and the
    ///      oldest epoch whose reward is not distributed yet is a later one.
    function _settled(address provider, uint256 epoch) private view returns (bool) {
        if (address(_rewardsDistributor) == address(0)) return true;
        (uint256 current, uint256 firstUndistributed) = _epochs(provider);
        return epoch < current && firstUndistributed > epoch;
    }

    /// @dev The distributor's current epoch (0 before it is set).
    function _epochNow() private view returns (uint64 current) {
        if (address(_rewardsDistributor) != address(0)) (current,) = _epochs(address(0));
    }

    function _revertRewardsPending(address provider, uint256 epoch) private pure {
        revert RegistryRewardsPending(provider, epoch);
    }

    /// @dev The distributor's epoch now and `provider`'s oldest undistributed one: one call site for both.
    function _epochs(address provider) private view returns (uint64 current, uint256 firstUndistributed) {
        (uint256 now_, uint256 first) = _rewardsDistributor.epochsOf(provider);
        return (uint64(now_), first); // epochs since deployment fit
    }

    /// @dev Stake leaving a provider takes its share of the ended epochs' rewards with it: they are distributed
    ///      first, while it is still there to be counted (otherwise the stake that stays would get its share).
    function _distributeEndedEpochs(address provider) private {
        IRewardsDistributor distributor = _rewardsDistributor;
        if (address(distributor) == address(0)) return;
        (uint64 current, uint256 first) = _epochs(provider);
        if (first >= current) return;
        distributor.distributePending(provider, MAX_EPOCHS_DISTRIBUTED_ON_LEAVE);
        (, first) = _epochs(provider);
        if (first < current) _revertRewardsPending(provider, first); // more than the batch: distribute, then retry
    }

    function _eraEpoch(uint32 era, uint64 epoch) private pure returns (uint256) {
        return (uint256(era) << 64) | epoch;
    }

    /// @dev The pool's shares that earn the next reward added.
    function _earningShares(address provider, DelegationPool storage pool) private view returns (uint256) {
        Arrivals storage s = _shareArrivals[provider];
        return s.amount > 0 && s.era == pool.activeEra ? pool.activeShares - s.amount : pool.activeShares;
    }

    /// @dev Lets the shares that arrived earn, for rewards of epochs after theirs (`beforeEpoch`: the reward about to
    ///      be added, or any), once no reward of their epoch or an earlier one can come in any more.
    function _admitShares(address provider, DelegationPool storage pool, uint256 beforeEpoch) private {
        Arrivals storage s = _shareArrivals[provider];
        if (s.amount == 0) return;
        if (s.era != pool.activeEra) {
            s.amount = 0; // written off with their era
            return;
        }
        if (s.epoch >= beforeEpoch || !_settled(provider, s.epoch)) return;
        _admittedAtRewardPerShare[provider][_eraEpoch(s.era, s.epoch)] = pool.rewardPerShare + 1;
        s.amount = 0;
    }

    /// @dev New shares (already in `d.shares`) wait for the end of the epoch they arrived in, and for its reward.
    function _sharesArrived(address provider, DelegationPool storage pool, Delegation storage d, uint256 shares) private {
        if (address(_rewardsDistributor) != address(0)) {
            uint64 epoch = _epochNow();
            Arrivals storage s = _shareArrivals[provider];
            if (s.amount > 0 && s.epoch != epoch) {
                _revertRewardsPending(provider, s.epoch); // _sync could not let them in: a reward they must not share is to come
            }
            s.amount += uint128(shares); // at most pool.activeShares
            s.epoch = epoch;
            s.era = pool.activeEra;
            d.pendingShares += uint128(shares); // after _sync, earlier pending shares are of this same epoch
            d.pendingEpoch = epoch;
        }
        d.rewardDebt = _rewardDebt(d.shares - d.pendingShares, pool.rewardPerShare);
    }

    /// @dev Shares leaving (already taken from `d.shares`) are the ones that do not earn yet first.
    function _sharesLeft(address provider, DelegationPool storage pool, Delegation storage d, uint256 shares) private {
        uint256 fromPending = Math.min(shares, d.pendingShares);
        if (fromPending > 0) {
            d.pendingShares -= uint128(fromPending);
            _shareArrivals[provider].amount -= uint128(fromPending); // _sync left them in the pool's arrivals
        }
        d.rewardDebt = _rewardDebt(d.shares - d.pendingShares, pool.rewardPerShare);
    }

    /// @dev A provider's new stake does not share the reward of the epoch it arrived in (nor of earlier ones).
    function _stakeArrived(address provider, uint256 amount) private {
        if (address(_rewardsDistributor) == address(0)) return;
        uint64 epoch = _epochNow();
        Arrivals storage a = _stakeArrivals[provider];
        if (a.amount > 0 && a.epoch != epoch) {
            if (!_settled(provider, a.epoch)) _revertRewardsPending(provider, a.epoch);
            a.amount = 0; // every reward it must not share is distributed: it counts in full from now on
        }
        a.amount += uint128(amount); // at most the stake, a uint128
        a.epoch = epoch;
    }

    /// @dev Shares worth (almost) nothing would let the next deposit mint an unbounded number of shares:
    ///      slash the last wei too and start a new era, in which the old shares count for nothing.
    function _writeOffWorthlessShares(address provider, DelegationPool storage pool) private returns (uint256 dust) {
        if (pool.activeShares > 0 && uint256(pool.active) * MAX_SHARES_PER_WEI < pool.activeShares) {
            dust = pool.active;
            _eraEndRewardPerShare[provider][pool.activeEra] = pool.rewardPerShare;
            ++pool.activeEra;
            pool.active = 0;
            pool.activeShares = 0;
        }
        if (pool.unbondingShares > 0 && uint256(pool.unbonding) * MAX_SHARES_PER_WEI < pool.unbondingShares) {
            dust += pool.unbonding;
            ++pool.unbondingEra;
            pool.unbonding = 0;
            pool.unbondingShares = 0;
        }
    }

    function _registered(address provider) private view returns (Provider storage p) {
        p = _providers[provider];
        if (!p.registered) revert RegistryNotRegistered(provider);
    }

    function _offer(uint256 offerId) private view returns (Offer storage o) {
        o = _offers[offerId];
        if (o.provider == address(0)) revert RegistryUnknownOffer(offerId);
    }

    function _checkMinimumStake(address provider, uint256 stakeAmount) private view {
        uint256 minimum = params.stakingParams().minProviderStake;
        if (stakeAmount < minimum) revert RegistryStakeBelowMinimum(provider, stakeAmount, minimum);
    }

    function _checkProviderStrings(string calldata endpoint, string calldata attributes) private pure {
        if (bytes(endpoint).length == 0) revert RegistryEmptyEndpoint();
        _checkLength(bytes(endpoint).length, MAX_ENDPOINT_LENGTH);
        _checkLength(bytes(attributes).length, MAX_ATTRIBUTES_LENGTH);
    }

    function _checkLength(uint256 length, uint256 max) private pure {
        if (length > max) revert RegistryStringTooLong(length, max);
    }
}
