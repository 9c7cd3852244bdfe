// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IProtocolParameters} from "../interfaces/IProtocolParameters.sol";

/// @title ProtocolParameters
/// @notice Holds every protocol parameter with hard bounds. The owner (a timelock once governance is
///         live) can move a value only inside its bounds, so a fee can never exceed its cap.
contract ProtocolParameters is IProtocolParameters, Ownable2Step {
    bytes32 public constant PROTOCOL_FEE_BPS = "protocolFeeBps";
    bytes32 public constant BUILDER_SHARE_BPS = "builderShareBps";
    bytes32 public constant NO_SHOW_PENALTY_BPS = "noShowPenaltyBps";
    bytes32 public constant START_DEADLINE = "startDeadline";
    bytes32 public constant NO_SHOW_PENALTY_CAP = "noShowPenaltyCap";
    bytes32 public constant NO_SHOW_BACKING_CAP_BPS = "noShowBackingCapBps";
    bytes32 public constant NO_SHOW_CLIENT_SHARE_BPS = "noShowClientShareBps";
    bytes32 public constant MIN_PROVIDER_STAKE = "minProviderStake";
    bytes32 public constant UNBONDING_PERIOD = "unbondingPeriod";
    bytes32 public constant EMISSION_PER_EPOCH = "emissionPerEpoch";
    bytes32 public constant REWARD_FEE_CAP_BPS = "rewardFeeCapBps";
    bytes32 public constant SAMPLING_RATE_BPS = "samplingRateBps";
    bytes32 public constant VERIFICATION_FEE_BPS = "verificationFeeBps";
    bytes32 public constant COLLATERAL_RATIO_BPS = "collateralRatioBps";
    bytes32 public constant VERIFICATION_WINDOW = "verificationWindow";
    bytes32 public constant VALIDATOR_SLASH_BPS = "validatorSlashBps";
    bytes32 public constant BOUNTY_BPS = "bountyBps";
    bytes32 public constant MIN_VALIDATOR_STAKE = "minValidatorStake";
    bytes32 public constant MISSED_WINDOW_PENALTY = "missedWindowPenalty";
    bytes32 public constant TOLERANCE_AUDIT_BPS = "toleranceAuditBps";
    bytes32 public constant CHANNEL_CHALLENGE_PERIOD = "channelChallengePeriod";

    uint256 public constant MAX_PROTOCOL_FEE_BPS = 2_000; // 20 %
    uint256 public constant MAX_BUILDER_SHARE_BPS = 10_000; // all of the fee
    uint256 public constant MAX_NO_SHOW_PENALTY_BPS = 5_000; // half of the lease's value
    uint256 public constant MIN_START_DEADLINE = 1 minutes;
    uint256 public constant MAX_START_DEADLINE = 1 days;
    // A no-show penalty is bounded three ways (share of the lease, absolute cap, share of the provider's
    // slashable XPL), and the client, who can trigger it, never gets more than half of it.
    uint256 public constant MAX_NO_SHOW_PENALTY_CAP = 100_000 ether;
    uint256 public constant MAX_NO_SHOW_BACKING_CAP_BPS = 2_000; // a fifth of what the provider can lose
    uint256 public constant MAX_NO_SHOW_CLIENT_SHARE_BPS = 5_000;
    uint256 public constant MAX_MIN_PROVIDER_STAKE = 10_000_000 ether;
    // Unbonding must outlast the longest start deadline, so a no-show penalty can always be slashed.
    uint256 public constant MIN_UNBONDING_PERIOD = 1 days;
    uint256 public constant MAX_UNBONDING_PERIOD = 60 days;
    uint256 public constant MAX_EMISSION_PER_EPOCH = 10_000_000 ether;
    // A provider's epoch reward is at most this share of the protocol fee its work paid. Below 100 %,
    // leasing one's own offers to farm rewards always costs more than it earns, whatever governance votes.
    uint256 public constant MAX_REWARD_FEE_CAP_BPS = 9_000;
    uint256 public constant MAX_SAMPLING_RATE_BPS = 5_000;
    uint256 public constant MAX_VERIFICATION_FEE_BPS = 5_000;
    uint256 public constant MAX_COLLATERAL_RATIO_BPS = 500_000; // 50x
    uint256 public constant MIN_VERIFICATION_WINDOW = 1 minutes;
    // The steps of a disputed verification (about six windows) must fit well inside the shortest
    // unbonding period, so a provider cannot withdraw its stake before its verification ends.
    uint256 public constant MAX_VERIFICATION_WINDOW = 2 hours;
    uint256 public constant MAX_MIN_VALIDATOR_STAKE = 10_000_000 ether;
    uint256 public constant MAX_MISSED_WINDOW_PENALTY = 100_000 ether;
    // Tolerance-mode matches are always audited sometimes: without audits a validator is paid for never re-executing.
    uint256 public constant MIN_TOLERANCE_AUDIT_BPS = 500;
    uint256 public constant MIN_CHANNEL_CHALLENGE_PERIOD = 1 minutes;
    uint256 public constant MAX_CHANNEL_CHALLENGE_PERIOD = 7 days;

    /// @notice How long a harsher change waits, beyond the unbonding period in force when it is set: whoever
    ///         disagrees can unstake (or undelegate, or exit as a validator) at once and be out before it applies.
    uint256 public constant HARSHER_CHANGE_NOTICE = 1 days;

    MarketParams private _market;
    StakingParams private _staking;
    RewardParams private _rewards;
    VerificationParams private _verification;
    ChannelParams private _channels;
    mapping(bytes32 name => ScheduledChange) private _scheduled;

    /// @param owner_ Account allowed to change parameters (handed to the timelock by governance).
    /// @param treasury_ Receiver of protocol fees.
    constructor(address owner_, address treasury_) Ownable(owner_) {
        if (treasury_ == address(0)) revert ParamsZeroAddress();
        _market = MarketParams({
            protocolFeeBps: 500, // 5 %
            builderShareBps: 2_000, // 20 % of the fee
            noShowPenaltyBps: 1_000, // 10 % of the lease's escrow
            startDeadline: 10 minutes,
            treasury: treasury_,
            noShowClientShareBps: 2_000, // 20 % of the penalty to the client, 80 % to the treasury
            noShowBackingCapBps: 500, // at most 5 % of the provider's slashable XPL per no-show
            noShowPenaltyCap: 1_000 ether
        });
        _staking = StakingParams({minProviderStake: 1_000 ether, unbondingPeriod: 7 days});
        _rewards = RewardParams({emissionPerEpoch: 50_000 ether, rewardFeeCapBps: 5_000});
        // Cheating on a lease worth V that saves C <= V loses money when p·(V + S) > C: at p = 10 % the
        // slashable stake S behind a lease must be at least 9 V, hence 10x collateral (npm run sim:trust).
        _verification = VerificationParams({
            samplingRateBps: 1_000,
            verificationFeeBps: 1_000,
            collateralRatioBps: 100_000,
            verificationWindow: 1 hours,
            validatorSlashBps: 5_000,
            bountyBps: 1_000,
            minValidatorStake: 10_000 ether,
            missedWindowPenalty: 100 ether,
            // A validator that attests tolerance-mode matches without re-executing is audited (and slashed) on
            // one match in five: it loses more than it saves once its stake exceeds ~4 fees.
            toleranceAuditBps: 2_000
        });
        _channels = ChannelParams({challengePeriod: 1 hours});
        emit TreasuryChanged(address(0), treasury_);
    }

    /// @inheritdoc IProtocolParameters
    function setParameter(bytes32 name, uint256 value) external onlyOwner {
        (uint256 min, uint256 max) = bounds(name);
        if (value < min || value > max) revert ParamsOutOfBounds(name, value, min, max);
        if (isHarsher(name, value)) {
            // Governance can make the rules harsher, but never for stake that had no time to leave.
            uint64 appliesAt = uint64(block.timestamp + _staking.unbondingPeriod + HARSHER_CHANGE_NOTICE);
            _scheduled[name] = ScheduledChange({value: uint192(value), appliesAt: appliesAt}); // value <= max fits
            emit ParameterChangeScheduled(name, value, appliesAt);
            return;
        }
        delete _scheduled[name]; // a milder change replaces a harsher one still waiting
        _set(name, value);
    }

    /// @inheritdoc IProtocolParameters
    function applyParameter(bytes32 name) external {
        ScheduledChange memory change = _scheduled[name];
        if (change.appliesAt == 0) revert ParamsNothingScheduled(name);
        if (block.timestamp < change.appliesAt) revert ParamsChangeNotDue(name, change.appliesAt);
        delete _scheduled[name];
        _set(name, change.value);
    }

    /// @inheritdoc IProtocolParameters
    function scheduledChange(bytes32 name) external view returns (uint256 value, uint256 appliesAt) {
        ScheduledChange memory change = _scheduled[name];
        return (change.value, change.appliesAt);
    }

    /// @inheritdoc IProtocolParameters
    function isHarsher(bytes32 name, uint256 value) public view returns (bool) {
        uint256 current = parameter(name);
        // The unbonding period measures every other notice (and the no-show allowance's period): a cut applied at
        // once would shorten the notice of a harsher change scheduled right after it, so it waits too.
        if (name == UNBONDING_PERIOD) return value != current;
        if (value > current) {
            return name == NO_SHOW_PENALTY_BPS || name == NO_SHOW_PENALTY_CAP || name == NO_SHOW_BACKING_CAP_BPS
                || name == VALIDATOR_SLASH_BPS || name == MISSED_WINDOW_PENALTY || name == COLLATERAL_RATIO_BPS;
        }
        // Less time to act makes an honest but slow provider or validator miss a step, and lose for it.
        return value < current && (name == VERIFICATION_WINDOW || name == CHANNEL_CHALLENGE_PERIOD);
    }

    function _set(bytes32 name, uint256 value) private {
        uint256 old = parameter(name);
        // Each cast below is safe: `max` of every parameter fits its field's type.
        if (name == PROTOCOL_FEE_BPS) _market.protocolFeeBps = uint16(value);
        else if (name == BUILDER_SHARE_BPS) _market.builderShareBps = uint16(value);
        else if (name == NO_SHOW_PENALTY_BPS) _market.noShowPenaltyBps = uint16(value);
        else if (name == START_DEADLINE) _market.startDeadline = uint32(value);
        else if (name == NO_SHOW_PENALTY_CAP) _market.noShowPenaltyCap = uint128(value);
        else if (name == NO_SHOW_BACKING_CAP_BPS) _market.noShowBackingCapBps = uint16(value);
        else if (name == NO_SHOW_CLIENT_SHARE_BPS) _market.noShowClientShareBps = uint16(value);
        else if (name == MIN_PROVIDER_STAKE) _staking.minProviderStake = uint128(value);
        else if (name == UNBONDING_PERIOD) _staking.unbondingPeriod = uint32(value);
        else if (name == EMISSION_PER_EPOCH) _rewards.emissionPerEpoch = uint128(value);
        else if (name == REWARD_FEE_CAP_BPS) _rewards.rewardFeeCapBps = uint16(value);
        else if (name == SAMPLING_RATE_BPS) _verification.samplingRateBps = uint16(value);
        else if (name == VERIFICATION_FEE_BPS) _verification.verificationFeeBps = uint16(value);
        else if (name == COLLATERAL_RATIO_BPS) _verification.collateralRatioBps = uint32(value);
        else if (name == VERIFICATION_WINDOW) _verification.verificationWindow = uint32(value);
        else if (name == VALIDATOR_SLASH_BPS) _verification.validatorSlashBps = uint16(value);
        else if (name == BOUNTY_BPS) _verification.bountyBps = uint16(value);
        else if (name == MIN_VALIDATOR_STAKE) _verification.minValidatorStake = uint128(value);
        else if (name == MISSED_WINDOW_PENALTY) _verification.missedWindowPenalty = uint128(value);
        else if (name == TOLERANCE_AUDIT_BPS) _verification.toleranceAuditBps = uint16(value);
        else _channels.challengePeriod = uint32(value); // bounds() already rejected unknown names
        emit ParameterChanged(name, old, value);
    }

    /// @inheritdoc IProtocolParameters
    function setTreasury(address treasury) external onlyOwner {
        if (treasury == address(0)) revert ParamsZeroAddress();
        emit TreasuryChanged(_market.treasury, treasury);
        _market.treasury = treasury;
    }

    /// @inheritdoc IProtocolParameters
    function parameter(bytes32 name) public view returns (uint256) {
        if (name == PROTOCOL_FEE_BPS) return _market.protocolFeeBps;
        if (name == BUILDER_SHARE_BPS) return _market.builderShareBps;
        if (name == NO_SHOW_PENALTY_BPS) return _market.noShowPenaltyBps;
        if (name == START_DEADLINE) return _market.startDeadline;
        if (name == NO_SHOW_PENALTY_CAP) return _market.noShowPenaltyCap;
        if (name == NO_SHOW_BACKING_CAP_BPS) return _market.noShowBackingCapBps;
        if (name == NO_SHOW_CLIENT_SHARE_BPS) return _market.noShowClientShareBps;
        if (name == MIN_PROVIDER_STAKE) return _staking.minProviderStake;
        if (name == UNBONDING_PERIOD) return _staking.unbondingPeriod;
        if (name == EMISSION_PER_EPOCH) return _rewards.emissionPerEpoch;
        if (name == REWARD_FEE_CAP_BPS) return _rewards.rewardFeeCapBps;
        if (name == SAMPLING_RATE_BPS) return _verification.samplingRateBps;
        if (name == VERIFICATION_FEE_BPS) return _verification.verificationFeeBps;
        if (name == COLLATERAL_RATIO_BPS) return _verification.collateralRatioBps;
        if (name == VERIFICATION_WINDOW) return _verification.verificationWindow;
        if (name == VALIDATOR_SLASH_BPS) return _verification.validatorSlashBps;
        if (name == BOUNTY_BPS) return _verification.bountyBps;
        if (name == MIN_VALIDATOR_STAKE) return _verification.minValidatorStake;
        if (name == MISSED_WINDOW_PENALTY) return _verification.missedWindowPenalty;
        if (name == TOLERANCE_AUDIT_BPS) return _verification.toleranceAuditBps;
        if (name == CHANNEL_CHALLENGE_PERIOD) return _channels.challengePeriod;
        revert ParamsUnknown(name);
    }

    /// @inheritdoc IProtocolParameters
    function bounds(bytes32 name) public pure returns (uint256 min, uint256 max) {
        if (name == PROTOCOL_FEE_BPS) return (0, MAX_PROTOCOL_FEE_BPS);
        if (name == BUILDER_SHARE_BPS) return (0, MAX_BUILDER_SHARE_BPS);
        if (name == NO_SHOW_PENALTY_BPS) return (0, MAX_NO_SHOW_PENALTY_BPS);
        if (name == START_DEADLINE) return (MIN_START_DEADLINE, MAX_START_DEADLINE);
        if (name == NO_SHOW_PENALTY_CAP) return (0, MAX_NO_SHOW_PENALTY_CAP);
        if (name == NO_SHOW_BACKING_CAP_BPS) return (0, MAX_NO_SHOW_BACKING_CAP_BPS);
        if (name == NO_SHOW_CLIENT_SHARE_BPS) return (0, MAX_NO_SHOW_CLIENT_SHARE_BPS);
        if (name == MIN_PROVIDER_STAKE) return (0, MAX_MIN_PROVIDER_STAKE);
        if (name == UNBONDING_PERIOD) return (MIN_UNBONDING_PERIOD, MAX_UNBONDING_PERIOD);
        if (name == EMISSION_PER_EPOCH) return (0, MAX_EMISSION_PER_EPOCH);
        if (name == REWARD_FEE_CAP_BPS) return (0, MAX_REWARD_FEE_CAP_BPS);
        if (name == SAMPLING_RATE_BPS) return (0, MAX_SAMPLING_RATE_BPS);
        if (name == VERIFICATION_FEE_BPS) return (0, MAX_VERIFICATION_FEE_BPS);
        if (name == COLLATERAL_RATIO_BPS) return (0, MAX_COLLATERAL_RATIO_BPS);
        if (name == VERIFICATION_WINDOW) return (MIN_VERIFICATION_WINDOW, MAX_VERIFICATION_WINDOW);
        if (name == VALIDATOR_SLASH_BPS) return (0, 10_000);
        if (name == BOUNTY_BPS) return (0, 10_000);
        if (name == MIN_VALIDATOR_STAKE) return (1 ether, MAX_MIN_VALIDATOR_STAKE);
        if (name == MISSED_WINDOW_PENALTY) return (0, MAX_MISSED_WINDOW_PENALTY);
        if (name == TOLERANCE_AUDIT_BPS) return (MIN_TOLERANCE_AUDIT_BPS, 10_000);
        if (name == CHANNEL_CHALLENGE_PERIOD) return (MIN_CHANNEL_CHALLENGE_PERIOD, MAX_CHANNEL_CHALLENGE_PERIOD);
        revert ParamsUnknown(name);
    }

    /// @inheritdoc IProtocolParameters
    function marketParams() external view returns (MarketParams memory) {
        return _market;
    }

    /// @inheritdoc IProtocolParameters
    function stakingParams() external view returns (StakingParams memory) {
        return _staking;
    }

    /// @inheritdoc IProtocolParameters
    function rewardParams() external view returns (RewardParams memory) {
        return _rewards;
    }

    /// @inheritdoc IProtocolParameters
    function verificationParams() external view returns (VerificationParams memory) {
        return _verification;
    }

    /// @inheritdoc IProtocolParameters
    function channelParams() external view returns (ChannelParams memory) {
        return _channels;
    }
}
