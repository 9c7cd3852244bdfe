// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IVerificationManager} from "./IVerificationManager.sol";

/// @title IComputeMarket
/// @notice Leases of GPU time: escrow, capacity reservation, start deadline, per-second accrual,
///         settlement, result commitment, protocol fee and builder share.
interface IComputeMarket {
    enum LeaseStatus {
        None,
        Open, // escrow held, capacity reserved, waiting for the provider to start
        Running, // started; pay accrues per second
        Ended // paid out and refunded; capacity released
    }

    /// @notice Why a lease ended, recorded on chain so that a failure can be explained.
    enum EndReason {
        None,
        Completed, // provider committed a result
        StoppedByClient, // client stopped a running lease
        NoShow, // provider missed the start deadline; client refunded, provider penalised
        TimedOut, // the job exceeded its time limit (reported by the provider)
        EscrowExhausted, // the lease ran for all the seconds it paid for
        ProviderFailed // provider could not run the job; unsettled pay refunded
    }

    /// @notice A lease. `startBy` is the deadline for `startLease`.
    struct Lease {
        address client;
        uint16 gpus;
        LeaseStatus status;
        EndReason endReason;
        uint32 maxSeconds;
        uint32 startBy;
        address builder;
        uint64 offerId;
        uint32 startedAt;
        address provider;
        uint96 pricePerGpuSecond;
        uint128 paid; // gross amount paid out so far (provider share + fees)
        uint32 endedAt;
        bytes32 specHash;
        bytes32 resultHash; // verified leases: keccak256(abi.encode(leaseId, manifestHash, salt))
        IVerificationManager.Mode verification;
        uint16 verificationFeeBps; // fixed when the lease opened
    }

    /// @notice What a lease takes from the protocol parameters, fixed when it opens: a later parameter change never
    ///         alters a lease already open. Leases opened under the same parameters share one record.
    struct LeaseTerms {
        uint16 protocolFeeBps; // share of every payment that goes to the protocol
        uint16 builderShareBps; // share of that fee that goes to the lease's builder
        uint32 verificationWindow; // a verified lease's provider has this long after the last second to send its result
    }

    /// @notice What a client asks for when it opens a lease.
    struct OpenLeaseParams {
        uint256 offerId;
        uint16 gpus;
        uint32 maxSeconds; // seconds of GPU time paid into escrow
        uint96 maxPricePerGpuSecond; // protects the client from a price change racing its transaction
        bytes32 specHash; // canonical hash of the job spec
        address builder; // app that brought the lease; receives a share of the protocol fee (0 for none)
        IVerificationManager.Mode verification; // how the result is checked; None pays no verification fee
    }

    event LeaseOpened(
        uint256 indexed leaseId,
        address indexed provider,
        address indexed client,
        uint256 offerId,
        uint16 gpus,
        uint32 maxSeconds,
        uint96 pricePerGpuSecond,
        uint256 escrow,
        bytes32 specHash,
        address builder,
        uint32 startBy,
        IVerificationManager.Mode verification
    );
    event LeaseStarted(uint256 indexed leaseId, address indexed provider, uint32 startedAt);
    event LeaseSettled(
        uint256 indexed leaseId,
        address indexed provider,
        uint256 gross,
        uint256 providerAmount,
        uint256 protocolFee,
        uint256 builderFee
    );
    event LeaseEnded(
        uint256 indexed leaseId,
        address indexed provider,
        address indexed client,
        EndReason reason,
        uint256 paid,
        uint256 refund,
        uint256 penalty,
        bytes32 resultHash
    );
    event BuilderFeesClaimed(address indexed builder, uint256 amount);
    /// @notice New lease terms, recorded when the first lease opened after a parameter change they hold.
    event LeaseTermsRecorded(uint256 indexed termsId, uint16 protocolFeeBps, uint16 builderShareBps, uint32 verificationWindow);
    /// @notice A provider's first no-show in a while starts a period in which its no-show penalties together take at
    ///         most `allowance` (`noShowBackingCapBps` of what it could lose then).
    event NoShowPeriodStarted(address indexed provider, uint64 endsAt, uint256 allowance);
    event ProtocolFeesSwept(address indexed treasury, uint256 amount);

    error MarketUnknownLease(uint256 leaseId);
    error MarketNotClient(uint256 leaseId, address caller);
    error MarketNotProvider(uint256 leaseId, address caller);
    error MarketNotParty(uint256 leaseId, address caller);
    error MarketLeaseNotOpen(uint256 leaseId, LeaseStatus status);
    error MarketLeaseNotRunning(uint256 leaseId, LeaseStatus status);
    error MarketStartDeadlinePassed(uint256 leaseId, uint32 startBy);
    error MarketStartDeadlineNotPassed(uint256 leaseId, uint32 startBy, uint256 nowTimestamp);
    error MarketPriceAboveMax(uint256 offerId, uint96 price, uint96 maxPrice);
    error MarketZeroGpus();
    error MarketZeroDuration();
    error MarketEscrowTooLarge(uint256 escrow);
    error MarketZeroResultHash();
    error MarketInvalidFailReason(EndReason reason);
    error MarketNothingToClaim(address account);
    error MarketInsufficientCollateral(address provider, uint256 backing, uint256 required);
    /// @notice A verified lease may be worth at most a fifth of a validator's slash (minValidatorStake ×
    ///         validatorSlashBps): split the work into smaller leases (fewer seconds), or use verification none.
    error MarketVerifiedLeaseTooLarge(uint256 value, uint256 maxValue);
    /// @notice A verified lease is paid only when it ends, through verification: it has no mid-lease settlement.
    error MarketVerifiedLeaseSettlesAtEnd(uint256 leaseId);
    /// @notice A verified lease that has used all its seconds waits until `resultDueBy` for its provider's result
    ///         (`completeLease` or `failLease(TimedOut, resultHash)`) before it can be ended without one.
    error MarketAwaitingResult(uint256 leaseId, uint256 resultDueBy);
    /// @notice Only the verification manager reports that a verified lease's pay was released.
    error MarketNotVerification(address caller);

    /// @notice Opens a lease: pulls `price × gpus × maxSeconds` into escrow, plus the verification fee
    ///         unless the mode is None, and reserves the GPUs, in one transaction. The caller must have
    ///         approved the market for the escrow. A verified lease needs the provider's backing to cover
    ///         `collateralRatioBps` of the value of its verified leases, open or under verification.
    /// @return leaseId The new lease's id (ids start at 1).
    function openLease(OpenLeaseParams calldata params) external returns (uint256 leaseId);

    /// @notice `openLease` with an EIP-2612 permit, so that no separate approve transaction is needed.
    ///         A permit that was already used (e.g. front-run) is ignored if the allowance suffices.
    function openLeaseWithPermit(OpenLeaseParams calldata params, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint256 leaseId);

    /// @notice Starts an open lease; pay accrues from now. Provider only, before `startBy`.
    function startLease(uint256 leaseId) external;

    /// @notice Pays out what a running lease has accrued. Callable by the provider or the client;
    ///         the provider never needs the client's cooperation. Ends the lease with
    ///         `EscrowExhausted` once all paid seconds have elapsed.
    ///         A verified lease (mode other than None) is paid only through verification, when it ends with a
    ///         result: before its seconds run out this reverts with `MarketVerifiedLeaseSettlesAtEnd`; after, its
    ///         provider has one verification window (of the lease's terms, fixed at open) to end it with a result
    ///         (`MarketAwaitingResult` until then), and then `settle` ends it `EscrowExhausted` with nothing paid and the whole escrow refunded.
    /// @return gross The amount paid out by this call (provider share + fees); 0 for a verified lease.
    function settle(uint256 leaseId) external returns (uint256 gross);

    /// @notice Ends a running lease with a result: pays the used seconds, refunds the rest,
    ///         releases capacity. Provider only. For a verified lease the final payout is held by the
    ///         verification manager until the lease's verification ends, and the fee goes there too.
    /// @param resultHash Hash of the output manifest; for a verified lease the commitment
    ///        keccak256(abi.encode(leaseId, manifestHash, salt)), so that validators cannot copy it. Not zero.
    function completeLease(uint256 leaseId, bytes32 resultHash) external;

    /// @notice Ends a running lease that could not produce a result. Provider only.
    ///         `TimedOut` pays the used seconds; `ProviderFailed` refunds everything not yet settled.
    ///         For a verified lease, `TimedOut` with a result hash is handed to verification as a completion is
    ///         (payout locked, fee charged, sampled, slashable); `TimedOut` without one pays nothing.
    /// @param reason `TimedOut` or `ProviderFailed`.
    /// @param resultHash Hash of whatever output exists (logs), or zero; for a verified lease the same salted
    ///        commitment `completeLease` takes.
    function failLease(uint256 leaseId, EndReason reason, bytes32 resultHash) external;

    /// @notice Stops a running lease at any time: pays the used seconds, refunds the rest. Client only. A verified
    ///         lease whose every second has run is paid only through verification: stopping it reverts with
    ///         `MarketAwaitingResult` while its provider may still send a result, then ends it unpaid
    ///         (`EscrowExhausted`, all refunded), as `settle` does.
    function stopLease(uint256 leaseId) external;

    /// @notice Cancels a lease whose provider missed the start deadline: refunds the whole escrow, slashes a
    ///         bounded no-show penalty from the provider (the least of `noShowPenaltyBps` of the lease's value,
    ///         `noShowPenaltyCap` and what is left of the provider's no-show allowance: all its no-show penalties in
    ///         one unbonding period, from the first, take at most `noShowBackingCapBps` of what it could lose when
    ///         that period began, however many leases they come from; see `noShowAllowance`), pays the client
    ///         `noShowClientShareBps` of it (at most half) and the treasury the rest, and counts the no-show
    ///         in the provider's reputation (IVerificationManager.onLeaseNoShow). Anyone may call it once the
    ///         start deadline has passed (the refund and compensation always go to the client): a client that
    ///         never cancels cannot hold the provider's capacity and locked collateral.
    function cancelLease(uint256 leaseId) external;

    /// @notice Records a verified lease's work for rewards (its GPU-seconds and the protocol fee it paid), now that
    ///         verification released its pay to the provider (verified, or not sampled). Verification manager only,
    ///         once per lease. A verified lease's work is not recorded when it ends: a result that then fails
    ///         verification earns no reward.
    function recordVerifiedWork(uint256 leaseId) external;

    /// @notice Sends the caller's accumulated builder fees to it.
    /// @return amount XPL wei sent.
    function claimBuilderFees() external returns (uint256 amount);

    /// @notice Sends the accumulated protocol fees to the treasury. Anyone may call.
    /// @return amount XPL wei sent.
    function sweepProtocolFees() external returns (uint256 amount);

    /// @notice Returns a lease. Reverts for an unknown id.
    function getLease(uint256 leaseId) external view returns (Lease memory);

    /// @notice Amount a running lease has accrued but not yet paid out (0 when not running).
    function accrued(uint256 leaseId) external view returns (uint256);

    /// @notice Escrow still held for a lease, verification fee included (0 once ended).
    function escrowOf(uint256 leaseId) external view returns (uint256);

    /// @notice The terms a lease opened with: its fee rates and its provider's time to send a verified result.
    function leaseTerms(uint256 leaseId) external view returns (LeaseTerms memory);

    /// @notice What no-show penalties may still take from `provider` in its current period, and when that period
    ///         ends (0: none running; the next no-show starts one, with the allowance returned here).
    function noShowAllowance(address provider) external view returns (uint256 left, uint256 periodEndsAt);

    /// @notice Number of leases ever opened; lease ids run from 1 to this.
    function leaseCount() external view returns (uint256);

    /// @notice Builder fees waiting to be claimed by `builder`.
    function builderBalance(address builder) external view returns (uint256);

    /// @notice Protocol fees waiting to be swept to the treasury.
    function protocolFeesPending() external view returns (uint256);

    /// @notice Escrowed value (without fees) of a provider's open and running verified leases.
    function exposure(address provider) external view returns (uint256);

    /// @notice Backing the provider must keep: `collateralRatioBps × (exposure + pending verification value)`.
    ///         Checked when a verified lease opens, and locked in the registry (no unstake, undelegation or
    ///         withdrawal may take the provider's backing below it) until the leases and their
    ///         verifications end.
    function lockedCollateral(address provider) external view returns (uint256);
}
