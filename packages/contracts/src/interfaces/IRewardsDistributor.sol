// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRewardsDistributor
/// @notice Pays each epoch's XPL emission from the rewards pool to providers, pro rata to the GPU-seconds
///         the market settled for them in that epoch, and never more than a governed share of the
///         protocol fee that work paid (so leasing one's own offers to farm rewards loses money).
interface IRewardsDistributor {
    /// @notice An epoch's totals. `emission` is fixed when the epoch is finalized, after it ends.
    struct Epoch {
        uint96 gpuSeconds; // settled in the epoch, every provider
        uint96 distributedGpuSeconds; // of the providers already rewarded
        uint16 feeCapBps; // the reward cap in force when the epoch was finalized
        bool finalized;
        uint128 emission; // reserved from the pool for this epoch
        uint128 paid; // paid to providers and their delegators so far
    }

    /// @notice One provider's work in one epoch.
    struct Work {
        uint96 gpuSeconds;
        uint128 protocolFees; // protocol fee (the treasury's part) its settled work paid
        bool distributed;
    }

    event EpochFinalized(uint256 indexed epoch, uint256 emission, uint256 gpuSeconds, uint16 feeCapBps);
    event RewardDistributed(
        uint256 indexed epoch, address indexed provider, uint256 reward, uint256 toProvider, uint256 toDelegators
    );
    event EpochClosed(uint256 indexed epoch, uint256 paid, uint256 returnedToPool);
    event RewardsClaimed(address indexed provider, uint256 amount);
    /// @notice Emitted once, when the deployer names the market.
    event MarketSet(address indexed market);

    error RewardsEpochNotEnded(uint256 epoch, uint256 endsAt);
    error RewardsNoWork(uint256 epoch, address provider);
    error RewardsAlreadyDistributed(uint256 epoch, address provider);
    error RewardsNothingToClaim(address account);
    error RewardsZeroEpochLength();
    /// @notice Only the account that deployed the distributor may name the market, once.
    error RewardsNotDeployer(address caller);
    /// @notice The market is named once, at deployment; nobody can change it.
    error RewardsMarketAlreadySet();
    error RewardsZeroMarket();
    /// @notice Only the market records work.
    error RewardsNotMarket(address caller);

    /// @notice Names the market, the only contract that may record work, once and for good. Only the `deployer`
    ///         given to the constructor may call it: nobody, governance included, can later name another recorder.
    function setMarket(address market) external;

    /// @notice The market named by `setMarket` (zero before).
    function market() external view returns (address);

    /// @notice Records GPU-seconds settled for a provider and the protocol fee they paid. Market only (RewardsNotMarket).
    function recordWork(address provider, uint256 gpuSeconds, uint256 protocolFee) external;

    /// @notice Pays a provider's reward for an ended epoch: the commission and its own stake's part to
    ///         its claimable balance, the delegators' part to the registry. Anyone may call it. The split is by
    ///         the stake that was there during the epoch (`rewardStake`): stake or delegations
    ///         that arrive during or after it take no part.
    function distribute(uint256 epoch, address provider) external returns (uint256 reward);

    /// @notice Distributes up to `maxEpochs` of a provider's ended, unrewarded epochs, oldest first.
    function distributePending(address provider, uint256 maxEpochs) external returns (uint256 total);

    /// @notice Distributes the caller's ended epochs (up to `MAX_EPOCHS_PER_CLAIM`) and sends it all it is owed.
    function claim() external returns (uint256 amount);

    /// @notice The epoch a timestamp falls in.
    function epochAt(uint256 timestamp) external view returns (uint256);

    /// @notice The epoch now.
    function currentEpoch() external view returns (uint256);

    /// @notice When an epoch ends (its last second is one before).
    function epochEndsAt(uint256 epoch) external view returns (uint256);

    function getEpoch(uint256 epoch) external view returns (Epoch memory);

    function getWork(uint256 epoch, address provider) external view returns (Work memory);

    /// @notice The oldest epoch in which a provider did work whose reward is not distributed yet
    ///         (`type(uint256).max`: none). Stake arriving later waits for it before it earns.
    function firstUndistributedEpoch(address provider) external view returns (uint256);

    /// @notice The stake that shares `provider`'s reward for `epoch`: its own stake and the XPL its delegators'
    ///         shares are worth, each counting only what was staked or delegated before `epoch` began (and is
    ///         still there; see `IProviderRegistry.arrivals`). Each reward is split by these.
    function rewardStake(address provider, uint256 epoch) external view returns (uint256 ownStake, uint256 delegated);

    /// @notice The epoch now and `firstUndistributedEpoch(provider)`, in one call (for the registry).
    function epochsOf(address provider) external view returns (uint256 current, uint256 firstUndistributed);

    /// @notice Epochs in which a provider did work and that are not yet distributed, oldest first.
    function pendingEpochs(address provider) external view returns (uint256[] memory);

    /// @notice What `distribute(epoch, provider)` would pay now (0 for an epoch that has not ended).
    function previewReward(uint256 epoch, address provider) external view returns (uint256);

    /// @notice XPL a provider can claim now.
    function owed(address provider) external view returns (uint256);

    /// @notice XPL in the pool not reserved for finalized epochs nor owed to providers.
    function available() external view returns (uint256);

    /// @notice XPL reserved for finalized epochs and not yet distributed.
    function reserved() external view returns (uint256);

    /// @notice XPL owed to providers and not yet claimed.
    function totalOwed() external view returns (uint256);
}
