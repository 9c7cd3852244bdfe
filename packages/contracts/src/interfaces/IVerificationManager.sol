// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IVerificationManager
/// @notice Sampled re-execution of completed leases by staked validators, with commit–reveal so that a
///         validator cannot copy the provider's answer, a second validator for disputes, slashing of the
///         loser, refunds, reputation counters, and proof-of-GPU hardware checks of offers.
interface IVerificationManager {
    /// @notice How a lease's result is compared, declared by the client when it opens the lease.
    enum Mode {
        None, // never sampled; no verification fee
        Exact, // the validator's output manifest hash must equal the provider's
        Tolerance // numeric outputs equal within the job's atol/rtol, judged by the validator off chain
    }

    /// @notice Where a completed lease stands in verification.
    enum Stage {
        None,
        Pending, // waiting for the sampling draw (from the next block's hash)
        NeedsValidator, // sampled (or disputed): waiting for a validator to be drawn
        Assigned, // the validator must commit to its own result before seeing anything
        Committed, // the provider must reveal the salt of its result commitment
        Revealed, // the validator must attest match or mismatch
        FinalReveal, // both validators said mismatch (exact mode): both must reveal their result hashes
        Released, // not sampled, or no validator could be found: payout released
        Verified, // result reproduced: payout released
        Failed, // result not reproduced: client refunded, provider slashed
        Refunded // disputed, and no second validator could be drawn in time: client refunded, first validator paid
    }

    /// @notice A lease's verification, packed into one slot. Everything else is read from the market.
    struct Verification {
        Mode mode;
        Stage stage;
        uint8 round; // 1: first validator, 2: dispute
        uint64 drawBlock; // block whose hash seeds the next draw
        uint40 deadline; // end of the current step's window
        uint96 locked; // the provider's final payout, held until verification ends
    }

    /// @notice The validators and secrets of a sampled lease (written only when sampled).
    struct Assignment {
        address validator1;
        address validator2;
        bytes32 commit1; // keccak256(abi.encode(leaseId, validator, resultHash, salt))
        bytes32 commit2;
        bytes32 providerSalt; // revealed by the provider after the first commit
        bytes32 result1; // revealed in a final reveal
        bytes32 result2;
        bool saltRevealed;
    }

    /// @notice A validator's stake and record.
    struct Validator {
        uint128 stake;
        uint64 exitAt; // 0 while active; when the stake may be withdrawn after an exit request
        uint32 openAssignments; // verifications it is part of that have not ended
        uint32 slot; // 1 + index in the active list; 0 when not listed
        uint32 attested; // verdicts that were upheld (and paid)
        uint32 missed; // windows missed
        uint32 disputesLost;
    }

    /// @notice A provider's reputation, counted on chain.
    struct Reputation {
        uint32 completed; // leases completed with a result
        uint32 sampled; // of those, drawn for re-execution
        uint32 verified; // reproduced by a validator
        uint32 failed; // not reproduced (or not revealed): slashed
        uint32 disputesLost; // failures decided by a second validator
        uint32 noShows; // leases it did not start by their deadline, cancelled by their client
    }

    /// @notice The latest proof-of-GPU check of an offer.
    struct HardwareCheck {
        bool failed;
        uint64 checkedAt;
        address validator;
        bytes32 reportHash; // sha256 of the validator's report (challenge, timings, verdict)
    }

    event VerificationOpened(uint256 indexed leaseId, address indexed provider, Mode mode, uint256 value, uint256 locked, uint256 fee);
    event LeaseSampled(uint256 indexed leaseId, bool sampled, bytes32 seed);
    event ValidatorAssigned(uint256 indexed leaseId, address indexed validator, uint8 round, uint40 deadline);
    event ResultCommitted(uint256 indexed leaseId, address indexed validator, uint8 round);
    event ProviderSaltRevealed(uint256 indexed leaseId, bytes32 salt);
    event Attested(uint256 indexed leaseId, address indexed validator, uint8 round, bool matched, bytes32 resultHash);
    event ResultRevealed(uint256 indexed leaseId, address indexed validator, bytes32 resultHash);
    event WindowMissed(uint256 indexed leaseId, address indexed party, Stage stage, uint256 penalty);
    event VerificationEnded(
        uint256 indexed leaseId, address indexed provider, Stage outcome, uint256 toProvider, uint256 refund, uint256 slashed
    );
    event ValidatorPaid(uint256 indexed leaseId, address indexed validator, uint256 amount);
    event ValidatorSlashed(uint256 indexed leaseId, address indexed validator, uint256 amount);
    event BountyPaid(uint256 indexed leaseId, address indexed recipient, uint256 amount);
    event ValidatorStaked(address indexed validator, uint256 amount, uint256 stake);
    event ValidatorExitRequested(address indexed validator, uint64 exitAt);
    event ValidatorWithdrawn(address indexed validator, uint256 amount);
    /// @notice A provider missed a lease's start deadline and its client cancelled the lease.
    /// @param noShows The provider's no-show count after this one.
    event NoShowRecorded(uint256 indexed leaseId, address indexed provider, uint32 noShows);
    event HardwareChecked(uint256 indexed offerId, address indexed validator, bool passed, bytes32 reportHash);
    event MarketSet(address market);
    /// @notice A disputed lease found no eligible second validator: its payout stays locked. `assign` may be
    ///         retried from block `retryFromBlock`; if still nobody is drawn by `fallbackAt`, `timeout` refunds the client.
    event DisputeAwaitingValidator(uint256 indexed leaseId, uint64 retryFromBlock, uint40 fallbackAt);

    error VerifyNotMarket(address caller);
    error VerifyMarketAlreadySet();
    error VerifyUnknownLease(uint256 leaseId);
    error VerifyWrongStage(uint256 leaseId, Stage stage);
    error VerifyTooEarly(uint256 leaseId, uint256 readyAtBlock);
    error VerifyWindowOpen(uint256 leaseId, uint40 deadline);
    error VerifyWindowClosed(uint256 leaseId, uint40 deadline);
    error VerifyNotAssigned(uint256 leaseId, address caller);
    error VerifyNotProvider(uint256 leaseId, address caller);
    error VerifyAlreadyRevealed(uint256 leaseId, address validator);
    error VerifyCommitmentMismatch(uint256 leaseId);
    error VerifyNotAMatch(uint256 leaseId);
    error VerifyZeroCommitment();
    error VerifyZeroAmount();
    error VerifyStakeBelowMinimum(uint256 stake, uint256 minimum);
    error VerifyNotValidator(address account);
    error VerifyValidatorExiting(address validator);
    error VerifyExitNotReady(address validator, uint64 exitAt, uint32 openAssignments);

    // ---------------------------------------------------------------- market

    /// @notice Records a lease that ended with a result (completed, or timed out with a result hash) and opens
    ///         its verification. Pulls nothing: the market has already sent `locked + fee`. Market only.
    function onLeaseCompleted(uint256 leaseId, address provider, Mode mode, uint256 value, uint256 locked, uint256 fee) external;

    /// @notice Counts a no-show in the provider's reputation: it did not start lease `leaseId` by its
    ///         deadline and the client cancelled it. Market only.
    function onLeaseNoShow(uint256 leaseId, address provider) external;

    /// @notice Value of a provider's leases still under verification (counts towards its collateral).
    function pendingValue(address provider) external view returns (uint256);

    // ---------------------------------------------------------------- anyone

    /// @notice Draws whether a completed lease is re-executed, from the hash of the block after its
    ///         completion, and assigns a validator if so; or releases the payout if not. Anyone may call,
    ///         from the second block after completion. If nobody draws within 256 blocks the hash is gone
    ///         and the lease counts as sampled, so withholding the draw never helps a provider.
    function draw(uint256 leaseId) external;

    /// @notice Draws a validator for a lease waiting for one (sampled, disputed, or after a missed window),
    ///         from the hash of the block in which it started waiting. Anyone may call from the next block.
    ///         Before any mismatch, releases the payout when no eligible validator exists. In a dispute (a mismatch
    ///         was attested) the payout stays locked: the lease keeps waiting, `assign` may be retried from the
    ///         next block (e.g. once validators have joined), and the fallback clock starts (DisputeAwaitingValidator).
    function assign(uint256 leaseId) external;

    /// @notice Ends a step whose window has passed: a validator that missed it loses the missed-window
    ///         penalty and is replaced; a provider that did not reveal fails; a final reveal is decided
    ///         with what was revealed; a dispute that found no second validator by its fallback time ends
    ///         `Refunded` (the client gets the locked payout back, the first validator its fee, the accused
    ///         provider nothing and no slash). Anyone may call.
    function timeout(uint256 leaseId) external;

    // ---------------------------------------------------------------- validators

    /// @notice Stakes XPL as a validator (first call registers). The caller must have approved it.
    function stakeValidator(uint256 amount) external;

    /// @notice Leaves the validator set; the stake can be withdrawn after the unbonding period once the
    ///         caller's open verifications have ended. It stays slashable until then.
    function requestValidatorExit() external;

    /// @notice Withdraws an exited validator's stake.
    function withdrawValidatorStake() external returns (uint256 amount);

    /// @notice The assigned validator commits to its own result: keccak256(abi.encode(leaseId, validator,
    ///         resultHash, salt)), before it can learn the provider's.
    function commitResult(uint256 leaseId, bytes32 commitment) external;

    /// @notice The provider reveals the salt of its result commitment (the lease's `resultHash` is
    ///         keccak256(abi.encode(leaseId, manifestHash, salt))). The manifest hash stays hidden: a
    ///         validator can test its own result against it but cannot read it.
    function revealSalt(uint256 leaseId, bytes32 salt) external;

    /// @notice The assigned validator says its result matches, revealing it. In exact mode the contract
    ///         checks it against the provider's commitment, so a lazy validator cannot claim a match.
    function attestMatch(uint256 leaseId, bytes32 resultHash, bytes32 salt) external;

    /// @notice The assigned validator says its result does not match. Its result stays hidden; the first
    ///         mismatch opens a dispute for a second validator.
    function attestMismatch(uint256 leaseId) external;

    /// @notice In a final reveal, a validator reveals the result it committed to.
    function revealResult(uint256 leaseId, bytes32 resultHash, bytes32 salt) external;

    /// @notice Records a proof-of-GPU check of an offer (see @plasma/verify). Staked validators only.
    function recordHardwareCheck(uint256 offerId, bool passed, bytes32 reportHash) external;

    // ---------------------------------------------------------------- views

    function getVerification(uint256 leaseId) external view returns (Verification memory);
    function getAssignment(uint256 leaseId) external view returns (Assignment memory);
    function getValidator(address validator) external view returns (Validator memory);
    function getReputation(address provider) external view returns (Reputation memory);
    function getHardwareCheck(uint256 offerId) external view returns (HardwareCheck memory);
    /// @notice Validators that may be assigned (stake at least the minimum is checked at draw time).
    function activeValidators() external view returns (address[] memory);
    /// @notice XPL in the pool that pays validators (verification fees, the rest of slashes, penalties).
    function feePool() external view returns (uint256);
    /// @notice Provider payouts held until their verification ends.
    function totalLocked() external view returns (uint256);
    /// @notice Sum of all validators' stakes.
    function totalValidatorStake() external view returns (uint256);
}
