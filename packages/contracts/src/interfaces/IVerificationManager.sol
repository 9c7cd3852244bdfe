// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IVerificationManager
/// @notice Sampled re-execution of completed leases by validators drawn from the `IValidatorSet`, with commit–reveal
///         so that no validator can copy another party's answer; an exact-mode dispute goes to a committee of two
///         more validators drawn together, and all three reveal; a tolerance-mode dispute or audit goes to a second
///         validator, and a third when those two contradict each other; slashing of the losers, refunds, and
///         reputation counters.
interface IVerificationManager {
    /// @notice How a lease's result is compared, declared by the client when it opens the lease.
    enum Mode {
        None, // never sampled; no verification fee
        Exact, // the validator's output manifest hash must equal the provider's
        Tolerance // numeric outputs equal within the job's atol/rtol, judged by the validators off chain
    }

    /// @notice Where a completed lease stands in verification.
    enum Stage {
        None,
        Pending, // waiting for a draw from a block's hash: sampling (round 1) or auditing a tolerance match (round 2)
        NeedsValidator, // sampled, disputed, audited or contradicted: waiting for a validator to be drawn
        Assigned, // the current validator (an exact dispute: both committee members) must commit to its own result blind
        Committed, // the provider must reveal the salt of its result commitment
        Revealed, // the current validator must attest (round 1; in tolerance mode every round)
        FinalReveal, // exact-mode dispute: all three validators reveal the results they committed to blind
        Released, // not sampled, or no validator could be found: payout released
        Verified, // result reproduced: payout released
        Failed, // result not reproduced: client refunded, provider slashed
        Refunded // disputed, and no committee drawn in time or no result reproduced: client refunded, provider unpaid
    }

    /// @notice A lease's verification.
    struct Verification {
        Mode mode;
        Stage stage;
        uint8 round; // 1: first validator; 2: dispute (exact: the committee of validators 2 and 3) or audit; 3: a third
            // validator breaks a tolerance-mode contradiction
        uint64 drawBlock; // block whose hash seeds the next draw
        uint40 deadline; // end of the current step's window
        uint96 locked; // the provider's final payout, held until verification ends
        bool forced; // its sampling (or audit) draw went stale and was re-armed: sampled for sure, pays only its own fee
        bool audit; // rounds 2 and 3 check the first validator's tolerance-mode match (not its mismatch)
        uint96 fee; // the verification fee the lease paid
        uint96 payCap; // most that one validator whose verdict is upheld is paid for this lease
    }

    /// @notice The validators and secrets of a sampled lease (written only when sampled).
    struct Assignment {
        address validator1;
        address validator2;
        address validator3;
        bytes32 commit1; // keccak256(abi.encode(leaseId, validator, resultHash, salt))
        bytes32 commit2;
        bytes32 commit3;
        bytes32 providerSalt; // revealed by the provider after the first commit
        bytes32 result1; // the first validator's output manifest hash, once revealed (a match, or a final reveal)
        bytes32 result2;
        bytes32 result3;
        bool saltRevealed;
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

    event VerificationOpened(uint256 indexed leaseId, address indexed provider, Mode mode, uint256 value, uint256 locked, uint256 fee);
    event LeaseSampled(uint256 indexed leaseId, bool sampled, bytes32 seed);
    /// @notice A tolerance-mode match was drawn for an audit by a second validator (`audited`) or not.
    event MatchAudited(uint256 indexed leaseId, bool audited, bytes32 seed);
    /// @notice Nobody drew in time (the seed block's hash is gone): the lease waits for a draw from `drawBlock`'s
    ///         hash instead, and counts as sampled (or audited).
    event DrawRearmed(uint256 indexed leaseId, uint64 drawBlock);
    event ValidatorAssigned(uint256 indexed leaseId, address indexed validator, uint8 round, uint40 deadline);
    event ResultCommitted(uint256 indexed leaseId, address indexed validator, uint8 round);
    event ProviderSaltRevealed(uint256 indexed leaseId, bytes32 salt);
    event Attested(uint256 indexed leaseId, address indexed validator, uint8 round, bool matched, bytes32 resultHash);
    /// @notice An auditor's two verdicts on a tolerance-mode match: the provider's outputs and the first validator's.
    event Audited(uint256 indexed leaseId, address indexed auditor, bool providerMatches, bool firstReproduced, bytes32 resultHash);
    event ResultRevealed(uint256 indexed leaseId, address indexed validator, bytes32 resultHash);
    event WindowMissed(uint256 indexed leaseId, address indexed party, Stage stage, uint256 penalty);
    event VerificationEnded(
        uint256 indexed leaseId, address indexed provider, Stage outcome, uint256 toProvider, uint256 refund, uint256 slashed
    );
    event ValidatorPaid(uint256 indexed leaseId, address indexed validator, uint256 amount);
    event ValidatorSlashed(uint256 indexed leaseId, address indexed validator, uint256 amount);
    event BountyPaid(uint256 indexed leaseId, address indexed recipient, uint256 amount);
    /// @notice A provider missed a lease's start deadline and its client cancelled the lease.
    /// @param noShows The provider's no-show count after this one.
    event NoShowRecorded(uint256 indexed leaseId, address indexed provider, uint32 noShows);
    event MarketSet(address market);
    /// @notice A disputed lease found no eligible validator: its payout stays locked. `assign` may be retried from
    ///         block `retryFromBlock`; if still nobody is drawn by `fallbackAt`, `timeout` refunds the client.
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
    /// @notice Round 2 of a tolerance-mode match is an audit: the auditor answers with `attestAudit`.
    error VerifyAuditExpected(uint256 leaseId);
    /// @notice `attestAudit` answers an audit only (round 2 after a tolerance-mode match).
    error VerifyNotAnAudit(uint256 leaseId);

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

    /// @notice Draws, from the hash of block `drawBlock` (unknown to everyone when the lease started waiting),
    ///         whether a completed lease is re-executed (round 1, `samplingRateBps`) or a tolerance-mode match is
    ///         audited (round 2, `toleranceAuditBps`), and assigns a validator if so; or releases the payout (and
    ///         pays the first validator of an unaudited match). Anyone may call from the block after `drawBlock`.
    ///         Once that block's hash is gone (256 blocks) the draw decides nothing: it re-arms the lease at the
    ///         current block (DrawRearmed), and a re-armed lease is always sampled (audited), so withholding a draw
    ///         never avoids re-execution; each of its validators is then paid at most the lease's own fee.
    function draw(uint256 leaseId) external;

    /// @notice Draws a validator for a lease waiting for one (sampled, disputed, audited, contradicted, or after a
    ///         missed window), stake-weighted from the validator set as it was before block `drawBlock`, seeded by
    ///         that block's hash. An exact-mode dispute draws its second and third validators together (a committee
    ///         member that committed keeps its place). A stale seed only re-arms the draw at the current block (the
    ///         lease was already sampled at random: this does not make it `forced`). Anyone may call from the next
    ///         block. Nobody (or not a full committee) to draw: round 1 releases the payout; an audit pays the first
    ///         validator and releases it; a dispute keeps it locked and waits (DisputeAwaitingValidator; `assign` may
    ///         be retried from the next block).
    function assign(uint256 leaseId) external;

    /// @notice Ends a step whose window has passed: a validator that missed it (each committee member that did not
    ///         commit) loses the missed-window penalty and is replaced; a provider that did not reveal fails; a final
    ///         reveal is decided with what was revealed (a silent validator is slashed and counts as no vote); a dispute that found no validator by its fallback time ends `Refunded` (the client gets
    ///         the locked payout back; nobody is paid, slashed or credited a verdict). Anyone may call.
    function timeout(uint256 leaseId) external;

    // ---------------------------------------------------------------- validators

    /// @notice The assigned validator (or committee member) commits to its own result: keccak256(abi.encode(leaseId,
    ///         validator, resultHash, salt)), before it can see anyone else's (a provider's node serves a validator the
    ///         outputs only once that validator's commitment is on chain). A committee reveals once both committed.
    function commitResult(uint256 leaseId, bytes32 commitment) external;

    /// @notice The provider reveals the salt of its result commitment (the lease's `resultHash` is
    ///         keccak256(abi.encode(leaseId, manifestHash, salt))). The manifest hash stays hidden: a
    ///         validator can test its own result against it but cannot read it.
    function revealSalt(uint256 leaseId, bytes32 salt) external;

    /// @notice The current validator says the provider's result matches, revealing its own. Exact mode (round 1
    ///         only): it must open the provider's commitment. Tolerance mode: round 1 publishes the validator's
    ///         output manifest hash and goes to the audit draw; round 2 contradicts a mismatch (round 3 follows);
    ///         round 3 decides by majority.
    function attestMatch(uint256 leaseId, bytes32 resultHash, bytes32 salt) external;

    /// @notice The current validator says the provider's result does not match. Round 1 opens a dispute; in
    ///         tolerance mode round 2 agreeing with it decides, and round 3 decides by majority.
    function attestMismatch(uint256 leaseId) external;

    /// @notice The auditor of a tolerance-mode match reveals its own result and says whether the provider's outputs
    ///         and the first validator's published outputs are within tolerance of its own. Agreeing with the
    ///         provider's verdict decides it; contradicting it goes to a third validator. `firstReproduced = false`
    ///         withholds the first validator's pay; it is slashed only on evidence: the auditor's `resultHash` opens
    ///         the provider's commitment (the job reproduces byte for byte) and differs from the first's published
    ///         result. The auditor is paid the same whatever it says of the first (no bounty).
    function attestAudit(uint256 leaseId, bool providerMatches, bool firstReproduced, bytes32 resultHash, bytes32 salt)
        external;

    /// @notice Exact-mode dispute: each of the three validators reveals the result it committed to blind; the last
    ///         reveal (or `timeout`) decides. Two equal results that do not open the provider's commitment fail it (a
    ///         result that opens it, or differs from the pair, is slashed); otherwise a result that opens it verifies
    ///         it (two or more that do slash the results that do not); nothing opens and nothing agrees: Refunded.
    ///         Validators whose results support the outcome are paid; a first validator whose result opens the
    ///         commitment attested a false mismatch and is slashed.
    function revealResult(uint256 leaseId, bytes32 resultHash, bytes32 salt) external;

    // ---------------------------------------------------------------- views

    function getVerification(uint256 leaseId) external view returns (Verification memory);
    function getAssignment(uint256 leaseId) external view returns (Assignment memory);
    function getReputation(address provider) external view returns (Reputation memory);
    /// @notice XPL in the pool that pays validators (verification fees, the rest of slashes, penalties).
    function feePool() external view returns (uint256);
    /// @notice Provider payouts held until their verification ends.
    function totalLocked() external view returns (uint256);
}
