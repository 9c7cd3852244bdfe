// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IComputeMarket} from "../interfaces/IComputeMarket.sol";
import {IProtocolParameters} from "../interfaces/IProtocolParameters.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {IValidatorSet} from "../interfaces/IValidatorSet.sol";
import {IVerificationManager} from "../interfaces/IVerificationManager.sol";

/// @title VerificationManager
/// @notice Samples completed leases for re-execution and runs the verification game:
///         1. The provider completed the lease with `resultHash = keccak256(abi.encode(leaseId, manifestHash, salt))`.
///         2. `draw`: the hash of the completion block (unknown to the provider when it sent the result) decides,
///            with probability `samplingRateBps`, whether the lease is re-executed. A draw nobody made within 256
///            blocks decides nothing: it re-arms the lease at a later block and the lease is sampled for sure.
///         3. Validators are drawn stake-weighted by the `IValidatorSet` from the set as it was before the seed block,
///            never the lease's client or provider. Each commits to its own result before it can see anyone else's.
///         4. Round 1: the provider reveals its salt; the validator attests. An exact match must open the provider's
///            commitment. A tolerance-mode match publishes the validator's outputs and is audited, with probability
///            `toleranceAuditBps` (drawn like a sample), by a second validator that re-executes and judges both the
///            provider's outputs and the first validator's; outputs it does not reproduce get their validator slashed.
///         5. A mismatch opens a dispute. Exact mode: a committee of two more validators, drawn together, commits blind;
///            then all three reveal. Only two equal results that do not open the provider's commitment fail it; a
///            result that opens it verifies it otherwise; nothing opens and nothing agrees: no verdict (Refunded).
///            Tolerance mode: a second validator commits blind and attests; agreeing with the first decides.
///         6. A tolerance-mode round 2 contradicting round 1 (or an audit contradicting the match) goes to round 3: a
///            third validator, drawn excluding every party so far, commits blind and votes; the majority decides and
///            the minority is slashed. A bare match against the provider never settles a dispute.
///         From a mismatch on the payout stays locked until a verdict: with nobody to draw the lease waits (anyone may
///         retry the draw); after `DISPUTE_DRAW_WINDOWS` windows with nobody drawn the client is refunded and nobody
///         is paid (an unconfirmed mismatch earns nothing). Losers are slashed; the client gets its payment back from
///         the provider's locked payout and the slash; the parties proven right share a bounty; the rest funds the
///         validator fee pool. A validator whose verdict is upheld is paid from what the lease paid for verification:
///         its fee scaled by the chance of being re-executed (so a lease's expected payout equals its fee), and only
///         the fee itself for a lease whose draw went stale. XPL held here always equals locked payouts + the fee pool.
contract VerificationManager is IVerificationManager, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 private constant BPS = 10_000;
    /// @notice Verification windows a dispute waits for a validator before its client is refunded.
    uint256 public constant DISPUTE_DRAW_WINDOWS = 24;

    IERC20 public immutable xpl;
    IProviderRegistry public immutable registry;
    IProtocolParameters public immutable params;
    IValidatorSet public immutable validators;
    IComputeMarket public market;

    mapping(uint256 leaseId => Verification) private _verifications;
    mapping(uint256 leaseId => Assignment) private _assignments;
    mapping(address provider => Reputation) private _reputation;
    mapping(address provider => uint256) private _pendingValue;
    uint256 private _feePool;
    uint256 private _totalLocked;

    /// @param admin Sets the market once (the deployer, which then hands the role to the timelock).
    constructor(IERC20 xpl_, IProviderRegistry registry_, IProtocolParameters params_, IValidatorSet validators_, address admin) {
        xpl = xpl_;
        registry = registry_;
        params = params_;
        validators = validators_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Names the market whose leases this contract verifies. Once.
    function setMarket(IComputeMarket market_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(market) != address(0)) revert VerifyMarketAlreadySet();
        market = market_;
        emit MarketSet(address(market_));
    }

    // ---------------------------------------------------------------- market

    /// @inheritdoc IVerificationManager
    function onLeaseCompleted(uint256 leaseId, address provider, Mode mode, uint256 value, uint256 locked, uint256 fee)
        external
    {
        if (msg.sender != address(market)) revert VerifyNotMarket(msg.sender);
        _reputation[provider].completed += 1;
        if (mode == Mode.None) return;
        _verifications[leaseId] = Verification({
            mode: mode,
            stage: Stage.Pending,
            round: 1,
            drawBlock: uint64(block.number),
            deadline: 0,
            locked: SafeCast.toUint96(locked),
            forced: false,
            audit: false,
            fee: SafeCast.toUint96(fee),
            payCap: SafeCast.toUint96(_payCap(mode, value, fee))
        });
        _pendingValue[provider] += value;
        _totalLocked += locked;
        _feePool += fee;
        emit VerificationOpened(leaseId, provider, mode, value, locked, fee);
    }

    /// @inheritdoc IVerificationManager
    function onLeaseNoShow(uint256 leaseId, address provider) external {
        if (msg.sender != address(market)) revert VerifyNotMarket(msg.sender);
        uint32 noShows = ++_reputation[provider].noShows;
        emit NoShowRecorded(leaseId, provider, noShows);
    }

    // ---------------------------------------------------------------- draws

    /// @inheritdoc IVerificationManager
    function draw(uint256 leaseId) external nonReentrant {
        Verification storage v = _stage(leaseId, Stage.Pending);
        bytes32 seed = _seed(leaseId, v);
        if (seed == bytes32(0)) return _rearm(leaseId, v, true);
        IProtocolParameters.VerificationParams memory vp = params.verificationParams();
        IComputeMarket.Lease memory l = market.getLease(leaseId);
        uint256 rate = v.round == 1 ? vp.samplingRateBps : vp.toleranceAuditBps;
        bool chosen = v.forced || uint256(keccak256(abi.encode(seed, leaseId, v.round))) % BPS < rate;
        if (v.round == 1) {
            emit LeaseSampled(leaseId, chosen, seed);
            if (!chosen) return _release(leaseId, v, l, Stage.Released, 0);
            _reputation[l.provider].sampled += 1;
        } else {
            emit MatchAudited(leaseId, chosen, seed);
            if (!chosen) return _release(leaseId, v, l, Stage.Verified, _pay(leaseId, v, 1));
            v.stage = Stage.NeedsValidator;
        }
        _assignFrom(leaseId, v, l, seed);
    }

    /// @inheritdoc IVerificationManager
    function assign(uint256 leaseId) external nonReentrant {
        Verification storage v = _stage(leaseId, Stage.NeedsValidator);
        bytes32 seed = _seed(leaseId, v);
        // The lease was already sampled (or disputed) at random: a stale validator draw only waits again, unforced.
        if (seed == bytes32(0)) return _rearm(leaseId, v, false);
        _assignFrom(leaseId, v, market.getLease(leaseId), seed);
    }

    /// @inheritdoc IVerificationManager
    function timeout(uint256 leaseId) external nonReentrant {
        Verification storage v = _known(leaseId);
        Stage stage = v.stage;
        if (stage == Stage.NeedsValidator && v.round > 1 && v.deadline != 0) {
            // A dispute nobody could be drawn for: no verdict came, so the accused provider is not paid.
            if (block.timestamp <= v.deadline) revert VerifyWindowOpen(leaseId, v.deadline);
            return _refundUndecided(leaseId, v, market.getLease(leaseId));
        }
        if (stage != Stage.Assigned && stage != Stage.Committed && stage != Stage.Revealed && stage != Stage.FinalReveal) {
            revert VerifyWrongStage(leaseId, stage);
        }
        if (block.timestamp <= v.deadline) revert VerifyWindowOpen(leaseId, v.deadline);
        IComputeMarket.Lease memory l = market.getLease(leaseId);
        if (stage == Stage.FinalReveal) return _decideFinalReveal(leaseId, v, l);
        if (stage == Stage.Committed) {
            // The provider would not open its commitment: its result counts as wrong.
            emit WindowMissed(leaseId, l.provider, stage, 0);
            return _fail(leaseId, v, l, 1, false);
        }
        // The current validator (in a committee, each member that has not committed) missed its window: it pays the
        // penalty and another one is drawn in its place.
        Assignment storage a = _assignments[leaseId];
        for (uint8 slot = v.round; slot <= _lastSlot(v); ++slot) {
            if (stage == Stage.Assigned && _commitOf(a, slot) != bytes32(0)) continue; // a member that committed stays
            address missed = _validatorOf(a, slot);
            validators.release(missed, false);
            uint256 penalty = validators.penalize(missed, params.verificationParams().missedWindowPenalty);
            _feePool += penalty;
            if (slot == 1) (a.validator1, a.commit1) = (address(0), bytes32(0));
            else if (slot == 2) (a.validator2, a.commit2) = (address(0), bytes32(0));
            else (a.validator3, a.commit3) = (address(0), bytes32(0));
            emit WindowMissed(leaseId, missed, stage, penalty);
        }
        _waitForValidator(v);
    }

    // ---------------------------------------------------------------- verification steps

    /// @inheritdoc IVerificationManager
    function commitResult(uint256 leaseId, bytes32 commitment) external {
        Verification storage v = _stage(leaseId, Stage.Assigned);
        _requireOpenWindow(leaseId, v);
        if (commitment == bytes32(0)) revert VerifyZeroCommitment();
        Assignment storage a = _assignments[leaseId];
        if (_committee(v)) {
            // Exact-mode dispute: the second and third validators commit blind, then all three reveal.
            if (msg.sender == a.validator2) a.commit2 = commitment;
            else if (msg.sender == a.validator3) a.commit3 = commitment;
            else revert VerifyNotAssigned(leaseId, msg.sender);
            if (a.commit2 != bytes32(0) && a.commit3 != bytes32(0)) _nextStep(v, Stage.FinalReveal);
            emit ResultCommitted(leaseId, msg.sender, msg.sender == a.validator2 ? 2 : 3);
            return;
        }
        _requireCurrentValidator(leaseId, v, a);
        if (v.round == 1) a.commit1 = commitment;
        else if (v.round == 2) a.commit2 = commitment;
        else a.commit3 = commitment;
        // Every other step needs the provider's salt, which after round 1 (or a replaced validator) is already
        // public: it does not reveal the provider's result.
        _nextStep(v, a.saltRevealed ? Stage.Revealed : Stage.Committed);
        emit ResultCommitted(leaseId, msg.sender, v.round);
    }

    /// @inheritdoc IVerificationManager
    function revealSalt(uint256 leaseId, bytes32 salt) external {
        Verification storage v = _stage(leaseId, Stage.Committed);
        _requireOpenWindow(leaseId, v);
        if (msg.sender != market.getLease(leaseId).provider) revert VerifyNotProvider(leaseId, msg.sender);
        Assignment storage a = _assignments[leaseId];
        a.providerSalt = salt;
        a.saltRevealed = true;
        _nextStep(v, Stage.Revealed);
        emit ProviderSaltRevealed(leaseId, salt);
    }

    /// @inheritdoc IVerificationManager
    function attestMatch(uint256 leaseId, bytes32 resultHash, bytes32 salt) external nonReentrant {
        Verification storage v = _attesting(leaseId);
        Assignment storage a = _assignments[leaseId];
        _checkCommitment(leaseId, _commitOf(a, v.round), resultHash, salt);
        IComputeMarket.Lease memory l = market.getLease(leaseId);
        if (v.mode == Mode.Exact && !_opens(leaseId, l.resultHash, resultHash, a.providerSalt)) {
            revert VerifyNotAMatch(leaseId);
        }
        emit Attested(leaseId, msg.sender, v.round, true, resultHash);
        if (v.round == 3) return _decideByThird(leaseId, v, l, true);
        if (v.round == 2) {
            // Tolerance-mode dispute: the second validator contradicts the first's mismatch.
            a.result2 = resultHash;
            return _nextRound(v);
        }
        if (v.mode == Mode.Exact) return _release(leaseId, v, l, Stage.Verified, _pay(leaseId, v, 1));
        // A tolerance-mode match is the validator's judgement: it publishes the outputs it committed to, and a
        // draw from a block it cannot know yet decides whether a second validator audits it.
        a.result1 = resultHash;
        v.round = 2;
        v.audit = true;
        v.stage = Stage.Pending;
        v.drawBlock = uint64(block.number);
        v.deadline = 0;
    }

    /// @inheritdoc IVerificationManager
    function attestMismatch(uint256 leaseId) external nonReentrant {
        Verification storage v = _attesting(leaseId);
        emit Attested(leaseId, msg.sender, v.round, false, bytes32(0));
        if (v.round == 1) return _nextRound(v); // a dispute: a second validator, drawn from a block nobody knows yet
        IComputeMarket.Lease memory l = market.getLease(leaseId);
        if (v.round == 3) return _decideByThird(leaseId, v, l, false);
        // Tolerance-mode dispute: two independent validators agreeing decides it.
        _fail(leaseId, v, l, 1 | 2, true);
    }

    /// @inheritdoc IVerificationManager
    function attestAudit(uint256 leaseId, bool providerMatches, bool firstReproduced, bytes32 resultHash, bytes32 salt)
        external
        nonReentrant
    {
        Verification storage v = _stage(leaseId, Stage.Revealed);
        if (!v.audit || v.round != 2) revert VerifyNotAnAudit(leaseId);
        _requireOpenWindow(leaseId, v);
        Assignment storage a = _assignments[leaseId];
        _requireCurrentValidator(leaseId, v, a);
        _checkCommitment(leaseId, a.commit2, resultHash, salt);
        a.result2 = resultHash;
        emit Audited(leaseId, msg.sender, providerMatches, firstReproduced, resultHash);
        if (!providerMatches) return _nextRound(v); // the audit contradicts the match: a third validator decides
        IComputeMarket.Lease memory l = market.getLease(leaseId);
        // The auditor is paid the same whatever it says of the first validator. Its word alone withholds the first's
        // pay; only on-chain evidence slashes: the auditor's outputs open the provider's commitment (the job
        // reproduces byte for byte) and the first published other outputs, so the first did not re-run it.
        if (!firstReproduced && _opens(leaseId, l.resultHash, resultHash, a.providerSalt) && a.result1 != resultHash) {
            _slashInto(leaseId, a.validator1, new address[](0));
        }
        _release(leaseId, v, l, Stage.Verified, _pay(leaseId, v, firstReproduced ? 1 | 2 : 2));
    }

    /// @inheritdoc IVerificationManager
    function revealResult(uint256 leaseId, bytes32 resultHash, bytes32 salt) external nonReentrant {
        Verification storage v = _stage(leaseId, Stage.FinalReveal);
        _requireOpenWindow(leaseId, v);
        Assignment storage a = _assignments[leaseId];
        if (resultHash == bytes32(0)) revert VerifyZeroCommitment();
        uint8 slot = msg.sender == a.validator1 ? 1 : msg.sender == a.validator2 ? 2 : msg.sender == a.validator3 ? 3 : 0;
        if (slot == 0) revert VerifyNotAssigned(leaseId, msg.sender);
        if (_resultOf(a, slot) != bytes32(0)) revert VerifyAlreadyRevealed(leaseId, msg.sender);
        _checkCommitment(leaseId, _commitOf(a, slot), resultHash, salt);
        if (slot == 1) a.result1 = resultHash;
        else if (slot == 2) a.result2 = resultHash;
        else a.result3 = resultHash;
        emit ResultRevealed(leaseId, msg.sender, resultHash);
        if (a.result1 != bytes32(0) && a.result2 != bytes32(0) && a.result3 != bytes32(0)) {
            _decideFinalReveal(leaseId, v, market.getLease(leaseId));
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IVerificationManager
    function pendingValue(address provider) external view returns (uint256) {
        return _pendingValue[provider];
    }

    /// @inheritdoc IVerificationManager
    function getVerification(uint256 leaseId) external view returns (Verification memory) {
        return _verifications[leaseId];
    }

    /// @inheritdoc IVerificationManager
    function getAssignment(uint256 leaseId) external view returns (Assignment memory) {
        return _assignments[leaseId];
    }

    /// @inheritdoc IVerificationManager
    function getReputation(address provider) external view returns (Reputation memory) {
        return _reputation[provider];
    }

    /// @inheritdoc IVerificationManager
    function feePool() external view returns (uint256) {
        return _feePool;
    }

    /// @inheritdoc IVerificationManager
    function totalLocked() external view returns (uint256) {
        return _totalLocked;
    }

    // ---------------------------------------------------------------- outcomes

    /// @dev Exact mode, a dispute: the first validator attested a mismatch, the second and third committed blind, and
    ///      all three revealed (or the window closed). Exact results reproduce byte for byte, so the only evidence
    ///      against the provider is two independent results that are equal and do not open its commitment: it
    ///      fails, and a result that opens it (a copy of its manifest) or differs from the pair is slashed. Otherwise
    ///      any result that opens the commitment verifies it; two or more that do slash the results that do not.
    ///      Nothing opens and nothing agrees: nobody reproduced anything, so there is no verdict (Refunded).
    ///      A silent validator is slashed and is no vote; a first validator whose own result opens the provider's
    ///      commitment attested a false mismatch and is slashed. Validators whose results support the outcome are paid.
    function _decideFinalReveal(uint256 leaseId, Verification storage v, IComputeMarket.Lease memory l) private {
        Assignment storage a = _assignments[leaseId];
        uint8 opening; // bit i: validator i + 1's result opens the provider's commitment
        uint8 agreeing; // bit i: validator i + 1's result is a non-opening result equal to another validator's
        for (uint8 i = 1; i <= 3; ++i) {
            bytes32 r = _resultOf(a, i);
            if (_opens(leaseId, l.resultHash, r, a.providerSalt)) opening |= _bit(i);
            else if (r != bytes32(0)) {
                for (uint8 j = i + 1; j <= 3; ++j) {
                    if (_resultOf(a, j) == r) agreeing |= _bit(i) | _bit(j);
                }
            }
        }
        Stage outcome = agreeing != 0 ? Stage.Failed : opening != 0 ? Stage.Verified : Stage.Refunded;
        uint8 upheld = outcome == Stage.Failed ? agreeing : opening & ~uint8(1); // an opening first result lied
        bool proven = opening != 0 && opening & (opening - 1) != 0; // at least two results open the commitment
        address[] memory right = _addressesOf(a, upheld);
        if (outcome == Stage.Verified) right = _withProvider(right, l.provider);
        for (uint8 i = 1; i <= 3; ++i) {
            bool silent = _resultOf(a, i) == bytes32(0);
            bool opens = _names(opening, i);
            bool contradicted = (i == 1 && opens) || (outcome == Stage.Failed && !_names(agreeing, i))
                || (outcome == Stage.Verified && proven && !opens);
            if (silent) _slashInto(leaseId, _validatorOf(a, i), new address[](0));
            else if (contradicted) _slashInto(leaseId, _validatorOf(a, i), right);
        }
        if (outcome == Stage.Failed) return _fail(leaseId, v, l, upheld, true);
        if (outcome == Stage.Verified) return _release(leaseId, v, l, Stage.Verified, _pay(leaseId, v, upheld));
        _refundUndecided(leaseId, v, l);
    }

    /// @dev Round 3: the first two validators contradicted each other about the provider's result, so the third's
    ///      vote is the majority. In a dispute the second voted for the provider; in an audit, the first did.
    function _decideByThird(uint256 leaseId, Verification storage v, IComputeMarket.Lease memory l, bool providerRight)
        private
    {
        Assignment storage a = _assignments[leaseId];
        // The first validator voted for the provider in an audit (its match), against it in a dispute (its mismatch).
        bool firstInMajority = v.audit == providerRight;
        uint8 majority = (firstInMajority ? 1 : 2) | 4; // 1: first validator, 2: second, 4: third
        address minority = firstInMajority ? a.validator2 : a.validator1;
        address[] memory right = new address[](providerRight ? 3 : 2);
        (right[0], right[1]) = (firstInMajority ? a.validator1 : a.validator2, a.validator3);
        if (providerRight) right[2] = l.provider;
        _slashInto(leaseId, minority, right);
        if (providerRight) return _release(leaseId, v, l, Stage.Verified, _pay(leaseId, v, majority));
        _fail(leaseId, v, l, majority, true);
    }

    /// @dev The provider's result is wrong: refund the client its payment (locked payout, then the slash), pay the
    ///      validators in `winners` (bit i: validator i + 1) their fee and a bounty, and put the rest into the pool.
    function _fail(uint256 leaseId, Verification storage v, IComputeMarket.Lease memory l, uint8 winners, bool disputed)
        private
    {
        uint256 locked = v.locked;
        (uint256 slashed, uint256 fromSlash) = _slashProvider(l, locked);
        uint256 rest = slashed - fromSlash;
        _feePool += rest - _payBounty(leaseId, rest, _addressesOf(_assignments[leaseId], winners));
        _pay(leaseId, v, winners);
        Reputation storage rep = _reputation[l.provider];
        rep.failed += 1;
        if (disputed) rep.disputesLost += 1;
        _close(leaseId, v, l, Stage.Failed, winners);
        emit VerificationEnded(leaseId, l.provider, Stage.Failed, 0, locked + fromSlash, slashed);
        xpl.safeTransfer(l.client, locked + fromSlash);
    }

    /// @dev Slashes a failed provider: the collateral, plus what the client paid that is not locked here (settled along
    ///      the way), so that the client's refund never eats into the collateral and a cheater keeps nothing it was
    ///      paid. Returns the slash and the part of it that refunds the client.
    function _slashProvider(IComputeMarket.Lease memory l, uint256 locked)
        private
        returns (uint256 slashed, uint256 fromSlash)
    {
        uint256 value = l.paid; // `locked` is part of it, so never more than the refund
        uint256 target = (value * params.verificationParams().collateralRatioBps) / BPS + (value - locked);
        slashed = target == 0 ? 0 : registry.slash(l.provider, target, address(this));
        fromSlash = Math.min(slashed, value - locked);
    }

    /// @dev A dispute that found no validator by its fallback time: there is no verdict, so the accused provider is
    ///      neither paid nor slashed, the client gets the locked payout back, and no validator is paid: a mismatch
    ///      nobody confirmed earns nothing (its fee stays in the pool for verdicts that are upheld).
    function _refundUndecided(uint256 leaseId, Verification storage v, IComputeMarket.Lease memory l) private {
        uint256 locked = v.locked;
        _close(leaseId, v, l, Stage.Refunded, 0);
        emit VerificationEnded(leaseId, l.provider, Stage.Refunded, 0, locked, 0);
        if (locked > 0) xpl.safeTransfer(l.client, locked);
    }

    /// @dev The lease is done with: its payout goes to the provider; `upheld` names the validators already paid.
    function _release(uint256 leaseId, Verification storage v, IComputeMarket.Lease memory l, Stage outcome, uint8 upheld)
        private
    {
        uint256 locked = v.locked;
        if (outcome == Stage.Verified) _reputation[l.provider].verified += 1;
        _close(leaseId, v, l, outcome, upheld);
        emit VerificationEnded(leaseId, l.provider, outcome, locked, 0, 0);
        market.recordVerifiedWork(leaseId); // only paid work earns rewards: recorded now, not when the lease ended
        if (locked > 0) xpl.safeTransfer(l.provider, locked);
    }

    /// @dev Ends the verification and frees its validators, crediting an upheld verdict to those in `upheld`.
    function _close(uint256 leaseId, Verification storage v, IComputeMarket.Lease memory l, Stage outcome, uint8 upheld)
        private
    {
        _totalLocked -= v.locked;
        _pendingValue[l.provider] -= l.paid;
        v.locked = 0;
        v.stage = outcome;
        v.deadline = 0;
        Assignment storage a = _assignments[leaseId];
        for (uint8 round = 1; round <= 3; ++round) {
            address validator = _validatorOf(a, round);
            if (validator != address(0)) validators.release(validator, _names(upheld, round));
        }
    }

    // ---------------------------------------------------------------- money

    /// @dev The most one upheld validator is paid for a lease: its fee divided by the chance that the lease is
    ///      re-executed (and, in tolerance mode, that its match is audited by a second paid validator), so that each
    ///      lease's expected payout equals the fee it paid; never more than the lease's value.
    function _payCap(Mode mode, uint256 value, uint256 fee) private view returns (uint256) {
        IProtocolParameters.VerificationParams memory vp = params.verificationParams();
        uint256 chance = uint256(vp.samplingRateBps) * (BPS + (mode == Mode.Tolerance ? vp.toleranceAuditBps : 0));
        if (chance == 0) return fee; // never sampled at random: only a re-armed draw samples it
        return Math.min(value, (fee * BPS * BPS) / chance);
    }

    /// @dev Pays each validator in `upheld` (bit i: validator i + 1) its fee for the lease: the pay cap, or only the
    ///      lease's own fee if its draw went stale, as far as the pool holds it. Returns `upheld`.
    function _pay(uint256 leaseId, Verification storage v, uint8 upheld) private returns (uint8) {
        uint256 cap = v.forced ? v.fee : v.payCap;
        Assignment storage a = _assignments[leaseId];
        for (uint8 round = 1; round <= 3; ++round) {
            if (!_names(upheld, round)) continue;
            address validator = _validatorOf(a, round);
            uint256 amount = Math.min(cap, _feePool);
            _feePool -= amount;
            emit ValidatorPaid(leaseId, validator, amount);
            if (amount > 0) xpl.safeTransfer(validator, amount);
        }
        return upheld;
    }

    /// @dev Slashes `validatorSlashBps` of a validator's stake into this contract: `bountyBps` of it goes to `right`,
    ///      the rest to the fee pool.
    function _slashInto(uint256 leaseId, address validator, address[] memory right) private {
        uint256 amount = validators.slash(validator, params.verificationParams().validatorSlashBps);
        emit ValidatorSlashed(leaseId, validator, amount);
        _feePool += amount - _payBounty(leaseId, amount, right);
    }

    /// @dev Pays `bountyBps` of `amount`, in equal parts, to `recipients`; returns what it paid.
    function _payBounty(uint256 leaseId, uint256 amount, address[] memory recipients) private returns (uint256 paid) {
        if (recipients.length == 0) return 0;
        uint256 each = (amount * params.verificationParams().bountyBps) / BPS / recipients.length;
        if (each == 0) return 0;
        for (uint256 i; i < recipients.length; ++i) {
            emit BountyPaid(leaseId, recipients[i], each);
            xpl.safeTransfer(recipients[i], each);
        }
        return each * recipients.length;
    }

    // ---------------------------------------------------------------- draws (helpers)

    /// @dev Draws the current round's validators (one; two together for an exact-mode dispute's committee, so that
    ///      both commit blind before anyone reveals), stake-weighted from the set frozen before `drawBlock`, never the
    ///      lease's parties or another validator of it; a committee member still in place is kept. Nobody (or not a
    ///      full committee): round 1 releases; an audit pays the first validator and releases; a dispute keeps the
    ///      payout locked and waits (its fallback clock starts).
    function _assignFrom(uint256 leaseId, Verification storage v, IComputeMarket.Lease memory l, bytes32 seed) private {
        Assignment storage a = _assignments[leaseId];
        address[] memory picked = new address[](5); // the parties, then the validator of each slot (1 to 3)
        (picked[0], picked[1], picked[2], picked[3], picked[4]) =
            (l.provider, l.client, a.validator1, a.validator2, a.validator3);
        uint8 last = _lastSlot(v);
        for (uint8 slot = v.round; slot <= last; ++slot) {
            if (picked[slot + 1] != address(0)) continue;
            address chosen = validators.pick(v.drawBlock, keccak256(abi.encode(seed, leaseId, slot, "validator")), picked);
            if (chosen == address(0)) return _nobodyToDraw(leaseId, v, l);
            picked[slot + 1] = chosen;
        }
        (a.validator1, a.validator2, a.validator3) = (picked[2], picked[3], picked[4]);
        _nextStep(v, Stage.Assigned);
        for (uint8 slot = v.round; slot <= last; ++slot) {
            if (_commitOf(a, slot) != bytes32(0)) continue; // a committee member that committed was assigned before
            validators.assign(picked[slot + 1]);
            emit ValidatorAssigned(leaseId, picked[slot + 1], slot, v.deadline);
        }
    }

    function _nobodyToDraw(uint256 leaseId, Verification storage v, IComputeMarket.Lease memory l) private {
        if (v.round == 1) return _release(leaseId, v, l, Stage.Released, 0);
        if (v.audit && v.round == 2) return _release(leaseId, v, l, Stage.Verified, _pay(leaseId, v, 1));
        v.drawBlock = uint64(block.number); // a retry draws from a block nobody knows yet
        if (v.deadline == 0) {
            v.deadline = uint40(block.timestamp + DISPUTE_DRAW_WINDOWS * params.verificationParams().verificationWindow);
        }
        emit DisputeAwaitingValidator(leaseId, uint64(block.number + 1), v.deadline);
    }

    /// @dev The hash of the block the lease waits on; zero once it is older than 256 blocks (a stale draw).
    function _seed(uint256 leaseId, Verification storage v) private view returns (bytes32) {
        if (block.number <= v.drawBlock) revert VerifyTooEarly(leaseId, v.drawBlock + 1);
        return blockhash(v.drawBlock);
    }

    /// @dev A stale draw decides nothing: the lease waits on this block's hash, unknown to the caller, and is
    ///      sampled (or audited) for sure, so withholding a draw never avoids re-execution; it then pays only its fee.
    function _rearm(uint256 leaseId, Verification storage v, bool forced) private {
        v.drawBlock = uint64(block.number);
        if (forced) v.forced = true;
        emit DrawRearmed(leaseId, v.drawBlock);
    }

    /// @dev The next round waits for its validator, drawn from a block nobody knows yet.
    function _nextRound(Verification storage v) private {
        v.round += 1;
        _waitForValidator(v);
    }

    function _waitForValidator(Verification storage v) private {
        v.stage = Stage.NeedsValidator;
        v.drawBlock = uint64(block.number);
        v.deadline = 0; // no fallback clock until a draw finds nobody
    }

    // ---------------------------------------------------------------- helpers

    /// @dev An exact-mode dispute: a committee of the second and third validators, then a final reveal of all three.
    function _committee(Verification storage v) private view returns (bool) {
        return v.mode == Mode.Exact && v.round == 2;
    }

    /// @dev The last validator slot the current round draws: 3 for a committee, else the round's own.
    function _lastSlot(Verification storage v) private view returns (uint8) {
        return _committee(v) ? 3 : v.round;
    }

    function _resultOf(Assignment storage a, uint8 slot) private view returns (bytes32) {
        return slot == 1 ? a.result1 : slot == 2 ? a.result2 : a.result3;
    }

    function _bit(uint8 slot) private pure returns (uint8) {
        return uint8(1) << (slot - 1);
    }

    function _withProvider(address[] memory list, address provider) private pure returns (address[] memory out) {
        out = new address[](list.length + 1);
        for (uint256 i; i < list.length; ++i) out[i] = list[i];
        out[list.length] = provider;
    }

    function _validatorOf(Assignment storage a, uint8 round) private view returns (address) {
        return round == 1 ? a.validator1 : round == 2 ? a.validator2 : a.validator3;
    }

    function _commitOf(Assignment storage a, uint8 round) private view returns (bytes32) {
        return round == 1 ? a.commit1 : round == 2 ? a.commit2 : a.commit3;
    }

    /// @dev Whether `bits` (bit i: validator i + 1) names the validator of `round`.
    function _names(uint8 bits, uint8 round) private pure returns (bool) {
        return ((bits >> (round - 1)) & 1) == 1;
    }

    /// @dev The validators named by `bits` (bit i: validator i + 1).
    function _addressesOf(Assignment storage a, uint8 bits) private view returns (address[] memory list) {
        list = new address[](3);
        uint256 n;
        for (uint8 round = 1; round <= 3; ++round) {
            if (_names(bits, round)) list[n++] = _validatorOf(a, round);
        }
        assembly ("memory-safe") {
            mstore(list, n) // trim to the validators named
        }
    }

    function _opens(uint256 leaseId, bytes32 commitment, bytes32 resultHash, bytes32 salt) private pure returns (bool) {
        return resultHash != bytes32(0) && keccak256(abi.encode(leaseId, resultHash, salt)) == commitment;
    }

    function _checkCommitment(uint256 leaseId, bytes32 commitment, bytes32 resultHash, bytes32 salt) private view {
        if (keccak256(abi.encode(leaseId, msg.sender, resultHash, salt)) != commitment) revert VerifyCommitmentMismatch(leaseId);
    }

    function _nextStep(Verification storage v, Stage stage) private {
        v.stage = stage;
        v.deadline = uint40(block.timestamp + params.verificationParams().verificationWindow);
    }

    /// @dev A match or mismatch by the current validator, in its open window; an audit needs `attestAudit`.
    function _attesting(uint256 leaseId) private view returns (Verification storage v) {
        v = _stage(leaseId, Stage.Revealed);
        if (v.audit && v.round == 2) revert VerifyAuditExpected(leaseId);
        _requireOpenWindow(leaseId, v);
        _requireCurrentValidator(leaseId, v, _assignments[leaseId]);
    }

    function _requireCurrentValidator(uint256 leaseId, Verification storage v, Assignment storage a) private view {
        if (msg.sender != _validatorOf(a, v.round)) revert VerifyNotAssigned(leaseId, msg.sender);
    }

    function _requireOpenWindow(uint256 leaseId, Verification storage v) private view {
        if (block.timestamp > v.deadline) revert VerifyWindowClosed(leaseId, v.deadline);
    }

    function _known(uint256 leaseId) private view returns (Verification storage v) {
        v = _verifications[leaseId];
        if (v.stage == Stage.None) revert VerifyUnknownLease(leaseId);
    }

    function _stage(uint256 leaseId, Stage expected) private view returns (Verification storage v) {
        v = _known(leaseId);
        if (v.stage != expected) revert VerifyWrongStage(leaseId, v.stage);
    }
}
