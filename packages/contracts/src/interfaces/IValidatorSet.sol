// SPDX-License-Identifier: MIT
// A1 changed: no signature changes; added the error ValidatorSetDrawBlockNotPast, the views verification()/hardwareChecks(), and spelled out that penalize/slash do not release.
pragma solidity ^0.8.24;

/// @title IValidatorSet
/// @notice The staked validators that re-execute sampled leases and check offers' hardware. Holds their
///         stake, and draws them stake-weighted from the set as it was before the seed block existed, so no
///         transaction sent once the seed is known (a stake, a top-up, an exit, a slash) changes who is drawn.
///         Only the contracts named once by the deployer (`setCallers`) assign, penalize and slash validators.
interface IValidatorSet {
    /// @notice A validator's stake and record.
    struct Validator {
        uint128 stake; // slashable stake held here
        uint64 exitAt; // 0 while active; when the stake may be withdrawn after an exit request
        uint32 openAssignments; // verifications and hardware checks it is part of that have not ended
        uint32 slot; // 1 + index of its draw slot while active; 0 when not drawable (freed at the exit request)
        uint32 attested; // verdicts that were upheld (and paid)
        uint32 missed; // windows missed
        uint32 disputesLost;
    }

    event ValidatorStaked(address indexed validator, uint256 amount, uint256 stake);
    event ValidatorExitRequested(address indexed validator, uint64 exitAt);
    event ValidatorWithdrawn(address indexed validator, uint256 amount);
    event ValidatorPenalized(address indexed validator, uint256 amount);
    event ValidatorSlashed(address indexed validator, uint256 amount);
    event CallersSet(address verification, address hardwareChecks);

    error ValidatorSetNotCaller(address caller);
    error ValidatorSetCallersAlreadySet();
    error ValidatorSetZeroAmount();
    error ValidatorSetStakeBelowMinimum(uint256 stake, uint256 minimum);
    error ValidatorSetNotValidator(address account);
    error ValidatorSetExiting(address validator);
    error ValidatorSetExitNotReady(address validator, uint64 exitAt, uint32 openAssignments);
    error ValidatorSetFull(uint256 maxValidators);
    /// @notice `pick` reads the set as it was at the end of block `drawBlock - 1`, which must be final:
    ///         `drawBlock` may be at most the current block.
    error ValidatorSetDrawBlockNotPast(uint256 drawBlock, uint256 currentBlock);

    // ---------------------------------------------------------------- validators

    /// @notice Stakes (or tops up) `amount` XPL; the stake counts in draws from the next block on.
    function stake(uint256 amount) external;

    /// @notice Leaves the draw set now (from the next block's draws on); the stake unbonds.
    function requestExit() external;

    /// @notice Withdraws the stake once unbonded and no assignment is open.
    function withdraw() external returns (uint256 amount);

    // ---------------------------------------------------------------- callers (set once)

    /// @notice Names the verification manager and the hardware-check contract. Once, by the deployer.
    function setCallers(address verification, address hardwareChecks) external;

    /// @notice A caller assigned `validator` to a task (blocks its withdrawal until `release`).
    function assign(address validator) external;

    /// @notice A caller's task with `validator` ended; `upheld` counts in its record as an attested verdict.
    ///         Every `assign` needs exactly one `release`, also after a penalty or a slash.
    function release(address validator, bool upheld) external;

    /// @notice Takes up to `amount` of the validator's stake (a missed window), counts it in `missed`, and
    ///         sends it to the caller. Does not release the assignment.
    function penalize(address validator, uint256 amount) external returns (uint256 taken);

    /// @notice Takes `bps` of the validator's stake (a lost dispute), counts it in `disputesLost`, and sends it
    ///         to the caller. Does not release the assignment.
    function slash(address validator, uint256 bps) external returns (uint256 amount);

    /// @notice The verification manager named by `setCallers` (zero before).
    function verification() external view returns (address);

    /// @notice The hardware-check contract named by `setCallers` (zero before).
    function hardwareChecks() external view returns (address);

    // ---------------------------------------------------------------- draws

    /// @notice Draws a validator, stake-weighted, among those drawable at the end of block `drawBlock - 1`
    ///         with at least the minimum stake, other than `excluded`; address(0) when there is none.
    ///         `seed` should be derived from the hash of block `drawBlock` (mixed with the task's id, so that two
    ///         tasks waiting on one block draw independently), unknown before that block was mined.
    ///         Reverts with ValidatorSetDrawBlockNotPast when `drawBlock` is after the current block.
    function pick(uint256 drawBlock, bytes32 seed, address[] calldata excluded) external view returns (address);

    /// @notice The validator's drawable weight (stake while active, 0 after its exit) at the end of `blockNumber`.
    function weightAt(address validator, uint256 blockNumber) external view returns (uint256);

    // ---------------------------------------------------------------- views

    function getValidator(address validator) external view returns (Validator memory);

    /// @notice Validators in the draw set now.
    function activeValidators() external view returns (address[] memory);

    /// @notice Active now with at least the minimum stake.
    function isEligible(address validator) external view returns (bool);

    function totalStake() external view returns (uint256);
}
