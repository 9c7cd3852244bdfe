// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IValidatorSet} from "../../src/interfaces/IValidatorSet.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";
import {VerificationTestBase} from "./VerificationTestBase.sol";

contract VerificationManagerTest is VerificationTestBase {
    // ---------------------------------------------------------------- helpers

    /// @dev Opens, runs for 30 minutes and completes a verified lease whose true outputs hash to MANIFEST;
    ///      the provider reports `reported` instead.
    // ---------------------------------------------------------------- opening and completion

    function test_verifiedLeaseEscrowsTheFeeOnTop() public {
        uint256 before = xpl.balanceOf(client);
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        uint256 value = uint256(PRICE) * 3600;
        assertEq(before - xpl.balanceOf(client), value + value / 10, "value + 10 % fee");
        assertEq(market.escrowOf(leaseId), value + value / 10);
        assertEq(market.exposure(provider), value);
        assertEq(uint8(market.getLease(leaseId).verification), uint8(IVerificationManager.Mode.Exact));
        assertEq(market.getLease(leaseId).verificationFeeBps, 1_000);
    }

    function test_completionLocksPayoutAndChargesFeeOnWhatWasUsed() public {
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        uint256 paid = uint256(PRICE) * 1800;
        uint256 providerShare = paid - paid * 500 / 10_000;
        assertEq(clientBefore - xpl.balanceOf(client), paid + paid / 10, "client paid the used half plus its fee");
        assertEq(xpl.balanceOf(provider), providerBefore, "provider paid nothing yet");
        assertEq(verifier.totalLocked(), providerShare);
        assertEq(verifier.feePool(), paid / 10);
        assertEq(verifier.pendingValue(provider), paid);
        assertEq(market.exposure(provider), 0);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Pending));
        assertEq(verifier.getReputation(provider).completed, 1);
        _assertConserved();
    }

    function test_unverifiedLeasePaysNoFeeAndIsOnlyCounted() public {
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 leaseId = _openVerified(IVerificationManager.Mode.None, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 1800);
        vm.prank(provider);
        market.completeLease(leaseId, MANIFEST);
        assertEq(clientBefore - xpl.balanceOf(client), uint256(PRICE) * 1800);
        assertEq(xpl.balanceOf(address(verifier)), 0);
        assertEq(verifier.getReputation(provider).completed, 1);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.None));
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyUnknownLease.selector, leaseId));
        verifier.draw(leaseId);
    }

    function test_stoppedVerifiedLeaseRefundsTheFee() public {
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 600);
        vm.prank(client);
        market.stopLease(leaseId);
        assertEq(clientBefore - xpl.balanceOf(client), uint256(PRICE) * 600, "no fee without a result to verify");
        assertEq(market.exposure(provider), 0);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.None));
    }

    function test_cancelledVerifiedLeaseRefundsEverything() public {
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Tolerance, 3600);
        vm.warp(block.timestamp + 11 minutes);
        vm.prank(client);
        market.cancelLease(leaseId);
        uint256 penalty = uint256(PRICE) * 3600 / 10;
        assertEq(xpl.balanceOf(client) - clientBefore, penalty / 5, "escrow and fee back, plus 20 % of the no-show penalty");
        assertEq(market.exposure(provider), 0);
    }

    function test_collateralLimitsVerifiedLeases() public {
        // 10,000 XPL of backing at 10x covers 1,000 XPL of verified leases: 277 GPU-hours at 3.6 XPL. Each
        // lease stays under the 1,000 XPL per-lease cap; together they exceed the backing by one GPU-second.
        uint32 half = uint32(500 ether / PRICE);
        _openVerified(IVerificationManager.Mode.Exact, half);
        uint32 oneTooMany = half + 1;
        vm.prank(client);
        vm.expectRevert(
            abi.encodeWithSelector(
                IComputeMarket.MarketInsufficientCollateral.selector,
                provider,
                STAKE,
                (uint256(half) + oneTooMany) * PRICE * 10
            )
        );
        market.openLease(
            IComputeMarket.OpenLeaseParams(
                offerId, 1, oneTooMany, type(uint96).max, bytes32(0), address(0), IVerificationManager.Mode.Exact
            )
        );
        // The same lease without verification needs no collateral.
        vm.prank(client);
        market.openLease(
            IComputeMarket.OpenLeaseParams(offerId, 1, oneTooMany, type(uint96).max, bytes32(0), address(0), IVerificationManager.Mode.None)
        );
        // Delegated stake counts as backing.
        vm.prank(stranger);
        registry.delegate(provider, 1 ether);
        vm.prank(client);
        market.openLease(
            IComputeMarket.OpenLeaseParams(offerId, 1, oneTooMany, type(uint96).max, bytes32(0), address(0), IVerificationManager.Mode.Exact)
        );
    }

    function test_leasesUnderVerificationStillCountTowardsCollateral() public {
        uint32 seconds_ = uint32(900 ether / PRICE);
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, seconds_);
        _start(leaseId);
        vm.warp(block.timestamp + seconds_);
        vm.prank(provider);
        market.completeLease(leaseId, _commitmentOf(leaseId, MANIFEST, SALT));
        assertEq(verifier.pendingValue(provider), 900 ether);
        vm.prank(client);
        vm.expectRevert(
            abi.encodeWithSelector(IComputeMarket.MarketInsufficientCollateral.selector, provider, STAKE, 1_000 ether + 900 ether * 10 + 10 ether)
        );
        market.openLease(
            IComputeMarket.OpenLeaseParams(
                offerId, 1, uint32(101 ether / PRICE), type(uint96).max, bytes32(0), address(0), IVerificationManager.Mode.Exact
            )
        );
        _draw(leaseId, false);
        assertEq(verifier.pendingValue(provider), 0, "released leases no longer need collateral");
        _openVerified(IVerificationManager.Mode.Exact, uint32(101 ether / PRICE));
    }

    // ---------------------------------------------------------------- sampling

    function test_drawNeedsTheNextBlock() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyTooEarly.selector, leaseId, block.number + 1));
        verifier.draw(leaseId);
    }

    function test_notSampledReleasesThePayout() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        uint256 locked = verifier.totalLocked();
        uint256 before = xpl.balanceOf(provider);
        _draw(leaseId, false);
        assertEq(xpl.balanceOf(provider) - before, locked);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Released));
        assertEq(verifier.getReputation(provider).sampled, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IVerificationManager.VerifyWrongStage.selector, leaseId, IVerificationManager.Stage.Released)
        );
        verifier.draw(leaseId);
        _assertConserved();
    }

    function test_sampledAssignsAValidatorOtherThanTheParties() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(leaseId, true);
        address chosen = _current(leaseId);
        assertTrue(chosen == val1 || chosen == val2 || chosen == val3, "a staked validator");
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Assigned));
        assertEq(validatorSet.getValidator(chosen).openAssignments, 1);
        assertEq(verifier.getReputation(provider).sampled, 1);
    }

    function test_aStaleDrawReArmsTheLeaseAndDecidesNothing() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        vm.roll(block.number + 300); // the completion block's hash is gone
        vm.expectEmit(true, true, true, true, address(verifier));
        emit IVerificationManager.DrawRearmed(leaseId, uint64(block.number));
        verifier.draw(leaseId);
        IVerificationManager.Verification memory v = verifier.getVerification(leaseId);
        assertEq(uint8(v.stage), uint8(IVerificationManager.Stage.Pending), "nothing decided from a hash the caller knows");
        assertEq(v.drawBlock, block.number, "it waits on a block nobody knew");
        assertTrue(v.forced);
        assertEq(verifier.getAssignment(leaseId).validator1, address(0));
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyTooEarly.selector, leaseId, block.number + 1));
        verifier.draw(leaseId);
    }

    function test_aReArmedLeaseIsAlwaysSampledAndPaysOnlyItsFee() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        vm.roll(block.number + 300);
        verifier.draw(leaseId);
        _draw(leaseId, false); // a hash that would not sample a fresh draw
        assertEq(verifier.getReputation(provider).sampled, 1);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Assigned), "withholding never avoids sampling");
        address validator = _current(leaseId);
        _validatorCommit(leaseId, validator, MANIFEST);
        _revealProviderSalt(leaseId);
        // Another lease's fee in the pool: the validator of a re-armed lease still gets only this lease's fee.
        uint256 other = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(other, false);
        assertTrue(verifier.feePool() > verifier.getVerification(leaseId).fee);
        uint256 before = xpl.balanceOf(validator);
        vm.prank(validator);
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(validator));
        assertEq(xpl.balanceOf(validator) - before, verifier.getVerification(leaseId).fee, "paid the lease's own fee");
        _assertConserved();
    }

    function test_payCapIsTheFeeOverTheSamplingChance() public {
        uint256 exact = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        IVerificationManager.Verification memory v = verifier.getVerification(exact);
        uint256 value = market.getLease(exact).paid;
        assertEq(v.fee, value / 10);
        assertEq(v.payCap, value, "10 % fee / 10 % sampling = the value, and never more than it");
        uint256 tolerance = _completed(IVerificationManager.Mode.Tolerance, MANIFEST);
        v = verifier.getVerification(tolerance);
        // 10 % sampled, and a fifth of those matches audited by a second paid validator: 12 % of fee-sized pays.
        assertEq(v.payCap, uint256(v.fee) * 10_000 * 10_000 / (1_000 * 12_000));
    }

    function test_noEligibleValidatorReleases() public {
        for (uint256 i; i < 3; ++i) {
            _exitValidator(validators[i]);
        }
        vm.roll(block.number + 1);
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(leaseId, true);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Released));
        assertEq(verifier.pendingValue(provider), 0);
    }

    function test_samplingRateIsRoughlyP() public {
        // 200 leases drawn from 200 different block hashes at p = 10 %: expect 20 (sd 4.2); allow > 3 sd.
        uint256 sampled;
        for (uint256 i; i < 200; ++i) {
            uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, 10);
            _start(leaseId);
            vm.prank(provider);
            market.completeLease(leaseId, _commitmentOf(leaseId, MANIFEST, SALT));
            vm.setBlockhash(block.number, keccak256(abi.encode("block", i)));
            vm.roll(block.number + 1);
            verifier.draw(leaseId);
            if (_stage(leaseId) != IVerificationManager.Stage.Released) sampled += 1;
        }
        assertEq(verifier.getReputation(provider).sampled, sampled);
        assertGe(sampled, 7, "not far below p");
        assertLe(sampled, 33, "not far above p");
    }

    // ---------------------------------------------------------------- honest path

    function test_honestProviderIsVerifiedAndValidatorPaid() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(leaseId, true);
        address validator = _current(leaseId);
        _validatorCommit(leaseId, validator, MANIFEST);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Committed));
        _revealProviderSalt(leaseId);
        uint256 locked = verifier.totalLocked();
        uint256 pool = verifier.feePool();
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 validatorBefore = xpl.balanceOf(validator);
        vm.prank(validator);
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(validator));
        assertEq(xpl.balanceOf(provider) - providerBefore, locked);
        assertEq(xpl.balanceOf(validator) - validatorBefore, pool, "paid the lease's value, as far as the pool holds");
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Verified));
        IVerificationManager.Reputation memory rep = verifier.getReputation(provider);
        assertEq(rep.verified, 1);
        assertEq(rep.failed, 0);
        assertEq(validatorSet.getValidator(validator).attested, 1);
        assertEq(validatorSet.getValidator(validator).openAssignments, 0);
        _assertConserved();
    }

    // ---------------------------------------------------------------- the verifier's dilemma

    function test_lazyValidatorCannotClaimAMatchItDidNotCompute() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(leaseId, true);
        address lazy = _current(leaseId);
        // Without re-running, it can only guess; the provider's manifest hash is not public.
        bytes32 guess = keccak256("a guess");
        _validatorCommit(leaseId, lazy, guess);
        _revealProviderSalt(leaseId);
        vm.prank(lazy);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyNotAMatch.selector, leaseId));
        verifier.attestMatch(leaseId, guess, _saltOf(lazy));
        // Copying the provider's on-chain commitment does not open it either.
        bytes32 onChain = market.getLease(leaseId).resultHash;
        vm.prank(lazy);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyCommitmentMismatch.selector, leaseId));
        verifier.attestMatch(leaseId, onChain, _saltOf(lazy));
        // Nor does committing to the copy.
        uint256 other = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(other, true);
        address copier = _current(other);
        bytes32 copied = market.getLease(other).resultHash;
        _validatorCommit(other, copier, copied);
        _revealProviderSalt(other);
        vm.prank(copier);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyNotAMatch.selector, other));
        verifier.attestMatch(other, copied, _saltOf(copier));
    }

    function test_lazyValidatorIsCaughtByTheDisputeAndSlashed() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(leaseId, true);
        address lazy = _current(leaseId);
        _validatorCommit(leaseId, lazy, keccak256("a guess"));
        _revealProviderSalt(leaseId);
        vm.prank(lazy);
        verifier.attestMismatch(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.NeedsValidator));
        (address second, address third) = _committeeCommits(leaseId, MANIFEST, MANIFEST);
        assertTrue(second != lazy && third != lazy && second != third && third != address(0), "an independent committee");
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.FinalReveal), "all three reveal what they committed");
        _reveal(leaseId, lazy, keccak256("a guess"));
        _reveal(leaseId, second, MANIFEST);

        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 secondBefore = xpl.balanceOf(second);
        uint256 thirdBefore = xpl.balanceOf(third);
        uint256 locked = verifier.totalLocked();
        uint256 pool = verifier.feePool();
        uint256 cap = verifier.getVerification(leaseId).payCap;
        _reveal(leaseId, third, MANIFEST);

        // Two results open the provider's commitment: the one that does not is slashed.
        uint256 slashed = VALIDATOR_STAKE / 2;
        uint256 bountyEach = slashed / 10 / 3;
        uint256 poolThen = pool + slashed - 3 * bountyEach;
        assertEq(_stakeOf(lazy), VALIDATOR_STAKE - slashed, "lazy validator lost half its stake");
        assertEq(validatorSet.getValidator(lazy).disputesLost, 1);
        assertEq(xpl.balanceOf(provider) - providerBefore, locked + bountyEach, "provider: payout plus bounty");
        assertEq(xpl.balanceOf(second) - secondBefore, cap + bountyEach, "second validator: fee plus bounty");
        assertEq(xpl.balanceOf(third) - thirdBefore, cap + bountyEach, "third validator: fee plus bounty");
        assertEq(verifier.feePool(), poolThen - 2 * cap, "the rest of the slash funds the pool");
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Verified));
        assertEq(validatorSet.getValidator(lazy).openAssignments, 0);
        assertEq(validatorSet.getValidator(third).attested, 1);
        _assertConserved();
    }

    function test_silentLazyFirstValidatorLosesToASecondThatOpensTheCommitment() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(leaseId, true);
        address lazy = _current(leaseId);
        _validatorCommit(leaseId, lazy, keccak256("a guess"));
        _revealProviderSalt(leaseId);
        vm.prank(lazy);
        verifier.attestMismatch(leaseId);
        (address second, address third) = _committeeCommits(leaseId, MANIFEST, MANIFEST);
        _reveal(leaseId, second, MANIFEST);
        _reveal(leaseId, third, MANIFEST);
        vm.warp(block.timestamp + 1 hours + 1);
        verifier.timeout(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Verified), "no contradiction from a silent validator");
        assertEq(_stakeOf(lazy), VALIDATOR_STAKE / 2);
        assertEq(validatorSet.getValidator(second).attested, 1);
        assertEq(validatorSet.getValidator(third).attested, 1);
        _assertConserved();
    }

    // ---------------------------------------------------------------- cheating provider

    function test_cheatingProviderIsSlashedAndClientRefunded() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, WRONG);
        uint256 value = market.getLease(leaseId).paid;
        _draw(leaseId, true);
        address first = _current(leaseId);
        _validatorCommit(leaseId, first, MANIFEST);
        _revealProviderSalt(leaseId);
        vm.prank(first);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyNotAMatch.selector, leaseId));
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(first));
        vm.prank(first);
        verifier.attestMismatch(leaseId);
        (address second, address third) = _committeeCommits(leaseId, MANIFEST, MANIFEST);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.FinalReveal), "committed blind, then all reveal");
        vm.prank(second);
        vm.expectRevert(
            abi.encodeWithSelector(IVerificationManager.VerifyWrongStage.selector, leaseId, IVerificationManager.Stage.FinalReveal)
        );
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(second)); // no bare match settles a dispute

        uint256 clientBefore = xpl.balanceOf(client);
        uint256 firstBefore = xpl.balanceOf(first);
        uint256 stakeBefore = registry.getProvider(provider).stake;
        uint256 pool = verifier.feePool();
        vm.prank(first);
        verifier.revealResult(leaseId, MANIFEST, _saltOf(first));
        vm.prank(first);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyAlreadyRevealed.selector, leaseId, first));
        verifier.revealResult(leaseId, MANIFEST, _saltOf(first));
        _reveal(leaseId, second, MANIFEST);
        _reveal(leaseId, third, MANIFEST);

        // Locked: the provider's share of the final settlement; the protocol fee was not locked.
        uint256 unlocked = value * 500 / 10_000;
        assertEq(
            stakeBefore - registry.getProvider(provider).stake,
            value * 10 + unlocked,
            "10x the lease's value plus what was not locked"
        );
        assertEq(xpl.balanceOf(client) - clientBefore, value, "client gets back all it paid");
        assertEq(
            xpl.balanceOf(first) - firstBefore, _expectedWinnerPay(value * 10, pool, value), "first validator: bounty and fee"
        );
        assertEq(validatorSet.getValidator(third).attested, 1, "the whole committee agreed");
        assertEq(verifier.getReputation(provider).failed, 1);
        assertEq(verifier.getReputation(provider).disputesLost, 1);
        assertEq(verifier.getReputation(provider).verified, 0);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed));
        assertEq(verifier.pendingValue(provider), 0);
        _assertConserved();
    }

    /// @dev The first of three winners: a third of the bounty on what the slash leaves after the refund, then its
    ///      fee from the pool, which the rest of the slash has topped up first.
    function _expectedWinnerPay(uint256 rest, uint256 pool, uint256 value) internal pure returns (uint256) {
        uint256 bountyEach = rest / 10 / 3;
        uint256 poolThen = pool + rest - 3 * bountyEach;
        return bountyEach + (value < poolThen ? value : poolThen);
    }

    function test_finalRevealMatchingTheProviderSlashesBothValidators() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(leaseId, true);
        address first = _current(leaseId);
        _validatorCommit(leaseId, first, MANIFEST); // it has the right result but claims a mismatch
        _revealProviderSalt(leaseId);
        vm.prank(first);
        verifier.attestMismatch(leaseId);
        (address second, address third) = _committeeCommits(leaseId, WRONG, MANIFEST);
        _reveal(leaseId, first, MANIFEST);
        _reveal(leaseId, second, WRONG);
        _reveal(leaseId, third, MANIFEST);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Verified));
        assertEq(_stakeOf(first), VALIDATOR_STAKE / 2, "it lied: its own result opens the commitment");
        assertEq(_stakeOf(second), VALIDATOR_STAKE / 2, "two results open the commitment: it did not reproduce it");
        assertEq(_stakeOf(third), VALIDATOR_STAKE);
        assertEq(validatorSet.getValidator(third).attested, 1);
        _assertConserved();
    }

    function test_toleranceModeSecondMismatchDecides() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Tolerance, WRONG);
        _draw(leaseId, true);
        address first = _current(leaseId);
        _validatorCommit(leaseId, first, keccak256("first's own outputs"));
        _revealProviderSalt(leaseId);
        vm.prank(first);
        verifier.attestMismatch(leaseId);
        _assignNext(leaseId);
        address second = _current(leaseId);
        _validatorCommit(leaseId, second, keccak256("second's own outputs"));
        vm.prank(second);
        verifier.attestMismatch(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed));
        assertEq(validatorSet.getValidator(first).attested, 1);
        assertEq(validatorSet.getValidator(second).attested, 1);
        _assertConserved();
    }

    function test_toleranceModeMatchIsTheValidatorsJudgement() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Tolerance, MANIFEST);
        _draw(leaseId, true);
        address validator = _current(leaseId);
        bytes32 ownOutputs = keccak256("close but not identical outputs");
        _validatorCommit(leaseId, validator, ownOutputs);
        _revealProviderSalt(leaseId);
        uint256 before = xpl.balanceOf(validator);
        uint256 pool = verifier.feePool();
        vm.prank(validator);
        verifier.attestMatch(leaseId, ownOutputs, _saltOf(validator));
        assertEq(verifier.getAssignment(leaseId).result1, ownOutputs, "its outputs are published");
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Pending), "waiting for the audit draw");
        assertEq(xpl.balanceOf(validator), before, "not paid before the audit draw");
        _drawAudit(leaseId, false);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Verified));
        uint256 cap = verifier.getVerification(leaseId).payCap;
        assertEq(xpl.balanceOf(validator) - before, cap < pool ? cap : pool, "paid once the match is not audited");
        _assertConserved();
    }

    // ---------------------------------------------------------------- windows

    function test_validatorMissingItsCommitWindowPaysAndIsReplaced() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(leaseId, true);
        address sleepy = _current(leaseId);
        vm.expectRevert(
            abi.encodeWithSelector(IVerificationManager.VerifyWindowOpen.selector, leaseId, verifier.getVerification(leaseId).deadline)
        );
        verifier.timeout(leaseId);
        vm.warp(block.timestamp + 1 hours + 1);
        vm.prank(sleepy);
        vm.expectRevert(
            abi.encodeWithSelector(IVerificationManager.VerifyWindowClosed.selector, leaseId, verifier.getVerification(leaseId).deadline)
        );
        verifier.commitResult(leaseId, bytes32(uint256(1)));
        uint256 pool = verifier.feePool();
        verifier.timeout(leaseId);
        assertEq(_stakeOf(sleepy), VALIDATOR_STAKE - 100 ether, "the missed-window penalty");
        assertEq(validatorSet.getValidator(sleepy).missed, 1);
        assertEq(validatorSet.getValidator(sleepy).openAssignments, 0);
        assertEq(verifier.feePool() - pool, 100 ether);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.NeedsValidator));
        _assignNext(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Assigned));
        _assertConserved();
    }

    function test_providerThatDoesNotRevealFails() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(leaseId, true);
        address validator = _current(leaseId);
        _validatorCommit(leaseId, validator, MANIFEST);
        vm.warp(block.timestamp + 1 hours + 1);
        uint256 clientBefore = xpl.balanceOf(client);
        verifier.timeout(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed));
        assertEq(xpl.balanceOf(client) - clientBefore, market.getLease(leaseId).paid);
        assertEq(verifier.getReputation(provider).failed, 1);
        assertEq(verifier.getReputation(provider).disputesLost, 0);
        _assertConserved();
    }

    function test_silentValidatorInFinalRevealIsSlashedAndTheOtherPaid() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, WRONG);
        address first = _disputeByFirst(leaseId, MANIFEST);
        (address second, address third) = _committeeCommits(leaseId, MANIFEST, MANIFEST);
        _reveal(leaseId, first, MANIFEST);
        _reveal(leaseId, third, MANIFEST);
        vm.warp(block.timestamp + 1 hours + 1);
        verifier.timeout(leaseId);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed), "two equal results that do not open it");
        assertEq(_stakeOf(second), VALIDATOR_STAKE / 2, "silent: slashed");
        assertEq(validatorSet.getValidator(first).attested, 1, "the revealers are upheld");
        assertEq(validatorSet.getValidator(third).attested, 1);
        _assertConserved();
    }

    // ---------------------------------------------------------------- bad input

    function test_onlyTheAssignedValidatorMayAct() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(leaseId, true);
        address validator = _current(leaseId);
        address other = validator == val1 ? val2 : val1;
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyNotAssigned.selector, leaseId, other));
        verifier.commitResult(leaseId, bytes32(uint256(1)));
        vm.prank(validator);
        vm.expectRevert(IVerificationManager.VerifyZeroCommitment.selector);
        verifier.commitResult(leaseId, bytes32(0));
        _validatorCommit(leaseId, validator, MANIFEST);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyNotProvider.selector, leaseId, stranger));
        verifier.revealSalt(leaseId, SALT);
        vm.prank(validator);
        vm.expectRevert(
            abi.encodeWithSelector(IVerificationManager.VerifyWrongStage.selector, leaseId, IVerificationManager.Stage.Committed)
        );
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(validator));
        _revealProviderSalt(leaseId);
        vm.prank(validator);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyCommitmentMismatch.selector, leaseId));
        verifier.attestMatch(leaseId, MANIFEST, keccak256("another salt"));
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyNotAssigned.selector, leaseId, other));
        verifier.attestMismatch(leaseId);
    }

    function test_lateAndDoubleAttestationsAreRefused() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(leaseId, true);
        address validator = _current(leaseId);
        _validatorCommit(leaseId, validator, MANIFEST);
        _revealProviderSalt(leaseId);
        uint40 deadline = verifier.getVerification(leaseId).deadline;
        vm.warp(uint256(deadline) + 1);
        vm.prank(validator);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyWindowClosed.selector, leaseId, deadline));
        verifier.attestMatch(leaseId, MANIFEST, _saltOf(validator));

        uint256 other = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(other, true);
        address second = _current(other);
        _validatorCommit(other, second, MANIFEST);
        _revealProviderSalt(other);
        vm.prank(second);
        verifier.attestMatch(other, MANIFEST, _saltOf(second));
        vm.prank(second);
        vm.expectRevert(
            abi.encodeWithSelector(IVerificationManager.VerifyWrongStage.selector, other, IVerificationManager.Stage.Verified)
        );
        verifier.attestMatch(other, MANIFEST, _saltOf(second));
        vm.prank(second);
        vm.expectRevert(
            abi.encodeWithSelector(IVerificationManager.VerifyWrongStage.selector, other, IVerificationManager.Stage.Verified)
        );
        verifier.attestMismatch(other);
    }

    function test_onlyTheMarketRecordsCompletions() public {
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyNotMarket.selector, address(this)));
        verifier.onLeaseCompleted(1, provider, IVerificationManager.Mode.Exact, 1, 1, 1);
        vm.prank(owner);
        vm.expectRevert(IVerificationManager.VerifyMarketAlreadySet.selector);
        verifier.setMarket(market);
    }

    // ---------------------------------------------------------------- validators

    function test_validatorExitWaitsForUnbondingAndOpenAssignments() public {
        uint256 leaseId = _completed(IVerificationManager.Mode.Exact, MANIFEST);
        _draw(leaseId, true);
        address busy = _current(leaseId);
        _exitValidator(busy);
        uint64 exitAt = validatorSet.getValidator(busy).exitAt;
        assertEq(validatorSet.activeValidators().length, 2);
        vm.warp(exitAt);
        vm.prank(busy);
        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetExitNotReady.selector, busy, exitAt, uint32(1)));
        validatorSet.withdraw();
        // Its window passed long ago: the timeout frees it (less the penalty).
        verifier.timeout(leaseId);
        uint256 before = xpl.balanceOf(busy);
        vm.prank(busy);
        validatorSet.withdraw();
        assertEq(xpl.balanceOf(busy) - before, VALIDATOR_STAKE - 100 ether);
        _assertConserved();
    }
}
