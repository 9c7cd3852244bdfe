// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IProtocolParameters
/// @notice The one place where every tunable protocol parameter lives. Each value is bounded by
///         constants in the implementation; only the owner (the governance timelock in production)
///         may change them.
interface IProtocolParameters {
    /// @notice Parameters the market reads on every lease, packed into two storage slots.
    struct MarketParams {
        uint16 protocolFeeBps; // share of every payment that goes to the protocol, in basis points
        uint16 builderShareBps; // share of the protocol fee that goes to a lease's builder
        uint16 noShowPenaltyBps; // share of the lease's value slashed from a provider that never starts
        uint32 startDeadline; // seconds a provider has to start an opened lease
        address treasury; // receiver of protocol fees and of most of a no-show penalty
        uint16 noShowClientShareBps; // share of a no-show penalty paid to the client (the rest to the treasury)
        uint16 noShowBackingCapBps; // a no-show penalty is at most this share of what the provider can lose
        uint128 noShowPenaltyCap; // a no-show penalty is at most this much XPL (wei)
    }

    /// @notice Parameters of provider staking.
    struct StakingParams {
        uint128 minProviderStake; // stake needed to publish offers and accept leases
        uint32 unbondingPeriod; // seconds between an unstake request and the withdrawal
    }

    /// @notice Parameters of provider rewards.
    struct RewardParams {
        uint128 emissionPerEpoch; // XPL wei the rewards pool pays out per epoch (at most what it holds)
        uint16 rewardFeeCapBps; // a provider's epoch reward is at most this share of the protocol fee its work paid
    }

    /// @notice Parameters of result verification (sampled re-execution by staked validators).
    struct VerificationParams {
        uint16 samplingRateBps; // chance that a completed lease is re-executed by a validator
        uint16 verificationFeeBps; // paid by the client on top of a verified lease's value, funds validators
        uint32 collateralRatioBps; // backing a provider needs per XPL of verified leases it holds (10x = 100000)
        uint32 verificationWindow; // seconds each party has for each verification step
        uint16 validatorSlashBps; // share of a validator's stake taken when it loses a dispute
        uint16 bountyBps; // share of a slash (after refunds) paid to the parties proven right
        uint128 minValidatorStake; // stake needed to be assigned verifications and hardware challenges
        uint128 missedWindowPenalty; // XPL a validator loses when it misses a verification step
        uint16 toleranceAuditBps; // chance that a tolerance-mode match is re-executed by a second validator
    }

    /// @notice Parameters of pay-per-request payment channels.
    struct ChannelParams {
        uint32 challengePeriod; // seconds a provider has to redeem its last voucher after the client asks to close
    }

    /// @notice A harsher change that waits until `appliesAt`, when anyone may apply it (`applyParameter`).
    struct ScheduledChange {
        uint192 value;
        uint64 appliesAt;
    }

    /// @notice Emitted when a harsher change is set: it applies from `appliesAt` on (`applyParameter`).
    event ParameterChangeScheduled(bytes32 indexed name, uint256 value, uint64 appliesAt);
    /// @notice Emitted when a numeric parameter changes.
    event ParameterChanged(bytes32 indexed name, uint256 oldValue, uint256 newValue);
    /// @notice Emitted when the treasury address changes.
    event TreasuryChanged(address indexed oldTreasury, address indexed newTreasury);

    /// @notice The parameter name is not one this contract knows.
    error ParamsUnknown(bytes32 name);
    /// @notice The value lies outside the parameter's bounds.
    error ParamsOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice The zero address was given where an account is required.
    error ParamsZeroAddress();
    /// @notice No change of this parameter is waiting.
    error ParamsNothingScheduled(bytes32 name);
    /// @notice The change waits until `appliesAt`.
    error ParamsChangeNotDue(bytes32 name, uint64 appliesAt);

    /// @notice Sets a numeric parameter by name, within its bounds. A harsher change (`isHarsher`) does not apply at
    ///         once: it is scheduled for the unbonding period in force plus `HARSHER_CHANGE_NOTICE` later, so that stake
    ///         can leave before a harsher rule reaches it; any other change applies at once (and cancels a harsher
    ///         change of the same parameter still waiting).
    /// @param name The parameter's name as a left-aligned ASCII bytes32 (e.g. "protocolFeeBps").
    /// @param value The new value.
    function setParameter(bytes32 name, uint256 value) external;

    /// @notice Applies a scheduled change once it is due. Anyone may call it.
    function applyParameter(bytes32 name) external;

    /// @notice The change of `name` waiting to apply, and when it may (0, 0: none).
    function scheduledChange(bytes32 name) external view returns (uint256 value, uint256 appliesAt);

    /// @notice Whether setting `name` to `value` makes the rules harsher for stake already there, and so waits (see
    ///         `setParameter`): a raise of what a participant at fault can lose (no-show penalties, validator slashes
    ///         and penalties, the collateral a failed result is slashed by), any change of the unbonding period (a
    ///         raise holds stake longer; a cut would shorten the notice of the next harsher change), or a cut of the
    ///         time a participant has to act (`verificationWindow`, `channelChallengePeriod`).
    function isHarsher(bytes32 name, uint256 value) external view returns (bool);

    /// @notice Sets the address that receives protocol fees.
    /// @param treasury The new treasury; must not be zero.
    function setTreasury(address treasury) external;

    /// @notice Returns a numeric parameter by name.
    /// @param name The parameter's name.
    /// @return value The current value.
    function parameter(bytes32 name) external view returns (uint256 value);

    /// @notice Returns the bounds of a numeric parameter.
    /// @param name The parameter's name.
    /// @return min The smallest allowed value.
    /// @return max The largest allowed value.
    function bounds(bytes32 name) external view returns (uint256 min, uint256 max);

    /// @notice Returns the parameters the market uses, in one call.
    function marketParams() external view returns (MarketParams memory);

    /// @notice Returns the parameters provider staking uses, in one call.
    function stakingParams() external view returns (StakingParams memory);

    /// @notice Returns the parameters the rewards distributor uses, in one call.
    function rewardParams() external view returns (RewardParams memory);

    /// @notice Returns the parameters of result verification, in one call.
    function verificationParams() external view returns (VerificationParams memory);

    /// @notice Returns the parameters of payment channels.
    function channelParams() external view returns (ChannelParams memory);
}
