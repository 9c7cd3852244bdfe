// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IHardwareChecks
/// @notice Proof-of-GPU checks of offers (see @plasma/verify), by validators drawn from the validator set.
///         Anyone may request a check of an offer; a validator is drawn, stake-weighted, from the hash of the
///         request's block; only that validator may report, within the verification window, or it is penalized
///         and another is drawn. Every report is kept. The offer's provider may dispute a failed report once,
///         within the window: a second validator re-checks, and if it passes the offer the first report is
///         overturned and its validator slashed.
interface IHardwareChecks {
    /// @notice Where an offer's open check stands.
    enum Stage {
        None, // no open check: one may be requested
        NeedsValidator, // waiting for a validator to be drawn (from the hash of `drawBlock`)
        Assigned, // the drawn validator must report by `deadline`
        Disputable // the latest report failed the offer: its provider may dispute it until `deadline`
    }

    /// @notice What became of a report.
    enum Verdict {
        Standing, // not disputed (or not yet)
        Disputed, // a second validator is re-checking the offer
        Upheld, // the re-check failed the offer too
        Overturned // the re-check passed the offer: this report was false and its validator slashed
    }

    /// @notice An offer's open check, packed into one slot.
    struct Check {
        Stage stage;
        uint64 drawBlock; // block whose hash draws the validator
        uint40 deadline; // end of the report window (Assigned), of the dispute window (Disputable), or of a re-check's
        // wait for a second validator (NeedsValidator in a dispute, once a draw found nobody; 0 before)
        uint32 disputed; // in a re-check: 1 + index of the report under dispute; 0 otherwise
        address validator; // the validator drawn (Assigned), or the author of the failed report (Disputable)
    }

    /// @notice One report of an offer's history (append-only, except for its verdict).
    struct Report {
        address validator;
        uint64 reportedAt;
        bool passed;
        bool recheck; // the second validator's report in a dispute (not disputable itself)
        Verdict verdict;
        bytes32 reportHash; // sha256 of the validator's report (challenge, timings, verdict)
    }

    event CheckRequested(uint256 indexed offerId, address indexed requester, uint64 drawBlock);
    /// @notice Nobody was drawn (no eligible validator, or the draw block's hash expired); `assign` may be
    ///         retried from block `retryFromBlock`, which draws from the hash of block `retryFromBlock - 1`.
    event CheckAwaitingValidator(uint256 indexed offerId, uint64 retryFromBlock);
    event CheckAssigned(uint256 indexed offerId, address indexed validator, bool recheck, uint40 deadline);
    event HardwareChecked(uint256 indexed offerId, address indexed validator, bool passed, bytes32 reportHash);
    event CheckWindowMissed(uint256 indexed offerId, address indexed validator, uint256 penalty);
    event CheckDisputed(uint256 indexed offerId, uint256 reportIndex, address indexed validator);
    /// @notice A disputed report's re-check decided it. `penalty` is what its validator lost (0 when upheld). `Standing`:
    ///         no second validator could be drawn in time, so there is no verdict and the report stands.
    event DisputeDecided(uint256 indexed offerId, uint256 reportIndex, Verdict verdict, uint256 penalty);
    event CheckClosed(uint256 indexed offerId);

    error HardwareCheckOpen(uint256 offerId, Stage stage);
    error HardwareCheckTooSoon(uint256 offerId, uint256 nextAt);
    error HardwareCheckWrongStage(uint256 offerId, Stage stage);
    error HardwareCheckTooEarly(uint256 offerId, uint256 readyAtBlock);
    error HardwareCheckNotAssigned(uint256 offerId, address caller);
    error HardwareCheckWindowClosed(uint256 offerId, uint40 deadline);
    error HardwareCheckWindowOpen(uint256 offerId, uint40 deadline);
    error HardwareCheckNotProvider(uint256 offerId, address caller);
    error HardwareCheckNotDisputable(uint256 offerId);

    /// @notice Opens a check of an offer, drawn from this block's hash. Anyone; at most one open check per offer,
    ///         and not within `MIN_CHECK_INTERVAL` of its latest report (so a provider cannot re-roll the draw
    ///         until a friendly validator passes it). Closes an undisputed failed report whose window has passed.
    function requestCheck(uint256 offerId) external;

    /// @notice Draws the validator of an offer's check, from the hash of its draw block and the validator set as
    ///         it was before that block, excluding the offer's provider (and, in a re-check, the disputed report's
    ///         validator). Anyone, from the block after the draw block. If that block's hash has expired (256
    ///         blocks), or nobody is eligible, the check waits for the next block's hash instead.
    function assign(uint256 offerId) external;

    /// @notice The assigned validator reports its check, within the window. A pass closes the check; a failure
    ///         stays disputable by the provider for one window. A re-check's report decides the dispute.
    function report(uint256 offerId, bool passed, bytes32 reportHash) external;

    /// @notice The assigned validator missed its window: it loses the missed-window penalty (sent to the treasury)
    ///         and another validator is drawn. Anyone.
    function timeout(uint256 offerId) external;

    /// @notice The offer's provider disputes its latest report, a failure, within the window. Once per report;
    ///         a re-check's failure is final.
    function dispute(uint256 offerId) external;

    /// @notice Closes an undisputed failed report once its dispute window has passed, releasing its validator; or a
    ///         dispute for which no second validator could be drawn within `DISPUTE_DRAW_WINDOWS` windows of the first
    ///         empty draw: undecided, the report stands and its validator is released unslashed. Anyone.
    function close(uint256 offerId) external;

    // ---------------------------------------------------------------- views

    function getCheck(uint256 offerId) external view returns (Check memory);
    /// @notice Reports ever made about the offer.
    function reportCount(uint256 offerId) external view returns (uint256);
    function getReport(uint256 offerId, uint256 index) external view returns (Report memory);
    /// @notice The offer's latest report; `exists` is false when it was never checked.
    function latestReport(uint256 offerId) external view returns (bool exists, Report memory);
}
