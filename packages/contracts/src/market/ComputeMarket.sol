// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IComputeMarket} from "../interfaces/IComputeMarket.sol";
import {IProtocolParameters} from "../interfaces/IProtocolParameters.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {IRewardsDistributor} from "../interfaces/IRewardsDistributor.sol";
import {IVerificationManager} from "../interfaces/IVerificationManager.sol";
import {LeaseMath} from "../libraries/LeaseMath.sol";

/// @title ComputeMarket
/// @notice Leases of GPU time paid in XPL. The client's escrow covers every second it asked for; the
///         provider is paid per second used and can always settle without the client; whatever is not
///         used returns to the client. A verified lease is paid only through verification: it is never
///         settled along the way, and when it ends with a result (completed, or timed out with a result
///         hash) its whole payout and its verification fee go to the verification manager, which holds the
///         payout until the lease is verified (or not sampled); any other ending of it pays the provider
///         nothing, except a stop by the client, who pays for the seconds used. XPL held here always equals
///         the open leases' escrow (fee included) plus the builder fees and protocol fees not yet withdrawn.
contract ComputeMarket is IComputeMarket, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice A verified lease's value is at most the validator slash (minValidatorStake × validatorSlashBps) over this.
    uint256 public constant SLASH_PER_VERIFIED_VALUE = 5;

    IERC20 public immutable xpl;
    IProviderRegistry public immutable registry;
    IProtocolParameters public immutable params;
    IRewardsDistributor public immutable rewards;
    IVerificationManager public immutable verification;

    /// @dev Storage layout of a lease, packed so that opening writes four slots and ending updates
    ///      slots it already wrote (plus the result hash). The builder, usually absent, lives apart, and so do the
    ///      terms, which leases opened under the same parameters share.
    struct LeaseRecord {
        // slot 0
        address client;
        uint16 gpus;
        LeaseStatus status;
        EndReason endReason;
        uint32 maxSeconds;
        uint32 startBy;
        // slot 1
        address provider;
        uint40 offerId;
        uint32 startedAt;
        IVerificationManager.Mode verification;
        uint16 verificationFeeBps;
        // slot 2
        uint96 pricePerGpuSecond;
        uint96 paid; // gross paid out so far: provider share + fees; at most the escrow, checked at open
        uint32 endedAt;
        uint32 termsId; // what the lease took from the parameters when it opened
        // slots 3 and 4
        bytes32 specHash;
        bytes32 resultHash;
    }

    mapping(uint256 leaseId => LeaseRecord) private _leases;
    mapping(uint256 leaseId => address) private _builders;
    uint256 private _leaseCount;
    mapping(address builder => uint256) private _builderBalances;
    uint256 private _protocolFees;
    mapping(address provider => uint256) private _exposure;
    mapping(uint256 termsId => LeaseTerms) private _terms;
    uint32 private _termsCount;
    mapping(address provider => NoShowAllowance) private _noShowAllowance;

    /// @dev What is left of a provider's no-show allowance in the period that ends at `periodEndsAt`.
    struct NoShowAllowance {
        uint64 periodEndsAt;
        uint128 left;
    }

    /// @param rewards_ Where settled GPU-seconds and the fees they paid are recorded for provider rewards.
    /// @param verification_ Where completed leases are sampled and verified.
    constructor(
        IERC20 xpl_,
        IProviderRegistry registry_,
        IProtocolParameters params_,
        IRewardsDistributor rewards_,
        IVerificationManager verification_
    ) {
        xpl = xpl_;
        registry = registry_;
        params = params_;
        rewards = rewards_;
        verification = verification_;
    }

    // ---------------------------------------------------------------- client

    /// @inheritdoc IComputeMarket
    function openLease(OpenLeaseParams calldata p) external nonReentrant returns (uint256) {
        return _open(p);
    }

    /// @inheritdoc IComputeMarket
    function openLeaseWithPermit(OpenLeaseParams calldata p, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
        returns (uint256)
    {
        // A front-run permit fails here but leaves the allowance in place, so go on if it suffices.
        try IERC20Permit(address(xpl)).permit(msg.sender, address(this), value, deadline, v, r, s) {} catch {}
        return _open(p);
    }

    /// @inheritdoc IComputeMarket
    function stopLease(uint256 leaseId) external nonReentrant {
        LeaseRecord storage l = _lease(leaseId);
        if (msg.sender != l.client) revert MarketNotClient(leaseId, msg.sender);
        _requireRunning(leaseId, l);
        // A verified lease whose every second has run is no longer the client's to stop: its pay waits for the
        // provider's result (see settle), or ends unpaid once the result is overdue.
        if (l.verification != IVerificationManager.Mode.None && block.timestamp - l.startedAt >= l.maxSeconds) {
            _endVerifiedWithoutResult(leaseId, l);
            return;
        }
        _end(leaseId, l, EndReason.StoppedByClient, bytes32(0), true);
    }

    /// @inheritdoc IComputeMarket
    function cancelLease(uint256 leaseId) external nonReentrant {
        LeaseRecord storage l = _lease(leaseId);
        // Anyone may end a no-show: the outcome is the same whoever calls (the client is refunded and
        // compensated), and a client that never cancels would otherwise hold the provider's capacity and
        // collateral lock, and its delegators' stake, for as long as it likes.
        if (l.status != LeaseStatus.Open) revert MarketLeaseNotOpen(leaseId, l.status);
        if (block.timestamp <= l.startBy) revert MarketStartDeadlineNotPassed(leaseId, l.startBy, block.timestamp);

        uint256 value = LeaseMath.escrowFor(l.pricePerGpuSecond, l.gpus, l.maxSeconds);
        uint256 refund = value + LeaseMath.verificationFee(value, l.verificationFeeBps);
        l.status = LeaseStatus.Ended;
        l.endReason = EndReason.NoShow;
        l.endedAt = uint32(block.timestamp);
        if (l.verification != IVerificationManager.Mode.None) _exposure[l.provider] -= value;
        registry.releaseCapacity(l.offerId, l.gpus);
        IProtocolParameters.MarketParams memory mp = params.marketParams();
        NoShowAllowance storage allowance = _noShowAllowanceOf(l.provider, mp);
        uint256 penalty = Math.min((value * mp.noShowPenaltyBps) / LeaseMath.BPS, mp.noShowPenaltyCap);
        penalty = Math.min(penalty, allowance.left);
        // Slashed to the market, then split: most goes to the treasury, so a client gains little by
        // opening a lease against a provider it knows to be offline.
        uint256 slashed = penalty == 0 ? 0 : registry.slash(l.provider, penalty, address(this));
        allowance.left -= uint128(slashed); // slashed <= penalty <= left
        uint256 toClient = (slashed * mp.noShowClientShareBps) / LeaseMath.BPS;
        emit LeaseEnded(leaseId, l.provider, l.client, EndReason.NoShow, 0, refund, slashed, bytes32(0));
        verification.onLeaseNoShow(leaseId, l.provider); // counts in the provider's reputation
        xpl.safeTransfer(l.client, refund + toClient);
        if (slashed > toClient) xpl.safeTransfer(mp.treasury, slashed - toClient);
    }

    // ---------------------------------------------------------------- provider

    /// @inheritdoc IComputeMarket
    function startLease(uint256 leaseId) external {
        LeaseRecord storage l = _lease(leaseId);
        if (msg.sender != l.provider) revert MarketNotProvider(leaseId, msg.sender);
        if (l.status != LeaseStatus.Open) revert MarketLeaseNotOpen(leaseId, l.status);
        if (block.timestamp > l.startBy) revert MarketStartDeadlinePassed(leaseId, l.startBy);
        l.status = LeaseStatus.Running;
        l.startedAt = uint32(block.timestamp);
        emit LeaseStarted(leaseId, msg.sender, uint32(block.timestamp));
    }

    /// @inheritdoc IComputeMarket
    function completeLease(uint256 leaseId, bytes32 resultHash) external nonReentrant {
        LeaseRecord storage l = _lease(leaseId);
        if (msg.sender != l.provider) revert MarketNotProvider(leaseId, msg.sender);
        _requireRunning(leaseId, l);
        if (resultHash == bytes32(0)) revert MarketZeroResultHash();
        _end(leaseId, l, EndReason.Completed, resultHash, true);
    }

    /// @inheritdoc IComputeMarket
    function failLease(uint256 leaseId, EndReason reason, bytes32 resultHash) external nonReentrant {
        LeaseRecord storage l = _lease(leaseId);
        if (msg.sender != l.provider) revert MarketNotProvider(leaseId, msg.sender);
        _requireRunning(leaseId, l);
        if (reason != EndReason.TimedOut && reason != EndReason.ProviderFailed) revert MarketInvalidFailReason(reason);
        // A timed-out job used its seconds; a provider that failed is not paid for what it has not settled. A
        // verified lease is paid only with a result for verification to check.
        bool pay = reason == EndReason.TimedOut && (l.verification == IVerificationManager.Mode.None || resultHash != bytes32(0));
        _end(leaseId, l, reason, resultHash, pay);
    }

    // ---------------------------------------------------------------- either party

    /// @inheritdoc IComputeMarket
    function settle(uint256 leaseId) external nonReentrant returns (uint256 gross) {
        LeaseRecord storage l = _lease(leaseId);
        if (msg.sender != l.provider && msg.sender != l.client) revert MarketNotParty(leaseId, msg.sender);
        _requireRunning(leaseId, l);
        bool exhausted = block.timestamp - l.startedAt >= l.maxSeconds;
        if (l.verification != IVerificationManager.Mode.None) {
            // Paid only through verification, when the provider ends the lease with a result. After the last
            // second it has one verification window to do so; then the lease ends without pay.
            if (!exhausted) revert MarketVerifiedLeaseSettlesAtEnd(leaseId);
            _endVerifiedWithoutResult(leaseId, l);
            return 0;
        }
        if (exhausted) {
            gross = _accruedGross(l);
            _end(leaseId, l, EndReason.EscrowExhausted, bytes32(0), true);
            return gross;
        }
        gross = _accruedGross(l);
        if (gross == 0) return 0;
        uint256 providerAmount = _book(leaseId, l, gross, true);
        xpl.safeTransfer(l.provider, providerAmount);
    }

    /// @dev Ends a verified lease whose last second has passed and whose provider sent no result: refused for one
    ///      verification window (the provider may still end it with a result), then ended unpaid, all refunded.
    function _endVerifiedWithoutResult(uint256 leaseId, LeaseRecord storage l) private {
        uint256 resultDueBy = uint256(l.startedAt) + l.maxSeconds + _terms[l.termsId].verificationWindow;
        if (block.timestamp <= resultDueBy) revert MarketAwaitingResult(leaseId, resultDueBy);
        _end(leaseId, l, EndReason.EscrowExhausted, bytes32(0), false);
    }

    // ---------------------------------------------------------------- verification

    /// @inheritdoc IComputeMarket
    function recordVerifiedWork(uint256 leaseId) external {
        if (msg.sender != address(verification)) revert MarketNotVerification(msg.sender);
        LeaseRecord storage l = _lease(leaseId);
        uint256 paid = l.paid; // a verified lease is paid once, at its end: price × gpus × whole seconds
        if (paid == 0) return;
        LeaseTerms storage t = _terms[l.termsId];
        (, uint256 protocolFee,) = LeaseMath.split(paid, t.protocolFeeBps, t.builderShareBps, _builders[leaseId] != address(0));
        rewards.recordWork(l.provider, paid / l.pricePerGpuSecond, protocolFee);
    }

    // ---------------------------------------------------------------- fees

    /// @inheritdoc IComputeMarket
    function claimBuilderFees() external nonReentrant returns (uint256 amount) {
        amount = _builderBalances[msg.sender];
        if (amount == 0) revert MarketNothingToClaim(msg.sender);
        _builderBalances[msg.sender] = 0;
        emit BuilderFeesClaimed(msg.sender, amount);
        xpl.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IComputeMarket
    function sweepProtocolFees() external nonReentrant returns (uint256 amount) {
        amount = _protocolFees;
        address treasury = params.marketParams().treasury;
        if (amount == 0) revert MarketNothingToClaim(treasury);
        _protocolFees = 0;
        emit ProtocolFeesSwept(treasury, amount);
        xpl.safeTransfer(treasury, amount);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IComputeMarket
    function getLease(uint256 leaseId) external view returns (Lease memory) {
        LeaseRecord storage l = _lease(leaseId);
        return Lease({
            client: l.client,
            gpus: l.gpus,
            status: l.status,
            endReason: l.endReason,
            maxSeconds: l.maxSeconds,
            startBy: l.startBy,
            builder: _builders[leaseId],
            offerId: l.offerId,
            startedAt: l.startedAt,
            provider: l.provider,
            pricePerGpuSecond: l.pricePerGpuSecond,
            paid: l.paid,
            endedAt: l.endedAt,
            specHash: l.specHash,
            resultHash: l.resultHash,
            verification: l.verification,
            verificationFeeBps: l.verificationFeeBps
        });
    }

    /// @inheritdoc IComputeMarket
    function accrued(uint256 leaseId) external view returns (uint256) {
        LeaseRecord storage l = _lease(leaseId);
        return l.status == LeaseStatus.Running ? _accruedGross(l) : 0;
    }

    /// @inheritdoc IComputeMarket
    function escrowOf(uint256 leaseId) external view returns (uint256) {
        LeaseRecord storage l = _lease(leaseId);
        if (l.status == LeaseStatus.Ended) return 0;
        return _escrowWithFee(l) - l.paid;
    }

    /// @inheritdoc IComputeMarket
    function leaseTerms(uint256 leaseId) external view returns (LeaseTerms memory) {
        return _terms[_lease(leaseId).termsId];
    }

    /// @inheritdoc IComputeMarket
    function noShowAllowance(address provider) external view returns (uint256 left, uint256 periodEndsAt) {
        NoShowAllowance storage a = _noShowAllowance[provider];
        if (block.timestamp >= a.periodEndsAt) {
            IProtocolParameters.MarketParams memory mp = params.marketParams();
            return ((registry.slashable(provider) * mp.noShowBackingCapBps) / LeaseMath.BPS, 0);
        }
        return (a.left, a.periodEndsAt);
    }

    /// @inheritdoc IComputeMarket
    function leaseCount() external view returns (uint256) {
        return _leaseCount;
    }

    /// @inheritdoc IComputeMarket
    function builderBalance(address builder) external view returns (uint256) {
        return _builderBalances[builder];
    }

    /// @inheritdoc IComputeMarket
    function protocolFeesPending() external view returns (uint256) {
        return _protocolFees;
    }

    /// @inheritdoc IComputeMarket
    function exposure(address provider) external view returns (uint256) {
        return _exposure[provider];
    }

    /// @inheritdoc IComputeMarket
    function lockedCollateral(address provider) external view returns (uint256) {
        return _requiredCollateral(provider, _exposure[provider], params.verificationParams().collateralRatioBps);
    }

    // ---------------------------------------------------------------- internals

    function _open(OpenLeaseParams calldata p) private returns (uint256 leaseId) {
        if (p.gpus == 0) revert MarketZeroGpus();
        if (p.maxSeconds == 0) revert MarketZeroDuration();
        (address provider, uint96 price) = registry.reserveCapacity(p.offerId, p.gpus);
        if (price > p.maxPricePerGpuSecond) revert MarketPriceAboveMax(p.offerId, price, p.maxPricePerGpuSecond);
        uint256 value = LeaseMath.escrowFor(price, p.gpus, p.maxSeconds);
        uint16 feeBps = p.verification == IVerificationManager.Mode.None ? 0 : _reserveCollateral(provider, value);
        uint256 escrow = value + LeaseMath.verificationFee(value, feeBps);
        // Far above the XPL supply: an escrow that large could never be paid.
        if (escrow > type(uint96).max) revert MarketEscrowTooLarge(escrow);
        IProtocolParameters.MarketParams memory mp = params.marketParams();
        uint32 startBy = uint32(block.timestamp + mp.startDeadline);

        leaseId = ++_leaseCount;
        LeaseRecord storage l = _leases[leaseId];
        l.client = msg.sender;
        l.gpus = p.gpus;
        l.status = LeaseStatus.Open;
        l.maxSeconds = p.maxSeconds;
        l.startBy = startBy;
        l.provider = provider;
        l.offerId = SafeCast.toUint40(p.offerId);
        l.pricePerGpuSecond = price;
        l.verification = p.verification;
        l.verificationFeeBps = feeBps;
        l.termsId = _currentTerms(mp);
        if (p.specHash != bytes32(0)) l.specHash = p.specHash;
        if (p.builder != address(0)) _builders[leaseId] = p.builder;
        _emitOpened(leaseId, l, escrow, p.builder);
        xpl.safeTransferFrom(msg.sender, address(this), escrow);
    }

    /// @dev The terms of the parameters now: the last recorded ones, or new ones if a parameter they hold changed.
    function _currentTerms(IProtocolParameters.MarketParams memory mp) private returns (uint32 id) {
        LeaseTerms memory now_ = LeaseTerms({
            protocolFeeBps: mp.protocolFeeBps,
            builderShareBps: mp.builderShareBps,
            verificationWindow: params.verificationParams().verificationWindow
        });
        id = _termsCount;
        LeaseTerms storage last = _terms[id];
        if (
            id != 0 && last.protocolFeeBps == now_.protocolFeeBps && last.builderShareBps == now_.builderShareBps
                && last.verificationWindow == now_.verificationWindow
        ) return id;
        id = ++_termsCount; // a parameter change per lease at most: fits
        _terms[id] = now_;
        emit LeaseTermsRecorded(id, now_.protocolFeeBps, now_.builderShareBps, now_.verificationWindow);
    }

    /// @dev Separate from `_open` to keep its stack shallow; the reads are warm.
    function _emitOpened(uint256 leaseId, LeaseRecord storage l, uint256 escrow, address builder) private {
        emit LeaseOpened(
            leaseId,
            l.provider,
            l.client,
            l.offerId,
            l.gpus,
            l.maxSeconds,
            l.pricePerGpuSecond,
            escrow,
            l.specHash,
            builder,
            l.startBy,
            l.verification
        );
    }

    /// @dev Adds a verified lease's value to the provider's exposure and checks that its backing covers
    ///      the collateral for everything it holds under verification. Returns the fee rate to charge.
    function _reserveCollateral(address provider, uint256 value) private returns (uint16 feeBps) {
        IProtocolParameters.VerificationParams memory vp = params.verificationParams();
        // A validator's slash must outweigh what a wrong verdict on one lease is worth to it (copying a
        // colluding provider's answer, attesting without re-running): sim:trust finds both pay from ~1.2–3.2k
        // XPL of lease value against a 5k XPL slash, so a verified lease is worth at most a fifth of the slash.
        uint256 maxValue = (uint256(vp.minValidatorStake) * vp.validatorSlashBps) / LeaseMath.BPS / SLASH_PER_VERIFIED_VALUE;
        if (value > maxValue) revert MarketVerifiedLeaseTooLarge(value, maxValue);
        uint256 exposed = _exposure[provider] + value;
        _exposure[provider] = exposed;
        uint256 required = _requiredCollateral(provider, exposed, vp.collateralRatioBps);
        uint256 backing = registry.backing(provider);
        if (backing < required) revert MarketInsufficientCollateral(provider, backing, required);
        return vp.verificationFeeBps;
    }

    /// @dev Collateral for `exposed` XPL of open verified leases and the provider's leases under verification.
    function _requiredCollateral(address provider, uint256 exposed, uint256 ratioBps) private view returns (uint256) {
        return Math.mulDiv(exposed + verification.pendingValue(provider), ratioBps, LeaseMath.BPS);
    }

    /// @dev A provider's no-show allowance: all the no-show penalties of one period (an unbonding period from the
    ///      first of them) together take at most `noShowBackingCapBps` of what it could lose when the period began.
    ///      A cap per lease alone let a client split a huge escrow into many leases and cancel them again and again.
    ///      One unbonding period, because that is how long a delegator who leaves on seeing the first penalty stays
    ///      slashable: it loses at most the caps of the two periods its exit overlaps.
    function _noShowAllowanceOf(address provider, IProtocolParameters.MarketParams memory mp)
        private
        returns (NoShowAllowance storage a)
    {
        a = _noShowAllowance[provider];
        if (block.timestamp < a.periodEndsAt) return a;
        a.periodEndsAt = uint64(block.timestamp + params.stakingParams().unbondingPeriod);
        // At most a fifth of what the provider can lose, which is XPL and fits.
        a.left = uint128((registry.slashable(provider) * mp.noShowBackingCapBps) / LeaseMath.BPS);
        emit NoShowPeriodStarted(provider, a.periodEndsAt, a.left);
    }

    /// @dev Pays out what has accrued (or nothing), refunds the rest, releases capacity, then transfers.
    ///      A verified lease paid with a result is verified, so only it pays the verification fee (on what it
    ///      paid), and its payout goes to the verification manager; a verified lease paid without one (stopped
    ///      by its client) pays the provider directly, as the client chose.
    function _end(uint256 leaseId, LeaseRecord storage l, EndReason reason, bytes32 resultHash, bool payAccrued) private {
        IVerificationManager.Mode mode = l.verification;
        bool toVerification = mode != IVerificationManager.Mode.None && payAccrued && resultHash != bytes32(0);
        uint256 gross = payAccrued ? _accruedGross(l) : 0;
        // Work under verification earns rewards only once verification releases its pay (recordVerifiedWork).
        uint256 providerAmount = gross == 0 ? 0 : _book(leaseId, l, gross, !toVerification);
        uint256 fee = toVerification ? LeaseMath.verificationFee(l.paid, l.verificationFeeBps) : 0;
        uint256 refund = _escrowWithFee(l) - l.paid - fee;
        l.status = LeaseStatus.Ended;
        l.endReason = reason;
        l.endedAt = uint32(block.timestamp);
        if (resultHash != bytes32(0)) l.resultHash = resultHash;
        if (mode != IVerificationManager.Mode.None) {
            _exposure[l.provider] -= LeaseMath.escrowFor(l.pricePerGpuSecond, l.gpus, l.maxSeconds);
        }
        registry.releaseCapacity(l.offerId, l.gpus);
        emit LeaseEnded(leaseId, l.provider, l.client, reason, l.paid, refund, 0, resultHash);
        if (toVerification) {
            // The final payout waits in the verification manager until the lease is verified or released.
            xpl.safeTransfer(address(verification), providerAmount + fee);
            verification.onLeaseCompleted(leaseId, l.provider, mode, l.paid, providerAmount, fee);
            providerAmount = 0;
        } else if (reason == EndReason.Completed) {
            verification.onLeaseCompleted(leaseId, l.provider, mode, l.paid, 0, 0);
        }
        if (providerAmount > 0) xpl.safeTransfer(l.provider, providerAmount);
        if (refund > 0) xpl.safeTransfer(l.client, refund);
    }

    /// @dev The escrow a lease was opened with: its value plus the verification fee on it.
    function _escrowWithFee(LeaseRecord storage l) private view returns (uint256) {
        uint256 value = LeaseMath.escrowFor(l.pricePerGpuSecond, l.gpus, l.maxSeconds);
        return value + LeaseMath.verificationFee(value, l.verificationFeeBps);
    }

    /// @dev Records a gross payment and its fee split (and, with `recordWork`, its work for rewards); returns the
    ///      provider's amount to transfer.
    function _book(uint256 leaseId, LeaseRecord storage l, uint256 gross, bool recordWork)
        private
        returns (uint256 providerAmount)
    {
        LeaseTerms storage t = _terms[l.termsId];
        address builder = _builders[leaseId];
        bool hasBuilder = builder != address(0);
        uint256 protocolFee;
        uint256 builderFee;
        (providerAmount, protocolFee, builderFee) = LeaseMath.split(gross, t.protocolFeeBps, t.builderShareBps, hasBuilder);
        l.paid += uint96(gross); // paid + gross <= escrow, which fits in uint96 (checked at open)
        _protocolFees += protocolFee;
        if (builderFee > 0) _builderBalances[builder] += builderFee;
        emit LeaseSettled(leaseId, l.provider, gross, providerAmount, protocolFee, builderFee);
        // gross is price × gpus × whole seconds, so the division is exact.
        if (recordWork) rewards.recordWork(l.provider, gross / l.pricePerGpuSecond, protocolFee);
    }

    function _accruedGross(LeaseRecord storage l) private view returns (uint256) {
        uint256 used = LeaseMath.usedSeconds(l.startedAt, l.maxSeconds, block.timestamp);
        return LeaseMath.escrowFor(l.pricePerGpuSecond, l.gpus, used) - l.paid;
    }

    function _lease(uint256 leaseId) private view returns (LeaseRecord storage l) {
        l = _leases[leaseId];
        if (l.status == LeaseStatus.None) revert MarketUnknownLease(leaseId);
    }

    function _requireRunning(uint256 leaseId, LeaseRecord storage l) private view {
        if (l.status != LeaseStatus.Running) revert MarketLeaseNotRunning(leaseId, l.status);
    }
}
