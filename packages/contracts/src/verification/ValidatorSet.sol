// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {IProtocolParameters} from "../interfaces/IProtocolParameters.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";

/// @title ValidatorSet
/// @notice Validator stake and draws. Each drawable validator sits in one of at most `MAX_VALIDATORS` slots;
///         every slot keeps, per block, who owned it and its drawable weight. A draw for block `b` reads the
///         slots as they were at the end of block `b - 1`, before `b`'s hash (the seed) existed, so nothing sent
///         once the seed is known (a stake, a top-up, an exit, a slash, a slot taken over) changes who is drawn.
///         XPL held here always equals the sum of the validators' stakes.
contract ValidatorSet is IValidatorSet, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using Checkpoints for Checkpoints.Trace208;

    uint256 private constant BPS = 10_000;
    /// @notice Most validators drawable at once: a draw reads every slot, so this bounds its gas.
    uint256 public constant MAX_VALIDATORS = 128;

    IERC20 public immutable xpl;
    IProtocolParameters public immutable params;
    /// @dev The only account that may name the callers, once.
    address private immutable _deployer;

    address private _verification;
    address private _hardwareChecks;

    mapping(address validator => Validator) private _validators;
    mapping(uint256 slot => Checkpoints.Trace208) private _slotOwner; // address as uint208
    mapping(uint256 slot => Checkpoints.Trace208) private _slotWeight;
    Checkpoints.Trace208 private _slotCount; // slots ever used, per block
    uint256[] private _freeSlots;
    uint256 private _totalStake;

    constructor(IERC20 xpl_, IProtocolParameters params_) {
        xpl = xpl_;
        params = params_;
        _deployer = msg.sender;
    }

    modifier onlyCaller() {
        // Before `setCallers` both are zero, which no sender is.
        if (msg.sender != _verification && msg.sender != _hardwareChecks) revert ValidatorSetNotCaller(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- validators

    /// @inheritdoc IValidatorSet
    function stake(uint256 amount) external nonReentrant {
        if (amount == 0) revert ValidatorSetZeroAmount();
        Validator storage val = _validators[msg.sender];
        if (val.exitAt != 0) revert ValidatorSetExiting(msg.sender);
        uint256 newStake = val.stake + amount;
        uint256 minimum = params.verificationParams().minValidatorStake;
        if (newStake < minimum) revert ValidatorSetStakeBelowMinimum(newStake, minimum);
        val.stake = SafeCast.toUint128(newStake);
        _totalStake += amount;
        if (val.slot == 0) val.slot = SafeCast.toUint32(_takeSlot(msg.sender) + 1);
        _recordWeight(val);
        emit ValidatorStaked(msg.sender, amount, newStake);
        xpl.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IValidatorSet
    function requestExit() external {
        Validator storage val = _validators[msg.sender];
        if (val.slot == 0) revert ValidatorSetNotValidator(msg.sender);
        uint256 slot = val.slot - 1;
        // The slot keeps its owner's history; its weight is 0 from this block on, and a newcomer may take it.
        _slotWeight[slot].push(_now(), 0);
        _freeSlots.push(slot);
        val.slot = 0;
        val.exitAt = uint64(block.timestamp + params.stakingParams().unbondingPeriod);
        emit ValidatorExitRequested(msg.sender, val.exitAt);
    }

    /// @inheritdoc IValidatorSet
    function withdraw() external nonReentrant returns (uint256 amount) {
        Validator storage val = _validators[msg.sender];
        if (val.exitAt == 0 || block.timestamp < val.exitAt || val.openAssignments != 0) {
            revert ValidatorSetExitNotReady(msg.sender, val.exitAt, val.openAssignments);
        }
        amount = val.stake;
        val.stake = 0;
        val.exitAt = 0;
        _totalStake -= amount;
        emit ValidatorWithdrawn(msg.sender, amount);
        if (amount > 0) xpl.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- callers

    /// @inheritdoc IValidatorSet
    function setCallers(address verification_, address hardwareChecks_) external {
        if (msg.sender != _deployer) revert ValidatorSetNotCaller(msg.sender);
        if (_verification != address(0) || _hardwareChecks != address(0)) revert ValidatorSetCallersAlreadySet();
        _verification = verification_;
        _hardwareChecks = hardwareChecks_;
        emit CallersSet(verification_, hardwareChecks_);
    }

    /// @inheritdoc IValidatorSet
    function assign(address validator) external onlyCaller {
        _validators[validator].openAssignments += 1;
    }

    /// @inheritdoc IValidatorSet
    function release(address validator, bool upheld) external onlyCaller {
        Validator storage val = _validators[validator];
        val.openAssignments -= 1;
        if (upheld) val.attested += 1;
    }

    /// @inheritdoc IValidatorSet
    function penalize(address validator, uint256 amount) external onlyCaller nonReentrant returns (uint256 taken) {
        Validator storage val = _validators[validator];
        taken = Math.min(amount, val.stake);
        val.missed += 1;
        _take(val, taken);
        emit ValidatorPenalized(validator, taken);
        if (taken > 0) xpl.safeTransfer(msg.sender, taken);
    }

    /// @inheritdoc IValidatorSet
    function slash(address validator, uint256 bps) external onlyCaller nonReentrant returns (uint256 amount) {
        Validator storage val = _validators[validator];
        amount = (uint256(val.stake) * Math.min(bps, BPS)) / BPS;
        val.disputesLost += 1;
        _take(val, amount);
        emit ValidatorSlashed(validator, amount);
        if (amount > 0) xpl.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- draws

    /// @inheritdoc IValidatorSet
    function pick(uint256 drawBlock, bytes32 seed, address[] calldata excluded) external view returns (address) {
        if (drawBlock > block.number) revert ValidatorSetDrawBlockNotPast(drawBlock, block.number);
        if (drawBlock == 0) return address(0);
        uint48 at = SafeCast.toUint48(drawBlock - 1);
        uint256 minStake = params.verificationParams().minValidatorStake;
        uint256 slots = _slotCount.upperLookupRecent(at);
        // First pass: every eligible slot's owner and weight then, and their total.
        address[] memory owners = new address[](slots);
        uint256[] memory weights = new uint256[](slots);
        uint256 total;
        for (uint256 s; s < slots; ++s) {
            uint256 weight = _slotWeight[s].upperLookupRecent(at);
            if (weight == 0 || weight < minStake) continue;
            address owner = address(uint160(_slotOwner[s].upperLookupRecent(at)));
            if (_contains(excluded, owner)) continue;
            (owners[s], weights[s]) = (owner, weight);
            total += weight;
        }
        if (total == 0) return address(0);
        // Second pass: the slot whose weight interval holds the random point.
        uint256 point = uint256(keccak256(abi.encode(seed, drawBlock))) % total;
        for (uint256 s; s < slots; ++s) {
            if (point < weights[s]) return owners[s];
            point -= weights[s];
        }
        return address(0); // unreachable: the weights sum to `total` > `point`
    }

    /// @inheritdoc IValidatorSet
    function weightAt(address validator, uint256 blockNumber) external view returns (uint256) {
        uint48 at = SafeCast.toUint48(blockNumber);
        uint256 slots = _slotCount.upperLookupRecent(at);
        for (uint256 s; s < slots; ++s) {
            if (address(uint160(_slotOwner[s].upperLookupRecent(at))) != validator) continue;
            uint256 weight = _slotWeight[s].upperLookupRecent(at);
            // A validator holds one live slot at a time; slots it left earlier weigh 0.
            if (weight > 0) return weight;
        }
        return 0;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IValidatorSet
    function verification() external view returns (address) {
        return _verification;
    }

    /// @inheritdoc IValidatorSet
    function hardwareChecks() external view returns (address) {
        return _hardwareChecks;
    }

    /// @inheritdoc IValidatorSet
    function getValidator(address validator) external view returns (Validator memory) {
        return _validators[validator];
    }

    /// @inheritdoc IValidatorSet
    function activeValidators() external view returns (address[] memory list) {
        uint256 slots = _slotCount.latest();
        list = new address[](slots);
        uint256 n;
        for (uint256 s; s < slots; ++s) {
            address owner = address(uint160(_slotOwner[s].latest()));
            if (_validators[owner].slot == s + 1) list[n++] = owner;
        }
        assembly ("memory-safe") {
            mstore(list, n) // trim to the live slots
        }
    }

    /// @inheritdoc IValidatorSet
    function isEligible(address validator) external view returns (bool) {
        Validator storage val = _validators[validator];
        return val.slot != 0 && val.stake >= params.verificationParams().minValidatorStake;
    }

    /// @inheritdoc IValidatorSet
    function totalStake() external view returns (uint256) {
        return _totalStake;
    }

    // ---------------------------------------------------------------- internals

    /// @dev A freed slot if there is one, else a new one; its owner history now names `validator`.
    function _takeSlot(address validator) private returns (uint256 slot) {
        uint256 free = _freeSlots.length;
        if (free > 0) {
            slot = _freeSlots[free - 1];
            _freeSlots.pop();
        } else {
            slot = _slotCount.latest();
            if (slot == MAX_VALIDATORS) revert ValidatorSetFull(MAX_VALIDATORS);
            _slotCount.push(_now(), uint208(slot + 1));
        }
        _slotOwner[slot].push(_now(), uint208(uint160(validator)));
    }

    function _take(Validator storage val, uint256 amount) private {
        val.stake -= uint128(amount); // amount <= stake, checked by the callers above
        _totalStake -= amount;
        if (val.slot != 0) _recordWeight(val);
    }

    /// @dev The validator's drawable weight from this block on: its stake (a uint128, so it fits 208 bits).
    function _recordWeight(Validator storage val) private {
        _slotWeight[val.slot - 1].push(_now(), val.stake);
    }

    function _now() private view returns (uint48) {
        return SafeCast.toUint48(block.number);
    }

    function _contains(address[] calldata list, address account) private pure returns (bool) {
        for (uint256 i; i < list.length; ++i) {
            if (list[i] == account) return true;
        }
        return false;
    }
}
