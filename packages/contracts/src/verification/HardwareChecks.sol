// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IHardwareChecks} from "../interfaces/IHardwareChecks.sol";
import {IProtocolParameters} from "../interfaces/IProtocolParameters.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";

/// @title HardwareChecks
/// @notice Assigned, disputable proof-of-GPU checks of offers, with their full history. The validator of a check
///         is drawn from the hash of a block mined after the request, from the validator set as it was before
///         that block, so neither the requester nor the provider chooses it; only that validator can report.
///         A failed report that a re-check overturns costs its validator `missedWindowPenalty` (one re-checker's word
///         is not proof enough for a slash, and nobody earns anything from an overturn), paid to the treasury like
///         a missed window's penalty. This contract holds no XPL between transactions.
contract HardwareChecks is IHardwareChecks, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 private constant BPS = 10_000;
    /// @notice Time from an offer's latest report before a new check may be requested: a provider cannot
    ///         re-request until a friendly validator is drawn, and nobody can make validators check one offer
    ///         over and over. A false failure is answered by a dispute, which this does not delay.
    uint256 public constant MIN_CHECK_INTERVAL = 1 days;
    /// @notice Verification windows a dispute waits for a second validator before it may be closed undecided.
    uint256 public constant DISPUTE_DRAW_WINDOWS = 24;

    IERC20 public immutable xpl;
    IValidatorSet public immutable validators;
    IProviderRegistry public immutable registry;
    IProtocolParameters public immutable params;

    mapping(uint256 offerId => Check) private _checks;
    mapping(uint256 offerId => Report[]) private _reports;

    constructor(IERC20 xpl_, IValidatorSet validators_, IProviderRegistry registry_, IProtocolParameters params_) {
        xpl = xpl_;
        validators = validators_;
        registry = registry_;
        params = params_;
    }

    /// @inheritdoc IHardwareChecks
    function requestCheck(uint256 offerId) external {
        registry.getOffer(offerId); // reverts for an unknown offer
        Check storage c = _checks[offerId];
        if (c.stage == Stage.Disputable && block.timestamp > c.deadline) _closeUndisputed(offerId, c);
        if (c.stage != Stage.None) revert HardwareCheckOpen(offerId, c.stage);
        Report[] storage history = _reports[offerId];
        if (history.length > 0) {
            uint256 nextAt = history[history.length - 1].reportedAt + MIN_CHECK_INTERVAL;
            if (block.timestamp < nextAt) revert HardwareCheckTooSoon(offerId, nextAt);
        }
        c.stage = Stage.NeedsValidator;
        c.drawBlock = uint64(block.number);
        emit CheckRequested(offerId, msg.sender, c.drawBlock);
    }

    /// @inheritdoc IHardwareChecks
    function assign(uint256 offerId) external nonReentrant {
        Check storage c = _stage(offerId, Stage.NeedsValidator);
        if (block.number <= c.drawBlock) revert HardwareCheckTooEarly(offerId, c.drawBlock + 1);
        bytes32 hash = blockhash(c.drawBlock);
        address chosen;
        // An expired hash is never replaced by one the caller already knows: the check waits for the next block's.
        if (hash != bytes32(0)) {
            chosen = validators.pick(c.drawBlock, keccak256(abi.encode(hash, offerId)), _excluded(offerId, c));
        }
        if (chosen == address(0)) {
            c.drawBlock = uint64(block.number);
            // A dispute nobody can re-check must not hold the first validator forever: its fallback clock starts.
            if (c.disputed != 0 && c.deadline == 0) {
                c.deadline = uint40(block.timestamp + DISPUTE_DRAW_WINDOWS * params.verificationParams().verificationWindow);
            }
            emit CheckAwaitingValidator(offerId, uint64(block.number + 1));
            return;
        }
        c.stage = Stage.Assigned;
        c.validator = chosen;
        c.deadline = _windowEnd();
        validators.assign(chosen);
        emit CheckAssigned(offerId, chosen, c.disputed != 0, c.deadline);
    }

    /// @inheritdoc IHardwareChecks
    function report(uint256 offerId, bool passed, bytes32 reportHash) external nonReentrant {
        Check storage c = _stage(offerId, Stage.Assigned);
        if (msg.sender != c.validator) revert HardwareCheckNotAssigned(offerId, msg.sender);
        if (block.timestamp > c.deadline) revert HardwareCheckWindowClosed(offerId, c.deadline);
        bool recheck = c.disputed != 0;
        _reports[offerId].push(
            Report({
                validator: msg.sender,
                reportedAt: uint64(block.timestamp),
                passed: passed,
                recheck: recheck,
                verdict: Verdict.Standing,
                reportHash: reportHash
            })
        );
        emit HardwareChecked(offerId, msg.sender, passed, reportHash);
        if (recheck) return _decide(offerId, c, passed);
        if (passed) {
            validators.release(msg.sender, true);
            return _close(offerId);
        }
        // A failure stands unless the provider disputes it in time; its validator stays answerable until then.
        c.stage = Stage.Disputable;
        c.deadline = _windowEnd();
    }

    /// @inheritdoc IHardwareChecks
    function timeout(uint256 offerId) external nonReentrant {
        Check storage c = _stage(offerId, Stage.Assigned);
        if (block.timestamp <= c.deadline) revert HardwareCheckWindowOpen(offerId, c.deadline);
        address missed = c.validator;
        uint256 penalty = validators.penalize(missed, params.verificationParams().missedWindowPenalty);
        validators.release(missed, false);
        c.stage = Stage.NeedsValidator;
        c.validator = address(0);
        c.deadline = 0;
        c.drawBlock = uint64(block.number);
        emit CheckWindowMissed(offerId, missed, penalty);
        if (penalty > 0) xpl.safeTransfer(_treasury(), penalty);
    }

    /// @inheritdoc IHardwareChecks
    function dispute(uint256 offerId) external {
        Check storage c = _checks[offerId];
        if (c.stage != Stage.Disputable) revert HardwareCheckNotDisputable(offerId);
        if (msg.sender != registry.getOffer(offerId).provider) revert HardwareCheckNotProvider(offerId, msg.sender);
        if (block.timestamp > c.deadline) revert HardwareCheckWindowClosed(offerId, c.deadline);
        uint256 index = _reports[offerId].length - 1; // the failed report that made the check disputable
        _reports[offerId][index].verdict = Verdict.Disputed;
        c.stage = Stage.NeedsValidator;
        c.disputed = uint32(index + 1); // reports are pushed one per transaction, far below 2^32
        c.validator = address(0); // the first validator stays assigned (in the set) until the re-check decides
        c.deadline = 0;
        c.drawBlock = uint64(block.number);
        emit CheckDisputed(offerId, index, _reports[offerId][index].validator);
    }

    /// @inheritdoc IHardwareChecks
    function close(uint256 offerId) external {
        Check storage c = _checks[offerId];
        bool undrawnDispute = c.stage == Stage.NeedsValidator && c.disputed != 0 && c.deadline != 0;
        if (c.stage != Stage.Disputable && !undrawnDispute) revert HardwareCheckWrongStage(offerId, c.stage);
        if (block.timestamp <= c.deadline) revert HardwareCheckWindowOpen(offerId, c.deadline);
        if (c.stage == Stage.Disputable) return _closeUndisputed(offerId, c);
        // No second validator could be drawn: there is no verdict, so the report stands and nobody is slashed.
        uint256 index = c.disputed - 1;
        Report storage disputed = _reports[offerId][index];
        disputed.verdict = Verdict.Standing;
        validators.release(disputed.validator, false);
        emit DisputeDecided(offerId, index, Verdict.Standing, 0);
        _close(offerId);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IHardwareChecks
    function getCheck(uint256 offerId) external view returns (Check memory) {
        return _checks[offerId];
    }

    /// @inheritdoc IHardwareChecks
    function reportCount(uint256 offerId) external view returns (uint256) {
        return _reports[offerId].length;
    }

    /// @inheritdoc IHardwareChecks
    function getReport(uint256 offerId, uint256 index) external view returns (Report memory) {
        return _reports[offerId][index];
    }

    /// @inheritdoc IHardwareChecks
    function latestReport(uint256 offerId) external view returns (bool exists, Report memory last) {
        Report[] storage history = _reports[offerId];
        if (history.length == 0) return (false, last);
        return (true, history[history.length - 1]);
    }

    // ---------------------------------------------------------------- internals

    /// @dev A re-check's report decides the dispute. One re-checker's word is not proof, so an overturn costs the
    ///      failed report's author only a missed-window penalty (to the treasury), and nobody earns anything from
    ///      an overturn: neither the provider nor the re-checker has a reason to claim one falsely.
    function _decide(uint256 offerId, Check storage c, bool passed) private {
        uint256 index = c.disputed - 1;
        Report storage disputed = _reports[offerId][index];
        address first = disputed.validator;
        address second = c.validator;
        uint256 penalty;
        if (passed) {
            disputed.verdict = Verdict.Overturned;
            penalty = validators.penalize(first, params.verificationParams().missedWindowPenalty);
            validators.release(first, false);
        } else {
            disputed.verdict = Verdict.Upheld;
            validators.release(first, true);
        }
        validators.release(second, true);
        emit DisputeDecided(offerId, index, disputed.verdict, penalty);
        _close(offerId);
        if (penalty > 0) xpl.safeTransfer(_treasury(), penalty);
    }

    function _closeUndisputed(uint256 offerId, Check storage c) private {
        validators.release(c.validator, true);
        _close(offerId);
    }

    function _close(uint256 offerId) private {
        delete _checks[offerId];
        emit CheckClosed(offerId);
    }

    /// @dev Never the offer's own provider; in a re-check, not the validator whose report is disputed either.
    function _excluded(uint256 offerId, Check storage c) private view returns (address[] memory excluded) {
        excluded = new address[](c.disputed == 0 ? 1 : 2);
        excluded[0] = registry.getOffer(offerId).provider;
        if (c.disputed != 0) excluded[1] = _reports[offerId][c.disputed - 1].validator;
    }

    function _windowEnd() private view returns (uint40) {
        return uint40(block.timestamp + params.verificationParams().verificationWindow);
    }

    function _treasury() private view returns (address) {
        return params.marketParams().treasury;
    }

    function _stage(uint256 offerId, Stage expected) private view returns (Check storage c) {
        c = _checks[offerId];
        if (c.stage != expected) revert HardwareCheckWrongStage(offerId, c.stage);
    }
}
