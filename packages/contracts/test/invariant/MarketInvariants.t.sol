// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {MarketHandler} from "./MarketHandler.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";

/// @notice Conservation: after every random call, each contract holds exactly what it owes and no
///         party has received more than it is owed.
contract MarketInvariants is Fixture {
    MarketHandler internal handler;
    address[] internal clientList;
    address[] internal providerList;
    address[] internal validatorList;

    function setUp() public override {
        super.setUp();
        clientList.push(client);
        clientList.push(stranger);
        providerList.push(provider);
        providerList.push(provider2);
        for (uint256 i; i < 3; ++i) {
            address validator = address(uint160(0xA000 + i));
            validatorList.push(validator);
            vm.prank(owner);
            xpl.transfer(validator, 50_000 ether);
            vm.startPrank(validator);
            xpl.approve(address(validatorSet), type(uint256).max);
            validatorSet.stake(10_000 ether);
            vm.stopPrank();
        }
        // Sample half the completed leases, so that verification games are played often.
        vm.prank(owner);
        params.setParameter("samplingRateBps", 5_000);
        handler = new MarketHandler(xpl, registry, market, rewards, verifier, validatorSet, validatorList, clientList, providerList, builder);
        // The handler acts for these accounts through pranks; give it their approvals' effect.
        address[4] memory all = [client, stranger, provider, provider2];
        for (uint256 i; i < all.length; ++i) {
            vm.startPrank(all[i]);
            xpl.approve(address(market), type(uint256).max);
            xpl.approve(address(registry), type(uint256).max);
            vm.stopPrank();
        }
        vm.roll(block.number + 1); // the validators count in draws seeded from the next block on
        targetContract(address(handler));
    }

    function invariant_marketHoldsExactlyWhatItOwes() public view {
        uint256 owed = market.builderBalance(builder) + market.protocolFeesPending();
        for (uint256 id = 1; id <= market.leaseCount(); ++id) owed += market.escrowOf(id);
        assertEq(xpl.balanceOf(address(market)), owed, "market balance == escrows + builder fees + protocol fees");
    }

    function invariant_registryHoldsExactlyTheStakesDelegationsAndDelegatorRewards() public view {
        uint256 owed = registry.delegatorRewardsHeld();
        for (uint256 i; i < providerList.length; ++i) {
            IProviderRegistry.Provider memory p = registry.getProvider(providerList[i]);
            IProviderRegistry.DelegationPool memory pool = registry.getDelegationPool(providerList[i]);
            owed += uint256(p.stake) + p.unbonding + pool.active + pool.unbonding;
        }
        assertEq(xpl.balanceOf(address(registry)), owed, "registry balance == stakes + delegations + delegator rewards");
    }

    function invariant_rewardsNeverPayMoreThanEmittedOrHeld() public view {
        assertGe(xpl.balanceOf(address(rewards)), rewards.reserved() + rewards.totalOwed(), "pool covers what it owes");
        uint256 paid;
        for (uint256 e; e <= rewards.currentEpoch(); ++e) {
            IRewardsDistributor.Epoch memory epoch = rewards.getEpoch(e);
            assertLe(epoch.paid, epoch.emission, "an epoch pays at most its emission");
            assertLe(epoch.distributedGpuSeconds, epoch.gpuSeconds, "distributed work <= recorded work");
            paid += epoch.paid;
        }
        assertEq(REWARDS_POOL - xpl.balanceOf(address(rewards)) + rewards.totalOwed(), paid, "what left the pool or is owed == what epochs paid");
    }

    function invariant_verifierHoldsExactlyWhatItOwes() public view {
        assertEq(
            xpl.balanceOf(address(verifier)),
            verifier.totalLocked() + verifier.feePool(),
            "verifier balance == locked payouts + fee pool"
        );
        uint256 stakes;
        for (uint256 i; i < validatorList.length; ++i) stakes += validatorSet.getValidator(validatorList[i]).stake;
        assertEq(stakes, validatorSet.totalStake(), "validator stakes add up");
        assertEq(xpl.balanceOf(address(validatorSet)), validatorSet.totalStake(), "validator set holds exactly the stakes");
        uint256 locked;
        for (uint256 id = 1; id <= market.leaseCount(); ++id) locked += verifier.getVerification(id).locked;
        assertEq(locked, verifier.totalLocked(), "locked payouts add up");
    }

    function invariant_everyXplIsAccountedFor() public view {
        address[15] memory holders = [
            client,
            stranger,
            provider,
            provider2,
            builder,
            owner,
            treasury,
            address(market),
            address(registry),
            address(rewards),
            address(verifier),
            address(validatorSet),
            validatorList[0],
            validatorList[1],
            validatorList[2]
        ];
        uint256 sum;
        for (uint256 i; i < holders.length; ++i) sum += xpl.balanceOf(holders[i]);
        assertEq(sum, xpl.totalSupply(), "no XPL created or lost");
    }

    function invariant_nobodyReceivesMoreThanOwed() public view {
        for (uint256 id = 1; id <= market.leaseCount(); ++id) {
            IComputeMarket.Lease memory l = market.getLease(id);
            uint256 escrow = handler.ghostEscrowIn(id);
            uint256 value = uint256(l.pricePerGpuSecond) * l.gpus * l.maxSeconds;
            assertEq(escrow, value + value * l.verificationFeeBps / 10_000, "escrow in == price x gpus x seconds + fee");
            assertLe(handler.ghostProviderReceived(id), l.paid, "provider got at most what was paid");
            assertLe(l.paid, escrow, "paid at most the escrow");
            uint256 usedCap = l.startedAt == 0 ? 0 : uint256(l.pricePerGpuSecond) * l.gpus * (block.timestamp - l.startedAt);
            assertLe(l.paid, usedCap, "paid at most the seconds elapsed");
            if (l.status == IComputeMarket.LeaseStatus.Ended) {
                // The fee is charged on a lease that ended with a result for verification.
                bool withResult = l.endReason == IComputeMarket.EndReason.Completed
                    || (l.endReason == IComputeMarket.EndReason.TimedOut && l.resultHash != bytes32(0));
                uint256 fee = withResult ? l.paid * l.verificationFeeBps / 10_000 : 0;
                assertEq(handler.ghostClientRefunded(id) + l.paid + fee, escrow, "ended: refund + paid + fee == escrow");
            } else {
                assertEq(handler.ghostClientRefunded(id), 0, "no refund before the end");
            }
        }
    }

    function invariant_capacityInUseMatchesLiveLeases() public view {
        uint256 offers = registry.offerCount();
        uint256[] memory inUse = new uint256[](offers + 1);
        for (uint256 id = 1; id <= market.leaseCount(); ++id) {
            IComputeMarket.Lease memory l = market.getLease(id);
            if (l.status == IComputeMarket.LeaseStatus.Open || l.status == IComputeMarket.LeaseStatus.Running) inUse[l.offerId] += l.gpus;
        }
        for (uint256 o = 1; o <= offers; ++o) assertEq(registry.getOffer(o).gpusInUse, inUse[o], "gpusInUse == live leases' gpus");
    }

    function invariant_supplyIsFixed() public view {
        assertEq(xpl.totalSupply(), 1_000_000_000 ether, "total supply");
    }

    function invariant_backingNeverUnbondsBelowLockedCollateral() public view {
        assertEq(handler.ghostCollateralUnlocks(), 0, "no unstake, undelegation or withdrawal went below the lock");
    }

    function invariant_noShowPenaltyNeverExceedsItsCap() public view {
        assertEq(handler.ghostNoShowPenaltiesOverCap(), 0, "no-show penalty <= min(bps x value, cap, share of slashable)");
    }

    /// @dev Issue #16 item 1: every XPL paid to a provider for a verified lease passed through verification (a stop
    ///      by the client, who pays for the seconds used, aside), and a paid ending carries a result hash.
    function invariant_verifiedLeasesArePaidOnlyThroughVerification() public view {
        for (uint256 id = 1; id <= market.leaseCount(); ++id) {
            IComputeMarket.Lease memory l = market.getLease(id);
            if (l.verification == IVerificationManager.Mode.None) continue;
            assertEq(handler.ghostVerifiedPaidDirect(id), 0, "the market paid a verified lease's provider directly");
            IVerificationManager.Stage stage = verifier.getVerification(id).stage;
            uint256 fromVerifier = handler.ghostPaidByVerifier(id);
            if (stage == IVerificationManager.Stage.Verified || stage == IVerificationManager.Stage.Released) {
                assertGe(fromVerifier, handler.ghostLockedForProvider(id), "a released lease paid its locked payout");
            } else {
                assertEq(fromVerifier, 0, "verification paid a provider without a verdict for it");
            }
            if (l.status == IComputeMarket.LeaseStatus.Ended && l.paid > 0 && l.endReason != IComputeMarket.EndReason.StoppedByClient) {
                assertTrue(stage != IVerificationManager.Stage.None, "a paid ending went to verification");
                assertTrue(l.resultHash != bytes32(0), "a paid ending carries a result hash");
            }
        }
    }

    /// @dev Issue #16 item 7: once a mismatch is attested the payout stays locked until a verdict.
    function invariant_attestedMismatchIsNeverReleasedWithoutAVerdict() public view {
        for (uint256 id = 1; id <= market.leaseCount(); ++id) {
            if (!handler.ghostMismatchAttested(id)) continue;
            IVerificationManager.Stage stage = verifier.getVerification(id).stage;
            assertTrue(stage != IVerificationManager.Stage.Released, "a disputed payout released without a verdict");
            if (stage == IVerificationManager.Stage.NeedsValidator) {
                assertTrue(verifier.getVerification(id).locked == handler.ghostLockedForProvider(id), "still locked while it waits");
            }
        }
    }

    /// A reward goes only to stake present in its epoch (issue #16 item 5): a delegation or stake that arrives
    /// after an epoch (or during it) neither changes the split of that epoch's reward nor takes any part of it,
    /// even when it is delegated and the epoch distributed in one step.
    function invariant_rewardsGoOnlyToStakePresentInTheirEpoch() public view {
        assertEq(handler.ghostRewardsToLateStake(), 0, "no reward to stake that arrived in or after its epoch");
        assertEq(handler.ghostLateStakeCounted(), 0, "stake arriving after an epoch never changes its split");
    }

    /// @dev Issue #16 item 4: a validator is paid from what the lease paid for verification: never more than the
    ///      lease's pay cap (its own fee when its draw was re-armed), and once per lease.
    function invariant_validatorNeverPaidMoreThanTheLeasesCap() public view {
        assertEq(handler.ghostPaidOverCap(), 0, "a validator was paid more than the lease's cap");
        assertEq(handler.ghostPaidTwice(), 0, "a validator was paid twice for one lease");
    }

    /// @dev Issue #16 item 4: no draw's outcome depends on a value the caller chooses: a stake, top-up, exit or
    ///      withdrawal sent in the draw's own block (after the seed is known) never changes who is drawn.
    function invariant_drawsCannotBeSteered() public view {
        assertEq(handler.ghostSteeredDraws(), 0, "a move in the draw's block changed the pick");
    }
}
