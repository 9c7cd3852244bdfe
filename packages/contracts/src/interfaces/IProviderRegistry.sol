// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRewardsDistributor} from "./IRewardsDistributor.sol";

/// @title ICollateralSource
/// @notice Where the registry learns how much of a provider's backing is locked as collateral.
interface ICollateralSource {
    /// @notice Backing a provider must keep: `collateralRatio × (exposure + pending verification value)`.
    function lockedCollateral(address provider) external view returns (uint256);
}

/// @title IProviderRegistry
/// @notice Providers, their stake and unbonding queue, their GPU offers and the capacity in use.
interface IProviderRegistry {
    /// @notice A provider's record.
    struct Provider {
        bool registered;
        uint128 stake; // active, slashable stake
        uint128 unbonding; // stake waiting for the unbonding period to end; still slashable
        uint64 unbondingReleaseAt; // when `unbonding` may be withdrawn
        uint32 activeOffers; // offers currently accepting leases
        string endpoint; // URL of the provider's HTTP API
        string attributes; // free-form attributes (JSON), e.g. {"country":"DE","tier":"datacenter"}
    }

    /// @notice A GPU offer.
    struct Offer {
        address provider;
        uint16 gpuCount; // GPUs offered
        uint16 gpusInUse; // GPUs reserved by open or running leases
        uint32 vramGb; // memory per GPU
        bool active; // accepting new leases
        uint96 pricePerGpuSecond; // XPL wei per GPU per second
        uint96 pricePerRequest; // XPL wei per request to a service lease's endpoint, paid by channel voucher
        string gpuModel; // e.g. "H100", or "cpu" for CPU-only capacity
        string region; // e.g. "eu-central"
    }

    /// @notice XPL that token holders delegated to a provider. Counted in shares, so that a slash or a
    ///         reward reaches every delegator in proportion to what it has delegated.
    struct DelegationPool {
        uint128 active; // delegated XPL backing the provider; slashable
        uint128 activeShares;
        uint128 unbonding; // delegated XPL on its way out; still slashable, earns nothing
        uint128 unbondingShares;
        uint16 commissionBps; // the provider's cut of its rewards before the rest is shared by stake
        uint16 pendingCommissionBps; // a raise waiting for its delay
        uint64 pendingCommissionAt; // when that raise takes effect (0: none pending)
        uint32 activeEra; // bumped when a slash leaves the active shares worthless: they are written off
        uint32 unbondingEra; // the same for the unbonding shares
        uint256 rewardPerShare; // delegator rewards per active share ever added, scaled by 1e36
    }

    /// @notice One delegator's position with one provider, in shares.
    struct Delegation {
        uint128 shares;
        uint128 unbondingShares;
        uint128 rewards; // settled, not yet claimed
        uint64 releaseAt; // when the unbonding shares may be withdrawn
        uint32 activeEra; // the pool's era its shares belong to
        uint32 unbondingEra;
        uint256 rewardDebt; // on the shares that earn (`shares - pendingShares`)
        uint128 pendingShares; // part of `shares` delegated in `pendingEpoch`: earns only from later epochs' rewards
        uint64 pendingEpoch;
    }

    /// @notice A delegator's position in XPL, as a user reads it.
    struct DelegationInfo {
        uint256 stake; // XPL the active shares are worth now
        uint256 unbonding; // XPL the unbonding shares are worth now
        uint64 releaseAt;
        uint256 rewards; // claimable rewards
        uint256 shares;
    }

    /// @notice What a provider publishes when it creates an offer.
    struct OfferInput {
        string gpuModel;
        uint32 vramGb;
        uint16 gpuCount;
        uint96 pricePerGpuSecond;
        string region;
    }

    event ProviderRegistered(address indexed provider, string endpoint, string attributes);
    event ProviderUpdated(address indexed provider, string endpoint, string attributes);
    event Staked(address indexed provider, uint256 amount, uint256 newStake);
    event UnstakeRequested(address indexed provider, uint256 amount, uint256 newStake, uint256 unbonding, uint64 releaseAt);
    event Withdrawn(address indexed provider, uint256 amount);
    event Slashed(address indexed provider, address indexed recipient, uint256 amount, uint256 newStake, uint256 newUnbonding);
    event OfferCreated(
        uint256 indexed offerId,
        address indexed provider,
        string gpuModel,
        uint32 vramGb,
        uint16 gpuCount,
        uint96 pricePerGpuSecond,
        string region
    );
    event OfferUpdated(uint256 indexed offerId, address indexed provider, uint96 pricePerGpuSecond, uint16 gpuCount, bool active);
    event OfferRequestPriceSet(uint256 indexed offerId, address indexed provider, uint96 pricePerRequest);
    event Delegated(address indexed provider, address indexed delegator, uint256 amount, uint256 shares);
    event UndelegationRequested(address indexed provider, address indexed delegator, uint256 amount, uint64 releaseAt);
    event DelegationWithdrawn(address indexed provider, address indexed delegator, uint256 amount);
    event DelegationsSlashed(address indexed provider, uint256 fromActive, uint256 fromUnbonding);
    event CommissionRaiseScheduled(address indexed provider, uint16 commissionBps, uint64 effectiveAt);
    event CommissionChanged(address indexed provider, uint16 commissionBps);
    event DelegatorRewardsAdded(address indexed provider, uint256 amount);
    event DelegationRewardsClaimed(address indexed provider, address indexed delegator, uint256 amount);
    event CapacityReserved(uint256 indexed offerId, uint16 gpus, uint16 gpusInUse);
    event CapacityReleased(uint256 indexed offerId, uint16 gpus, uint16 gpusInUse);
    /// @notice Emitted once, when the deployer names the contracts that may call the registry's restricted functions.
    event CallersSet(address indexed market, address indexed verification, address indexed distributor);

    error RegistryAlreadyRegistered(address provider);
    error RegistryNotRegistered(address provider);
    error RegistryEmptyEndpoint();
    error RegistryStringTooLong(uint256 length, uint256 max);
    error RegistryZeroAmount();
    error RegistryUnstakeExceedsStake(address provider, uint256 amount, uint256 stake);
    error RegistryStakeBelowMinimum(address provider, uint256 stake, uint256 minimum);
    error RegistryNothingToWithdraw(address provider);
    error RegistryUnbondingNotFinished(address provider, uint64 releaseAt, uint256 nowTimestamp);
    error RegistryUnknownOffer(uint256 offerId);
    error RegistryNotOfferOwner(uint256 offerId, address caller);
    error RegistryEmptyGpuModel();
    error RegistryZeroGpuCount();
    error RegistryZeroVram();
    error RegistryZeroPrice();
    error RegistryGpuCountBelowInUse(uint256 offerId, uint16 gpuCount, uint16 gpusInUse);
    error RegistryOfferInactive(uint256 offerId);
    error RegistryInsufficientCapacity(uint256 offerId, uint16 requested, uint16 available);
    error RegistryReleaseExceedsInUse(uint256 offerId, uint16 gpus, uint16 gpusInUse);
    error RegistryCommissionTooHigh(uint256 commissionBps);
    error RegistryAmountTooSmall(uint256 amount);
    error RegistryUndelegateExceedsDelegation(address provider, address delegator, uint256 amount, uint256 delegated);
    error RegistryNoDelegators(address provider);
    error RegistryNothingToClaim(address account);
    /// @notice Unstaking, undelegating or withdrawing would leave `backingAfter` behind a provider that must
    ///         keep `required` as collateral for its verified leases and pending verifications.
    error RegistryCollateralLocked(address provider, uint256 backingAfter, uint256 required);
    /// @notice Only the account that deployed the registry may name its callers, once.
    error RegistryNotDeployer(address caller);
    /// @notice The callers are named once, at deployment; nobody can change them.
    error RegistryCallersAlreadySet();
    /// @notice Each caller must be a contract address, not zero.
    error RegistryZeroCaller();
    /// @notice Only the market reserves and releases capacity.
    error RegistryNotMarket(address caller);
    /// @notice Only the market (no-shows) and the verification manager (failed results) slash.
    error RegistryNotSlasher(address caller);
    /// @notice Only the rewards distributor adds delegator rewards.
    error RegistryNotRewardsDistributor(address caller);
    /// @notice Stake (or delegations) that arrived at `provider` in `epoch` still wait for a reward of that epoch or an
    ///         earlier one to be distributed, and no more may arrive until it is: call the distributor's
    ///         `distributePending(provider, …)` (anyone may) and retry.
    error RegistryRewardsPending(address provider, uint256 epoch);

    /// @notice Registers the caller as a provider.
    /// @param endpoint URL of the provider's HTTP API (1–256 bytes).
    /// @param attributes Free-form attributes, JSON by convention (at most 1024 bytes).
    function register(string calldata endpoint, string calldata attributes) external;

    /// @notice Changes the caller's endpoint and attributes.
    function updateProvider(string calldata endpoint, string calldata attributes) external;

    /// @notice Adds XPL to the caller's stake; the caller must have approved this contract.
    /// @param amount XPL wei to stake.
    function stake(uint256 amount) external;

    /// @notice Adds XPL to the caller's stake using an EIP-2612 permit instead of an approval.
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Moves stake into the unbonding queue; it stays slashable until withdrawn.
    ///         A new request adds to the queue and restarts its timer. The provider's ended epochs are distributed
    ///         first, so the stake leaving keeps its share of their rewards.
    /// @param amount XPL wei to unstake. A provider with active offers must keep the minimum stake, and
    ///        every provider keeps `lockedCollateral` as backing (RegistryCollateralLocked otherwise).
    function requestUnstake(uint256 amount) external;

    /// @notice Withdraws the unbonded stake once the unbonding period has passed, unless what would remain
    ///         behind the provider (stake, delegations and unbonding queues) fell below `lockedCollateral`
    ///         since the request (after a slash): then it waits until the leases behind the lock end.
    /// @return amount XPL wei sent to the caller.
    function withdraw() external returns (uint256 amount);

    /// @notice Delegates XPL to a provider's stake; it backs the provider (minimum stake), earns a share of
    ///         its rewards after commission and is slashed pro rata with the provider's own stake.
    ///         The caller must have approved this contract.
    function delegate(address provider, uint256 amount) external;

    /// @notice Moves delegated XPL into the unbonding queue: it stops earning, stays slashable and may be
    ///         withdrawn after the unbonding period. A new request restarts the timer. The provider's ended epochs are
    ///         distributed first, so the delegation leaving keeps its share of their rewards (RegistryRewardsPending
    ///         when more than 64 wait: distribute them, then retry). It may not take the
    ///         provider's backing below its `lockedCollateral` (RegistryCollateralLocked).
    /// @param amount XPL wei, or `type(uint256).max` for the whole delegation.
    function undelegate(address provider, uint256 amount) external;

    /// @notice Withdraws the caller's unbonded delegation from `provider` once its period has passed, with the
    ///         same collateral check as `withdraw`.
    /// @return amount XPL wei sent (less than requested if a slash hit it while unbonding).
    function withdrawDelegation(address provider) external returns (uint256 amount);

    /// @notice Sends the caller its rewards from delegating to `provider`.
    function claimDelegationRewards(address provider) external returns (uint256 amount);

    /// @notice Sets the caller's commission on its rewards. A cut applies at once; a raise applies after
    ///         the unbonding period, so delegators can leave before it does.
    function setCommission(uint16 commissionBps) external;

    /// @notice Adds the delegators' part of `provider`'s reward for `epoch`, pulled from the caller. It goes only to
    ///         shares delegated before `epoch` began: shares earn from the rewards of the epoch after the one they
    ///         arrived in. Rewards distributor only; reverts (RegistryNoDelegators) when no share was there in `epoch`.
    function addDelegatorRewards(address provider, uint256 amount, uint256 epoch) external;

    /// @notice Names, once and for good, the only contracts that may call the registry's restricted functions: the
    ///         market (reserves and releases capacity, slashes no-shows, reports the collateral its verified leases
    ///         lock), the verification manager (slashes providers whose results were not reproduced) and the rewards
    ///         distributor (adds delegator rewards; its epochs decide when new stake starts to earn). Only the
    ///         `deployer` given to the constructor may call it, and only once: no one, governance included, can
    ///         later name another slasher. Until it is called, nothing can be slashed and new stake earns at once.
    function setCallers(address market, address verification, IRewardsDistributor distributor) external;

    /// @notice The contracts named by `setCallers` (zero before).
    function callers() external view returns (address market, address verification, address distributor);

    /// @notice Stake and delegation shares that arrived in an epoch and take no part in its reward (nor in earlier
    ///         ones): the provider's own stake added in `stakeEpoch`, and the shares delegated in `sharesEpoch` that
    ///         do not earn yet (they do once the rewards of `sharesEpoch` and before are distributed). The rewards
    ///         distributor splits each epoch's reward by the stake that was there (`IRewardsDistributor.rewardStake`).
    function arrivals(address provider)
        external
        view
        returns (uint256 stakeAmount, uint256 stakeEpoch, uint256 shares, uint256 sharesEpoch);

    /// @notice Publishes a new, active offer. Requires the minimum stake.
    /// @return offerId The new offer's id (ids start at 1).
    function createOffer(OfferInput calldata input) external returns (uint256 offerId);

    /// @notice Changes an offer's price, GPU count and active flag. Running leases keep their price.
    function updateOffer(uint256 offerId, uint96 pricePerGpuSecond, uint16 gpuCount, bool active) external;

    /// @notice Sets what a request to a service lease on this offer costs, on top of its GPU time. Requests are
    ///         paid off chain with PaymentChannels vouchers; 0 means the GPU time pays for them.
    function setRequestPrice(uint256 offerId, uint96 pricePerRequest) external;

    /// @notice Reserves GPUs of an offer for a lease. Market only (RegistryNotMarket).
    /// @return provider The offer's provider.
    /// @return pricePerGpuSecond The offer's current price.
    function reserveCapacity(uint256 offerId, uint16 gpus) external returns (address provider, uint96 pricePerGpuSecond);

    /// @notice Returns GPUs of an offer to the pool when a lease ends. Market only.
    function releaseCapacity(uint256 offerId, uint16 gpus) external;

    /// @notice Takes up to `amount` from everything backing a provider — its stake and unbonding queue and
    ///         its delegators' stake and unbonding queue — the same fraction from each, and sends it to
    ///         `recipient`. Rounding dust comes from the provider's own stake first. A delegation pool left
    ///         worth less than a billionth of a wei per share is slashed out whole (its shares would
    ///         otherwise inflate without bound) and starts a new era. The market and the verification manager only
    ///         (RegistryNotSlasher).
    /// @return slashed The amount actually taken (less than `amount` when the stake runs out).
    function slash(address provider, uint256 amount, address recipient) external returns (uint256 slashed);

    /// @notice Backing the provider must keep while it holds verified leases or leases under verification:
    ///         `collateralRatio × (exposure + pending verification value)`, as the market reports it (0 before
    ///         `setCallers`). `requestUnstake` and `undelegate` may not take the provider's backing
    ///         below it, and `withdraw` and `withdrawDelegation` may not take the provider's stake, delegations
    ///         and unbonding queues together below it.
    function lockedCollateral(address provider) external view returns (uint256);

    /// @notice Everything a slash can take from a provider: its stake and unbonding queue plus its
    ///         delegators' active and unbonding XPL.
    function slashable(address provider) external view returns (uint256);

    /// @notice Returns a provider's record.
    function getProvider(address provider) external view returns (Provider memory);

    /// @notice Returns an offer. Reverts for an unknown id.
    function getOffer(uint256 offerId) external view returns (Offer memory);

    /// @notice The provider's own stake plus the XPL actively delegated to it: what counts for the minimum.
    function backing(address provider) external view returns (uint256);

    /// @notice The commission in effect now.
    function commissionOf(address provider) external view returns (uint16);

    /// @notice Returns a provider's delegation pool.
    function getDelegationPool(address provider) external view returns (DelegationPool memory);

    /// @notice Returns a delegator's position with a provider, in XPL.
    function getDelegation(address provider, address delegator) external view returns (DelegationInfo memory);

    /// @notice XPL held for delegator rewards not yet claimed (including rounding dust).
    function delegatorRewardsHeld() external view returns (uint256);

    /// @notice Number of offers ever created; offer ids run from 1 to this.
    function offerCount() external view returns (uint256);
}
