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
import {IVerificationManager} from "../interfaces/IVerificationManager.sol";

/// @title VerificationManager
/// @notice Samples completed leases for re-execution and runs the verification game:
///         1. The provider completed the lease with `resultHash = keccak256(abi.encode(leaseId, manifestHash, salt))`.
///         2. `draw`: the hash of the completion block (unknown to the provider when it sent the result)
///            decides, with probability `samplingRateBps`, whether the lease is re-executed.
///         3. A validator drawn from the staked set commits to its own result, then the provider reveals its
///            salt, then the validator attests. A match must reveal a manifest hash that opens the provider's
///            commitment (exact mode), so copying is impossible: the provider's manifest hash is never public
///            before the validator has committed, and only a re-execution can produce it.
///         4. A mismatch keeps the validator's result hidden and sends the lease to a second validator.
///            Its match decides for the provider (the first validator is slashed); its mismatch leads to a
///            final reveal in which the two validators' results must agree for them to be paid. From the
///            mismatch on the payout stays locked until a verdict: with no second validator to draw, the lease
///            waits (anyone may retry the draw); after `DISPUTE_DRAW_WINDOWS` windows with nobody drawn the
///            client is refunded and the first validator paid its fee; the accused provider is never paid.
///         Losers are slashed; the client gets its payment back from the provider's locked payout and the
///         slash; the parties proven right share a bounty; the rest funds the validator fee pool.
///         XPL held here always equals locked payouts + the fee pool + validator stakes.
contract VerificationManager is IVerificationManager, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 private constant BPS = 10_000;
    /// @notice Most validators examined per draw, so that a draw's gas stays bounded.
    uint256 public constant MAX_DRAW_TRIES = 64;
    /// @notice Verification windows a dispute waits for a second validator before its client is refunded.
    uint256 public constant DISPUTE_DRAW_WINDOWS = 24;

    IERC20 public immutable xpl;
    IProviderRegistry public immutable registry;
    IProtocolParameters public immutable params;
    IComputeMarket public market;

    mapping(uint256 leaseId => Verification) private _verifications;
    mapping(uint256 leaseId => Assignment) private _assignments;
    mapping(address validator => Validator) private _validators;
    address[] private _active;
    mapping(address provider => Reputation) private _reputation;
    mapping(address provider => uint256) private _pendingValue;
    mapping(uint256 offerId => HardwareCheck) private _hardware;
    uint256 private _feePool;
    uint256 private _totalLocked;
    uint256 private _totalValidatorStake;

    /// @param admin Sets the market once (the deployer, which then hands the role to the timelock).
    constructor(IERC20 xpl_, IProviderRegistry registry_, IProtocolParameters params_, address admin) {
        xpl = xpl_;
        registry = registry_;
        params = params_;
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
            locked: SafeCast.toUint96(locked)
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
        (bytes32 seed, bool fresh) = _seed(leaseId, v);
        IProtocolParameters.VerificationParams memory vp = params.verificationParams();
        // Without the block's hash (nobody drew in time) the lease counts as sampled.
        bool sampled = !fresh || uint256(keccak256(abi.encode(seed, leaseId))) % BPS < vp.samplingRateBps;
        emit LeaseSampled(leaseId, sampled, seed);
        IComputeMarket.Lease memory l = market.getLease(leaseId);
        if (!sampled) return _release(leaseId, v, l, Stage.Released);
        _reputation[l.provider].sampled += 1;
        _assignFrom(leaseId, v, l, seed, vp);
    }

    /// @inheritdoc IVerificationManager
    function assign(uint256 leaseId) external nonReentrant {
        Verification storage v = _stage(leaseId, Stage.NeedsValidator);
        (bytes32 seed,) = _seed(leaseId, v);
        _assignFrom(leaseId, v, market.getLease(leaseId), seed, params.verificationParams());
    }

    /// @inheritdoc IVerificationManager
    function timeout(uint256 leaseId) external nonReentrant {
        Verification storage v = _known(leaseId);
        Stage stage = v.stage;
        if (stage == Stage.NeedsValidator && v.round == 2 && v.deadline != 0) {
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
        Assignment storage a = _assignments[leaseId];
        if (stage == Stage.Committed) {
            // The provider would not open its commitment: its result counts as wrong.
            emit WindowMissed(leaseId, l.provider, stage, 0);
            address[] memory winners = new address[](1);
            winners[0] = a.validator1;
            return _fail(leaseId, v, l, winners, false);
        }
        // The current validator missed its window: it pays the penalty and another one is drawn.
        address missed = v.round == 1 ? a.validator1 : a.validator2;
        Validator storage val = _validators[missed];
        uint256 penalty = Math.min(params.verificationParams().missedWindowPenalty, val.stake);
        val.stake -= uint128(penalty);
        val.missed += 1;
        val.openAssignments -= 1;
        _totalValidatorStake -= penalty;
        _feePool += penalty;
        if (v.round == 1) (a.validator1, a.commit1) = (address(0), bytes32(0));
        else (a.validator2, a.commit2) = (address(0), bytes32(0));
        v.stage = Stage.NeedsValidator;
        v.drawBlock = uint64(block.number);
        v.deadline = 0; // no fallback clock until a draw finds nobody
        emit WindowMissed(leaseId, missed, stage, penalty);
    }

    // ---------------------------------------------------------------- verification steps

    /// @inheritdoc IVerificationManager
    function commitResult(uint256 leaseId, bytes32 commitment) external {
        Verification storage v = _stage(leaseId, Stage.Assigned);
        _requireOpenWindow(leaseId, v);
        if (commitment == bytes32(0)) revert VerifyZeroCommitment();
        Assignment storage a = _assignments[leaseId];
        _requireCurrentValidator(leaseId, v, a);
        if (v.round == 1) a.commit1 = commitment;
        else a.commit2 = commitment;
        // After a replaced validator the salt may already be public; it does not reveal the result.
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
        Verification storage v = _stage(leaseId, Stage.Revealed);
        _requireOpenWindow(leaseId, v);
        Assignment storage a = _assignments[leaseId];
        _requireCurrentValidator(leaseId, v, a);
        _checkCommitment(leaseId, v.round == 1 ? a.commit1 : a.commit2, resultHash, salt);
        IComputeMarket.Lease memory l = market.getLease(leaseId);
        if (v.mode == Mode.Exact && !_opens(leaseId, l.resultHash, resultHash, a.providerSalt)) {
            revert VerifyNotAMatch(leaseId);
        }
        emit Attested(leaseId, msg.sender, v.round, true, resultHash);
        if (v.round == 1) {
            _payValidator(leaseId, a.validator1, l.paid);
            return _release(leaseId, v, l, Stage.Verified);
        }
        // The dispute went the provider's way: the first validator was wrong.
        uint256 slashed = _slashValidator(leaseId, a.validator1);
        address[] memory right = new address[](2);
        (right[0], right[1]) = (l.provider, a.validator2);
        _payValidator(leaseId, a.validator2, l.paid);
        _feePool += slashed - _payBounty(leaseId, slashed, right);
        _release(leaseId, v, l, Stage.Verified);
    }

    /// @inheritdoc IVerificationManager
    function attestMismatch(uint256 leaseId) external nonReentrant {
        Verification storage v = _stage(leaseId, Stage.Revealed);
        _requireOpenWindow(leaseId, v);
        Assignment storage a = _assignments[leaseId];
        _requireCurrentValidator(leaseId, v, a);
        emit Attested(leaseId, msg.sender, v.round, false, bytes32(0));
        if (v.round == 1) {
            // A dispute: a second validator, drawn from a block nobody knows yet.
            v.round = 2;
            v.stage = Stage.NeedsValidator;
            v.drawBlock = uint64(block.number);
            v.deadline = 0; // no fallback clock until a draw finds nobody
            return;
        }
        if (v.mode == Mode.Tolerance) {
            // Closeness is judged off chain: two independent validators agreeing decides it.
            address[] memory winners = new address[](2);
            (winners[0], winners[1]) = (a.validator1, a.validator2);
            return _fail(leaseId, v, market.getLease(leaseId), winners, true);
        }
        // Exact mode: the two validators must show they agree with each other.
        _nextStep(v, Stage.FinalReveal);
    }

    /// @inheritdoc IVerificationManager
    function revealResult(uint256 leaseId, bytes32 resultHash, bytes32 salt) external nonReentrant {
        Verification storage v = _stage(leaseId, Stage.FinalReveal);
        _requireOpenWindow(leaseId, v);
        Assignment storage a = _assignments[leaseId];
        if (resultHash == bytes32(0)) revert VerifyZeroCommitment();
        if (msg.sender == a.validator1) {
            if (a.result1 != bytes32(0)) revert VerifyAlreadyRevealed(leaseId, msg.sender);
            _checkCommitment(leaseId, a.commit1, resultHash, salt);
            a.result1 = resultHash;
        } else if (msg.sender == a.validator2) {
            if (a.result2 != bytes32(0)) revert VerifyAlreadyRevealed(leaseId, msg.sender);
            _checkCommitment(leaseId, a.commit2, resultHash, salt);
            a.result2 = resultHash;
        } else {
            revert VerifyNotAssigned(leaseId, msg.sender);
        }
        emit ResultRevealed(leaseId, msg.sender, resultHash);
        if (a.result1 != bytes32(0) && a.result2 != bytes32(0)) _decideFinalReveal(leaseId, v, market.getLease(leaseId));
    }

    // ---------------------------------------------------------------- validators

    /// @inheritdoc IVerificationManager
    function stakeValidator(uint256 amount) external nonReentrant {
        if (amount == 0) revert VerifyZeroAmount();
        Validator storage val = _validators[msg.sender];
        if (val.exitAt != 0) revert VerifyValidatorExiting(msg.sender);
        uint256 stake = val.stake + amount;
        uint256 minimum = params.verificationParams().minValidatorStake;
        if (stake < minimum) revert VerifyStakeBelowMinimum(stake, minimum);
        val.stake = SafeCast.toUint128(stake);
        _totalValidatorStake += amount;
        if (val.slot == 0) {
            _active.push(msg.sender);
            val.slot = uint32(_active.length);
        }
        emit ValidatorStaked(msg.sender, amount, stake);
        xpl.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IVerificationManager
    function requestValidatorExit() external {
        Validator storage val = _validators[msg.sender];
        if (val.slot == 0) revert VerifyNotValidator(msg.sender);
        address last = _active[_active.length - 1];
        _active[val.slot - 1] = last;
        _validators[last].slot = val.slot;
        _active.pop();
        val.slot = 0;
        val.exitAt = uint64(block.timestamp + params.stakingParams().unbondingPeriod);
        emit ValidatorExitRequested(msg.sender, val.exitAt);
    }

    /// @inheritdoc IVerificationManager
    function withdrawValidatorStake() external nonReentrant returns (uint256 amount) {
        Validator storage val = _validators[msg.sender];
        if (val.exitAt == 0 || block.timestamp < val.exitAt || val.openAssignments != 0) {
            revert VerifyExitNotReady(msg.sender, val.exitAt, val.openAssignments);
        }
        amount = val.stake;
        val.stake = 0;
        val.exitAt = 0;
        _totalValidatorStake -= amount;
        emit ValidatorWithdrawn(msg.sender, amount);
        if (amount > 0) xpl.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IVerificationManager
    function recordHardwareCheck(uint256 offerId, bool passed, bytes32 reportHash) external {
        if (!_eligible(msg.sender, params.verificationParams().minValidatorStake)) revert VerifyNotValidator(msg.sender);
        registry.getOffer(offerId); // reverts for an unknown offer
        _hardware[offerId] = HardwareCheck({
            failed: !passed,
            checkedAt: uint64(block.timestamp),
            validator: msg.sender,
            reportHash: reportHash
        });
        emit HardwareChecked(offerId, msg.sender, passed, reportHash);
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
    function getValidator(address validator) external view returns (Validator memory) {
        return _validators[validator];
    }

    /// @inheritdoc IVerificationManager
    function getReputation(address provider) external view returns (Reputation memory) {
        return _reputation[provider];
    }

    /// @inheritdoc IVerificationManager
    function getHardwareCheck(uint256 offerId) external view returns (HardwareCheck memory) {
        return _hardware[offerId];
    }

    /// @inheritdoc IVerificationManager
    function activeValidators() external view returns (address[] memory) {
        return _active;
    }

    /// @inheritdoc IVerificationManager
    function feePool() external view returns (uint256) {
        return _feePool;
    }

    /// @inheritdoc IVerificationManager
    function totalLocked() external view returns (uint256) {
        return _totalLocked;
    }

    /// @inheritdoc IVerificationManager
    function totalValidatorStake() external view returns (uint256) {
        return _totalValidatorStake;
    }

    // ---------------------------------------------------------------- outcomes

    /// @dev Exact-mode final reveal: a revealed result that opens the provider's commitment proves the
    ///      provider right (both validators had claimed a mismatch, so both are slashed); two equal results
    ///      prove it wrong; otherwise it is not reproduced and loses, and only a lone revealer is paid.
    function _decideFinalReveal(uint256 leaseId, Verification storage v, IComputeMarket.Lease memory l) private {
        Assignment storage a = _assignments[leaseId];
        (bytes32 r1, bytes32 r2) = (a.result1, a.result2);
        if (_opens(leaseId, l.resultHash, r1, a.providerSalt) || _opens(leaseId, l.resultHash, r2, a.providerSalt)) {
            uint256 slashed = _slashValidator(leaseId, a.validator1) + _slashValidator(leaseId, a.validator2);
            address[] memory right = new address[](1);
            right[0] = l.provider;
            _feePool += slashed - _payBounty(leaseId, slashed, right);
            return _release(leaseId, v, l, Stage.Verified);
        }
        uint256 silent;
        if (r1 == bytes32(0)) silent += _slashValidator(leaseId, a.validator1);
        if (r2 == bytes32(0)) silent += _slashValidator(leaseId, a.validator2);
        _feePool += silent;
        address[] memory winners;
        if (r1 != bytes32(0) && r1 == r2) {
            winners = new address[](2);
            (winners[0], winners[1]) = (a.validator1, a.validator2);
        } else if ((r1 == bytes32(0)) != (r2 == bytes32(0))) {
            winners = new address[](1);
            winners[0] = r1 != bytes32(0) ? a.validator1 : a.validator2;
        }
        _fail(leaseId, v, l, winners, true);
    }

    /// @dev The provider's result is wrong: refund the client its payment (locked payout, then the slash),
    ///      pay the validators proven right their fee and a bounty, and put the rest into the fee pool.
    function _fail(
        uint256 leaseId,
        Verification storage v,
        IComputeMarket.Lease memory l,
        address[] memory winners,
        bool disputed
    ) private {
        IProtocolParameters.VerificationParams memory vp = params.verificationParams();
        uint256 value = l.paid;
        uint256 locked = v.locked; // part of `value`, so never more than the refund
        // The collateral, plus what the client paid that is not locked here (settled along the way): the
        // client's refund then never eats into the collateral, and a cheater keeps nothing it was paid.
        uint256 target = (value * vp.collateralRatioBps) / BPS + (value - locked);
        uint256 slashed = target == 0 ? 0 : registry.slash(l.provider, target, address(this));
        uint256 fromSlash = Math.min(slashed, value - locked);
        uint256 rest = slashed - fromSlash;
        uint256 bounty = _payBounty(leaseId, rest, winners);
        _feePool += rest - bounty;
        for (uint256 i; i < winners.length; ++i) {
            _payValidator(leaseId, winners[i], value);
        }
        Reputation storage rep = _reputation[l.provider];
        rep.failed += 1;
        if (disputed) rep.disputesLost += 1;
        _close(leaseId, v, l, Stage.Failed);
        emit VerificationEnded(leaseId, l.provider, Stage.Failed, 0, locked + fromSlash, slashed);
        xpl.safeTransfer(l.client, locked + fromSlash);
    }

    /// @dev A dispute that found no second validator by its fallback time: there is no verdict, so the accused
    ///      provider is neither paid nor slashed; the client gets the locked payout back and the first validator,
    ///      whose mismatch went unanswered, its fee.
    function _refundUndecided(uint256 leaseId, Verification storage v, IComputeMarket.Lease memory l) private {
        uint256 locked = v.locked;
        address first = _assignments[leaseId].validator1;
        _close(leaseId, v, l, Stage.Refunded);
        emit VerificationEnded(leaseId, l.provider, Stage.Refunded, 0, locked, 0);
        _payValidator(leaseId, first, l.paid);
        if (locked > 0) xpl.safeTransfer(l.client, locked);
    }

    /// @dev The lease is done with: its payout goes to the provider.
    function _release(uint256 leaseId, Verification storage v, IComputeMarket.Lease memory l, Stage outcome) private {
        uint256 locked = v.locked;
        if (outcome == Stage.Verified) _reputation[l.provider].verified += 1;
        _close(leaseId, v, l, outcome);
        emit VerificationEnded(leaseId, l.provider, outcome, locked, 0, 0);
        if (locked > 0) xpl.safeTransfer(l.provider, locked);
    }

    function _close(uint256 leaseId, Verification storage v, IComputeMarket.Lease memory l, Stage outcome) private {
        _totalLocked -= v.locked;
        _pendingValue[l.provider] -= l.paid;
        v.locked = 0;
        v.stage = outcome;
        v.deadline = 0;
        Assignment storage a = _assignments[leaseId];
        if (a.validator1 != address(0)) _validators[a.validator1].openAssignments -= 1;
        if (a.validator2 != address(0)) _validators[a.validator2].openAssignments -= 1;
    }

    // ---------------------------------------------------------------- money

    /// @dev A validator's fee for an upheld verdict: the lease's value, as far as the pool holds it.
    function _payValidator(uint256 leaseId, address validator, uint256 value) private {
        uint256 amount = Math.min(value, _feePool);
        _feePool -= amount;
        _validators[validator].attested += 1;
        emit ValidatorPaid(leaseId, validator, amount);
        if (amount > 0) xpl.safeTransfer(validator, amount);
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

    /// @dev Takes `validatorSlashBps` of a validator's stake into this contract's hands; returns it.
    function _slashValidator(uint256 leaseId, address validator) private returns (uint256 amount) {
        Validator storage val = _validators[validator];
        amount = (uint256(val.stake) * params.verificationParams().validatorSlashBps) / BPS;
        val.stake -= uint128(amount);
        val.disputesLost += 1;
        _totalValidatorStake -= amount;
        emit ValidatorSlashed(leaseId, validator, amount);
    }

    // ---------------------------------------------------------------- helpers

    /// @dev Picks a validator at random (from `seed`) among the active ones with enough stake, other than
    ///      the lease's provider and client and, in a dispute, the first validator. None: release, except in
    ///      a dispute, whose payout stays locked while the draw is retried (and the fallback clock runs).
    function _assignFrom(
        uint256 leaseId,
        Verification storage v,
        IComputeMarket.Lease memory l,
        bytes32 seed,
        IProtocolParameters.VerificationParams memory vp
    ) private {
        Assignment storage a = _assignments[leaseId];
        address chosen = _pick(seed, leaseId, v.round, l, a.validator1, vp.minValidatorStake);
        if (chosen == address(0)) {
            if (v.round == 1) return _release(leaseId, v, l, Stage.Released);
            v.drawBlock = uint64(block.number); // a retry draws from a block nobody knows yet
            if (v.deadline == 0) {
                v.deadline = uint40(block.timestamp + DISPUTE_DRAW_WINDOWS * vp.verificationWindow);
            }
            emit DisputeAwaitingValidator(leaseId, uint64(block.number + 1), v.deadline);
            return;
        }
        if (v.round == 1) a.validator1 = chosen;
        else a.validator2 = chosen;
        _validators[chosen].openAssignments += 1;
        _nextStep(v, Stage.Assigned);
        emit ValidatorAssigned(leaseId, chosen, v.round, v.deadline);
    }

    function _pick(bytes32 seed, uint256 leaseId, uint8 round, IComputeMarket.Lease memory l, address excluded, uint256 minStake)
        private
        view
        returns (address)
    {
        uint256 n = _active.length;
        if (n == 0) return address(0);
        uint256 start = uint256(keccak256(abi.encode(seed, leaseId, round))) % n;
        uint256 tries = Math.min(n, MAX_DRAW_TRIES);
        for (uint256 i; i < tries; ++i) {
            address candidate = _active[(start + i) % n];
            if (candidate == l.provider || candidate == l.client || candidate == excluded) continue;
            if (_eligible(candidate, minStake)) return candidate;
        }
        return address(0);
    }

    function _eligible(address validator, uint256 minStake) private view returns (bool) {
        Validator storage val = _validators[validator];
        return val.slot != 0 && val.stake >= minStake;
    }

    /// @dev The hash of the block in which the lease started waiting; once it is older than 256 blocks,
    ///      the latest block's hash instead, and `fresh` is false.
    function _seed(uint256 leaseId, Verification storage v) private view returns (bytes32 seed, bool fresh) {
        if (block.number <= v.drawBlock) revert VerifyTooEarly(leaseId, v.drawBlock + 1);
        seed = blockhash(v.drawBlock);
        fresh = seed != bytes32(0);
        if (!fresh) seed = blockhash(block.number - 1);
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

    function _requireCurrentValidator(uint256 leaseId, Verification storage v, Assignment storage a) private view {
        if (msg.sender != (v.round == 1 ? a.validator1 : a.validator2)) revert VerifyNotAssigned(leaseId, msg.sender);
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
