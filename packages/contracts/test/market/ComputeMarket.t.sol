// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract ComputeMarketTest is Fixture {
    uint256 internal offerId;

    function setUp() public override {
        super.setUp();
        _registerAndStake(provider, STAKE);
        offerId = _offer(provider, 8, PRICE);
    }

    // ------------------------------------------------------------------ openLease

    function test_openLease_escrowsAndReservesInOneCall() public {
        uint256 before = xpl.balanceOf(client);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.CapacityReserved(offerId, 2, 2);
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.LeaseOpened(1, provider, client, offerId, 2, 3600, PRICE, 7.2 ether, keccak256("spec"), builder, uint32(block.timestamp + 600), IVerificationManager.Mode.None);
        uint256 leaseId = _open(offerId, 2, 3600, builder);
        assertEq(leaseId, 1);
        assertEq(market.leaseCount(), 1);
        assertEq(xpl.balanceOf(client), before - 7.2 ether, "client paid price x gpus x seconds");
        assertEq(xpl.balanceOf(address(market)), 7.2 ether, "market holds escrow");
        assertEq(market.escrowOf(leaseId), 7.2 ether);
        assertEq(registry.getOffer(offerId).gpusInUse, 2);
        IComputeMarket.Lease memory l = market.getLease(leaseId);
        assertEq(l.client, client);
        assertEq(l.provider, provider);
        assertEq(l.builder, builder);
        assertEq(l.offerId, offerId);
        assertEq(l.gpus, 2);
        assertEq(l.maxSeconds, 3600);
        assertEq(l.startBy, block.timestamp + 600);
        assertEq(uint8(l.status), uint8(IComputeMarket.LeaseStatus.Open));
        assertEq(l.specHash, keccak256("spec"));
    }

    function test_openLease_revertsWhenZeroGpus() public {
        vm.expectRevert(IComputeMarket.MarketZeroGpus.selector);
        _open(offerId, 0, 3600, address(0));
    }

    function test_openLease_revertsWhenZeroDuration() public {
        vm.expectRevert(IComputeMarket.MarketZeroDuration.selector);
        _open(offerId, 1, 0, address(0));
    }

    function test_openLease_revertsWhenPriceAboveMax() public {
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketPriceAboveMax.selector, offerId, PRICE, PRICE - 1));
        market.openLease(
            IComputeMarket.OpenLeaseParams(offerId, 1, 60, PRICE - 1, bytes32(0), address(0), IVerificationManager.Mode.None)
        );
    }

    function test_openLease_revertsWhenOfferUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryUnknownOffer.selector, 99));
        _open(99, 1, 60, address(0));
    }

    function test_openLease_revertsWhenOfferInactive() public {
        vm.prank(provider);
        registry.updateOffer(offerId, PRICE, 8, false);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryOfferInactive.selector, offerId));
        _open(offerId, 1, 60, address(0));
    }

    function test_openLease_revertsWhenCapacityExceeded() public {
        _open(offerId, 6, 60, address(0));
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryInsufficientCapacity.selector, offerId, 3, 2));
        _open(offerId, 3, 60, address(0));
    }

    function test_openLease_revertsWhenEscrowTooLarge() public {
        vm.prank(provider);
        uint256 dear = registry.createOffer(
            IProviderRegistry.OfferInput("H100", 80, 65_535, type(uint96).max, "eu")
        );
        uint256 escrow = uint256(type(uint96).max) * 65_535 * type(uint32).max;
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketEscrowTooLarge.selector, escrow));
        _open(dear, 65_535, type(uint32).max, address(0));
    }

    function test_openLease_revertsWhenProviderBelowMinimumStake() public {
        vm.prank(owner);
        params.setParameter("minProviderStake", STAKE + 1);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryStakeBelowMinimum.selector, provider, STAKE, STAKE + 1));
        _open(offerId, 1, 60, address(0));
    }

    function test_openLease_revertsWhenOfferIdTooLarge() public {
        // Unknown ids fail in the registry before the cast; the cast guards ids beyond uint64.
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryUnknownOffer.selector, uint256(type(uint64).max) + 1));
        _open(uint256(type(uint64).max) + 1, 1, 60, address(0));
    }

    function test_openLeaseWithPermit_needsNoApproval() public {
        vm.prank(client);
        xpl.approve(address(market), 0);
        uint256 value = 1.2 ether;
        (uint8 v, bytes32 r, bytes32 s) = _permit(CLIENT_KEY, client, address(market), value, block.timestamp + 1 hours);
        vm.prank(client);
        uint256 leaseId = market.openLeaseWithPermit(
            IComputeMarket.OpenLeaseParams(offerId, 2, 600, PRICE, bytes32(0), address(0), IVerificationManager.Mode.None), value, block.timestamp + 1 hours, v, r, s
        );
        assertEq(market.escrowOf(leaseId), 1.2 ether);
        assertEq(xpl.allowance(client, address(market)), 0, "permit covered exactly the escrow");
    }

    function test_openLeaseWithPermit_succeedsWhenPermitFrontRunButAllowanceSuffices() public {
        vm.prank(client);
        xpl.approve(address(market), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permit(CLIENT_KEY, client, address(market), 1 ether, deadline);
        xpl.permit(client, address(market), 1 ether, deadline, v, r, s); // someone submits it first
        vm.prank(client);
        uint256 leaseId = market.openLeaseWithPermit(
            IComputeMarket.OpenLeaseParams(offerId, 1, 1000, PRICE, bytes32(0), address(0), IVerificationManager.Mode.None), 1 ether, deadline, v, r, s
        );
        assertEq(market.escrowOf(leaseId), 1 ether);
    }

    function test_openLeaseWithPermit_revertsWithoutAllowanceWhenPermitInvalid() public {
        vm.prank(client);
        xpl.approve(address(market), 0);
        (uint8 v, bytes32 r, bytes32 s) = _permit(PROVIDER_KEY, client, address(market), 1 ether, block.timestamp + 1 hours);
        vm.prank(client);
        // The forged permit is ignored; the transfer then fails for want of allowance.
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, 1 ether));
        market.openLeaseWithPermit(
            IComputeMarket.OpenLeaseParams(offerId, 1, 1000, PRICE, bytes32(0), address(0), IVerificationManager.Mode.None), 1 ether, block.timestamp + 1 hours, v, r, s
        );
    }

    // ------------------------------------------------------------------ startLease

    function test_startLease_atTheDeadlineWorks() public {
        uint256 leaseId = _open(offerId, 1, 60, address(0));
        vm.warp(block.timestamp + 600);
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.LeaseStarted(leaseId, provider, uint32(block.timestamp));
        _start(leaseId);
        IComputeMarket.Lease memory l = market.getLease(leaseId);
        assertEq(uint8(l.status), uint8(IComputeMarket.LeaseStatus.Running));
        assertEq(l.startedAt, block.timestamp);
    }

    function test_startLease_revertsAfterTheDeadline() public {
        uint256 leaseId = _open(offerId, 1, 60, address(0));
        uint32 startBy = market.getLease(leaseId).startBy;
        vm.warp(uint256(startBy) + 1);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketStartDeadlinePassed.selector, leaseId, startBy));
        _start(leaseId);
    }

    function test_startLease_revertsWhenNotProvider() public {
        uint256 leaseId = _open(offerId, 1, 60, address(0));
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketNotProvider.selector, leaseId, client));
        market.startLease(leaseId);
    }

    function test_startLease_revertsWhenAlreadyRunning() public {
        uint256 leaseId = _open(offerId, 1, 60, address(0));
        _start(leaseId);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketLeaseNotOpen.selector, leaseId, IComputeMarket.LeaseStatus.Running));
        _start(leaseId);
    }

    function test_startLease_revertsWhenUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketUnknownLease.selector, 7));
        _start(7);
    }

    // ------------------------------------------------------------------ completeLease and the fee split

    function test_completeLease_paysUsedSecondsSplitsFeesAndRefundsTheRest() public {
        uint256 leaseId = _open(offerId, 2, 3600, builder);
        _start(leaseId);
        vm.warp(block.timestamp + 1000);
        // gross = 1e15 * 2 * 1000 = 2 ether; fee 5 % = 0.1 ether; builder 20 % of fee = 0.02 ether.
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 clientBefore = xpl.balanceOf(client);
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.LeaseSettled(leaseId, provider, 2 ether, 1.9 ether, 0.08 ether, 0.02 ether);
        vm.expectEmit(true, true, true, true, address(registry));
        emit IProviderRegistry.CapacityReleased(offerId, 2, 0);
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.LeaseEnded(leaseId, provider, client, IComputeMarket.EndReason.Completed, 2 ether, 5.2 ether, 0, keccak256("result"));
        vm.prank(provider);
        market.completeLease(leaseId, keccak256("result"));
        assertEq(xpl.balanceOf(provider), providerBefore + 1.9 ether, "provider");
        assertEq(xpl.balanceOf(client), clientBefore + 5.2 ether, "client refund");
        assertEq(market.builderBalance(builder), 0.02 ether, "builder");
        assertEq(market.protocolFeesPending(), 0.08 ether, "protocol");
        assertEq(xpl.balanceOf(address(market)), 0.1 ether, "market keeps only fees");
        assertEq(registry.getOffer(offerId).gpusInUse, 0, "capacity released in the same transaction");
        IComputeMarket.Lease memory l = market.getLease(leaseId);
        assertEq(uint8(l.status), uint8(IComputeMarket.LeaseStatus.Ended));
        assertEq(uint8(l.endReason), uint8(IComputeMarket.EndReason.Completed));
        assertEq(l.resultHash, keccak256("result"));
        assertEq(l.paid, 2 ether);
        assertEq(l.endedAt, block.timestamp);
        assertEq(market.escrowOf(leaseId), 0);
    }

    function test_completeLease_withoutBuilderSendsTheWholeFeeToTheProtocol() public {
        uint256 leaseId = _open(offerId, 1, 100, address(0));
        _start(leaseId);
        vm.warp(block.timestamp + 100);
        vm.prank(provider);
        market.completeLease(leaseId, keccak256("r"));
        assertEq(market.protocolFeesPending(), 0.005 ether); // 5 % of 0.1 ether
    }

    function test_completeLease_capsPayAtMaxSeconds() public {
        uint256 leaseId = _open(offerId, 1, 100, address(0));
        _start(leaseId);
        vm.warp(block.timestamp + 10_000);
        uint256 clientBefore = xpl.balanceOf(client);
        vm.prank(provider);
        market.completeLease(leaseId, keccak256("r"));
        assertEq(market.getLease(leaseId).paid, 0.1 ether);
        assertEq(xpl.balanceOf(client), clientBefore, "nothing left to refund");
    }

    function test_completeLease_revertsWhenZeroResultHash() public {
        uint256 leaseId = _open(offerId, 1, 100, address(0));
        _start(leaseId);
        vm.prank(provider);
        vm.expectRevert(IComputeMarket.MarketZeroResultHash.selector);
        market.completeLease(leaseId, bytes32(0));
    }

    function test_completeLease_revertsWhenNotRunning() public {
        uint256 leaseId = _open(offerId, 1, 100, address(0));
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketLeaseNotRunning.selector, leaseId, IComputeMarket.LeaseStatus.Open));
        market.completeLease(leaseId, keccak256("r"));
    }

    function test_completeLease_revertsWhenNotProvider() public {
        uint256 leaseId = _open(offerId, 1, 100, address(0));
        _start(leaseId);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketNotProvider.selector, leaseId, stranger));
        market.completeLease(leaseId, keccak256("r"));
    }

    // ------------------------------------------------------------------ settle

    function test_settle_paysAccruedWithoutTheClient() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        _start(leaseId);
        vm.warp(block.timestamp + 250);
        uint256 before = xpl.balanceOf(provider);
        vm.prank(provider);
        uint256 gross = market.settle(leaseId);
        assertEq(gross, 0.25 ether);
        assertEq(xpl.balanceOf(provider), before + 0.2375 ether);
        assertEq(market.accrued(leaseId), 0);
        assertEq(market.escrowOf(leaseId), 0.75 ether);
        vm.warp(block.timestamp + 100);
        assertEq(market.accrued(leaseId), 0.1 ether);
        vm.prank(client); // the client may settle too
        assertEq(market.settle(leaseId), 0.1 ether);
    }

    function test_settle_returnsZeroWhenNothingAccrued() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        _start(leaseId);
        vm.prank(provider);
        assertEq(market.settle(leaseId), 0);
    }

    function test_settle_endsTheLeaseOnceEverySecondIsUsed() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        _start(leaseId);
        vm.warp(block.timestamp + 400);
        vm.prank(provider);
        market.settle(leaseId);
        vm.warp(block.timestamp + 5000);
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.LeaseEnded(leaseId, provider, client, IComputeMarket.EndReason.EscrowExhausted, 1 ether, 0, 0, bytes32(0));
        vm.prank(provider);
        assertEq(market.settle(leaseId), 0.6 ether);
        assertEq(uint8(market.getLease(leaseId).endReason), uint8(IComputeMarket.EndReason.EscrowExhausted));
        assertEq(registry.getOffer(offerId).gpusInUse, 0);
    }

    function test_settle_revertsForStrangers() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        _start(leaseId);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketNotParty.selector, leaseId, stranger));
        market.settle(leaseId);
    }

    function test_settle_revertsWhenNotRunning() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketLeaseNotRunning.selector, leaseId, IComputeMarket.LeaseStatus.Open));
        market.settle(leaseId);
    }

    // ------------------------------------------------------------------ stop, fail, cancel

    function test_stopLease_paysUsedSecondsAndRefunds() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        _start(leaseId);
        vm.warp(block.timestamp + 10);
        uint256 before = xpl.balanceOf(client);
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.LeaseEnded(leaseId, provider, client, IComputeMarket.EndReason.StoppedByClient, 0.01 ether, 0.99 ether, 0, bytes32(0));
        vm.prank(client);
        market.stopLease(leaseId);
        assertEq(xpl.balanceOf(client), before + 0.99 ether);
        assertEq(registry.getOffer(offerId).gpusInUse, 0);
    }

    function test_stopLease_revertsWhenNotClient() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        _start(leaseId);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketNotClient.selector, leaseId, provider));
        market.stopLease(leaseId);
    }

    function test_stopLease_revertsWhenEnded() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        _start(leaseId);
        vm.prank(client);
        market.stopLease(leaseId);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketLeaseNotRunning.selector, leaseId, IComputeMarket.LeaseStatus.Ended));
        market.stopLease(leaseId);
    }

    function test_failLease_timedOutPaysUsedSeconds() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        _start(leaseId);
        vm.warp(block.timestamp + 300);
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.LeaseEnded(leaseId, provider, client, IComputeMarket.EndReason.TimedOut, 0.3 ether, 0.7 ether, 0, keccak256("logs"));
        vm.prank(provider);
        market.failLease(leaseId, IComputeMarket.EndReason.TimedOut, keccak256("logs"));
        assertEq(market.getLease(leaseId).resultHash, keccak256("logs"));
    }

    function test_failLease_providerFailedRefundsEverythingUnsettled() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        _start(leaseId);
        vm.warp(block.timestamp + 100);
        vm.prank(provider);
        market.settle(leaseId); // 0.1 ether settled stays paid
        vm.warp(block.timestamp + 200);
        uint256 before = xpl.balanceOf(client);
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.LeaseEnded(leaseId, provider, client, IComputeMarket.EndReason.ProviderFailed, 0.1 ether, 0.9 ether, 0, bytes32(0));
        vm.prank(provider);
        market.failLease(leaseId, IComputeMarket.EndReason.ProviderFailed, bytes32(0));
        assertEq(xpl.balanceOf(client), before + 0.9 ether);
    }

    function test_failLease_revertsForOtherReasons() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        _start(leaseId);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketInvalidFailReason.selector, IComputeMarket.EndReason.Completed));
        market.failLease(leaseId, IComputeMarket.EndReason.Completed, bytes32(0));
    }

    function test_failLease_revertsWhenNotProvider() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        _start(leaseId);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketNotProvider.selector, leaseId, client));
        market.failLease(leaseId, IComputeMarket.EndReason.TimedOut, bytes32(0));
    }

    function test_cancelLease_refundsEverythingAndSlashesTheNoShow() public {
        uint256 leaseId = _open(offerId, 4, 1000, address(0)); // escrow 4 ether, penalty 10 % = 0.4 ether
        vm.warp(block.timestamp + 601);
        uint256 before = xpl.balanceOf(client);
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.LeaseEnded(leaseId, provider, client, IComputeMarket.EndReason.NoShow, 0, 4 ether, 0.4 ether, bytes32(0));
        vm.prank(client);
        market.cancelLease(leaseId);
        assertEq(xpl.balanceOf(client), before + 4.08 ether, "refund plus 20 % of the penalty");
        assertEq(xpl.balanceOf(treasury), 0.32 ether, "the rest of the penalty to the treasury");
        assertEq(registry.getProvider(provider).stake, STAKE - 0.4 ether);
        assertEq(registry.getOffer(offerId).gpusInUse, 0);
        assertEq(xpl.balanceOf(address(market)), 0);
    }

    function test_cancelLease_countsTheNoShowInTheProvidersReputation() public {
        uint256 first = _open(offerId, 1, 1000, address(0));
        uint256 second = _open(offerId, 1, 1000, address(0));
        vm.warp(block.timestamp + 601);
        vm.expectEmit(true, true, true, true, address(verifier));
        emit IVerificationManager.NoShowRecorded(first, provider, 1);
        vm.prank(client);
        market.cancelLease(first);
        vm.expectEmit(true, true, true, true, address(verifier));
        emit IVerificationManager.NoShowRecorded(second, provider, 2);
        vm.prank(client);
        market.cancelLease(second);
        IVerificationManager.Reputation memory rep = verifier.getReputation(provider);
        assertEq(rep.noShows, 2, "both no-shows count");
        assertEq(rep.completed, 0);
    }

    function test_onLeaseNoShow_revertsWhenNotMarket() public {
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IVerificationManager.VerifyNotMarket.selector, client));
        verifier.onLeaseNoShow(1, provider);
    }

    function test_cancelLease_penaltyComesFromUnbondingWhenStakeIsGone() public {
        uint256 leaseId = _open(offerId, 4, 1000, address(0));
        vm.prank(provider);
        registry.updateOffer(offerId, PRICE, 8, false); // inactive: may unstake everything
        vm.prank(provider);
        registry.requestUnstake(STAKE);
        vm.warp(block.timestamp + 601);
        vm.prank(client);
        market.cancelLease(leaseId);
        assertEq(registry.getProvider(provider).unbonding, STAKE - 0.4 ether);
    }

    function test_cancelLease_withZeroPenaltyParameterSlashesNothing() public {
        vm.prank(owner);
        params.setParameter("noShowPenaltyBps", 0);
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        vm.warp(block.timestamp + 601);
        vm.prank(client);
        market.cancelLease(leaseId);
        assertEq(registry.getProvider(provider).stake, STAKE);
    }

    function test_cancelLease_revertsBeforeTheDeadline() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        uint32 startBy = market.getLease(leaseId).startBy;
        vm.warp(startBy);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketStartDeadlineNotPassed.selector, leaseId, startBy, uint256(startBy)));
        market.cancelLease(leaseId);
    }

    function test_cancelLease_revertsWhenStarted() public {
        uint256 leaseId = _open(offerId, 1, 1000, address(0));
        _start(leaseId);
        vm.warp(block.timestamp + 601);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketLeaseNotOpen.selector, leaseId, IComputeMarket.LeaseStatus.Running));
        market.cancelLease(leaseId);
    }

    function test_cancelLease_anyoneMayEndANoShowAndTheClientIsStillPaid() public {
        uint256 leaseId = _open(offerId, 4, 1000, address(0));
        vm.warp(block.timestamp + 601);
        uint256 before = xpl.balanceOf(client);
        uint256 callerBefore = xpl.balanceOf(stranger);
        vm.prank(stranger);
        market.cancelLease(leaseId);
        assertEq(xpl.balanceOf(client), before + 4.08 ether, "refund plus 20 % of the penalty, to the client");
        assertEq(xpl.balanceOf(stranger), callerBefore, "the caller gains nothing");
        assertEq(uint8(market.getLease(leaseId).endReason), uint8(IComputeMarket.EndReason.NoShow));
    }

    /// A client opens a large verified lease the provider fails to start, then never cancels: before the fix
    /// only the client could end it, and it held the provider's (and its delegators') collateral lock forever.
    function test_attack_clientNeverCancelsANoShowToLockTheProvidersBacking() public {
        vm.prank(client);
        uint256 leaseId = market.openLease(
            IComputeMarket.OpenLeaseParams({
                offerId: offerId,
                gpus: 4,
                maxSeconds: 100_000,
                maxPricePerGpuSecond: type(uint96).max,
                specHash: keccak256("spec"),
                builder: address(0),
                verification: IVerificationManager.Mode.Exact
            })
        );
        uint256 locked = market.lockedCollateral(provider);
        assertTrue(locked > 0, "the verified lease locks collateral");
        vm.warp(block.timestamp + 365 days); // the client sits on it
        vm.prank(provider);
        vm.expectRevert();
        registry.requestUnstake(STAKE); // still locked
        vm.prank(provider); // the provider (or a delegator, or anyone) ends the no-show itself
        market.cancelLease(leaseId);
        assertEq(market.lockedCollateral(provider), 0, "the lock is gone with the lease");
        vm.prank(provider);
        registry.updateOffer(offerId, PRICE, 8, false);
        uint256 stake = registry.getProvider(provider).stake;
        vm.prank(provider);
        registry.requestUnstake(stake); // and its backing can leave
    }

    // ------------------------------------------------------------------ fees

    function test_claimBuilderFees_paysTheBuilderOnce() public {
        uint256 leaseId = _open(offerId, 2, 3600, builder);
        _start(leaseId);
        vm.warp(block.timestamp + 1000);
        vm.prank(provider);
        market.completeLease(leaseId, keccak256("r"));
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.BuilderFeesClaimed(builder, 0.02 ether);
        vm.prank(builder);
        assertEq(market.claimBuilderFees(), 0.02 ether);
        assertEq(xpl.balanceOf(builder), 0.02 ether);
        vm.prank(builder);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketNothingToClaim.selector, builder));
        market.claimBuilderFees();
    }

    function test_sweepProtocolFees_sendsToTheCurrentTreasury() public {
        uint256 leaseId = _open(offerId, 2, 3600, builder);
        _start(leaseId);
        vm.warp(block.timestamp + 1000);
        vm.prank(provider);
        market.completeLease(leaseId, keccak256("r"));
        vm.expectEmit(true, true, true, true, address(market));
        emit IComputeMarket.ProtocolFeesSwept(treasury, 0.08 ether);
        vm.prank(stranger);
        assertEq(market.sweepProtocolFees(), 0.08 ether);
        assertEq(xpl.balanceOf(treasury), 0.08 ether);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketNothingToClaim.selector, treasury));
        market.sweepProtocolFees();
    }

    function test_views_revertForUnknownLeases() public {
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketUnknownLease.selector, 5));
        market.getLease(5);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketUnknownLease.selector, 5));
        market.accrued(5);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketUnknownLease.selector, 5));
        market.escrowOf(5);
    }

    // ------------------------------------------------------------------ fuzz: money is conserved to the wei

    uint256 private _clientBefore;
    uint256 private _providerBefore;

    function testFuzz_lifecycle_everyWeiAccountedFor(uint96 price, uint16 gpus, uint32 maxSeconds, uint32 settleAt, uint32 endAt, uint8 how)
        public
    {
        price = uint96(bound(price, 1, 1e18));
        gpus = uint16(bound(gpus, 1, 8));
        maxSeconds = uint32(bound(maxSeconds, 1, 30 days));
        settleAt = uint32(bound(settleAt, 0, uint256(maxSeconds) * 2));
        endAt = uint32(bound(endAt, settleAt, uint256(maxSeconds) * 2));
        vm.assume(uint256(price) * gpus * maxSeconds <= FUNDS / 2);
        uint256 leaseId = _runLease(price, gpus, maxSeconds, settleAt, endAt, how);
        uint256 clientPaid = _clientBefore - xpl.balanceOf(client);
        uint256 fees = market.builderBalance(builder) + market.protocolFeesPending();
        assertEq(clientPaid, xpl.balanceOf(provider) - _providerBefore + fees, "what the client paid went to the provider and fees");
        assertEq(market.getLease(leaseId).paid, clientPaid, "paid matches");
        uint256 used = endAt < maxSeconds ? endAt : maxSeconds;
        assertLe(clientPaid, uint256(price) * gpus * used, "never more than the seconds used");
        assertEq(xpl.balanceOf(address(market)), fees, "market holds only fees");
    }

    function _runLease(uint96 price, uint16 gpus, uint32 maxSeconds, uint32 settleAt, uint32 endAt, uint8 how)
        private
        returns (uint256 leaseId)
    {
        vm.prank(provider);
        uint256 id = registry.createOffer(IProviderRegistry.OfferInput("A100", 40, 8, price, "us"));
        _clientBefore = xpl.balanceOf(client);
        _providerBefore = xpl.balanceOf(provider);
        leaseId = _open(id, gpus, maxSeconds, builder);
        uint256 t0 = block.timestamp;
        _start(leaseId);
        vm.warp(t0 + settleAt);
        vm.prank(provider);
        market.settle(leaseId);
        vm.warp(t0 + endAt);
        if (market.getLease(leaseId).status != IComputeMarket.LeaseStatus.Running) return leaseId;
        how = how % 3;
        vm.prank(how == 2 ? client : provider);
        if (how == 0) market.completeLease(leaseId, keccak256("r"));
        else if (how == 1) market.failLease(leaseId, IComputeMarket.EndReason.ProviderFailed, bytes32(0));
        else market.stopLease(leaseId);
    }
}
