// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";

/// @notice Issue #16 item 2: a provider's backing stays locked while it holds verified leases, so the
///         slash that follows a wrong result always finds the collateral the lease was opened against.
contract CollateralLockTest is Fixture {
    address internal val1 = address(0xA001);
    address internal val2 = address(0xA002);
    address internal val3 = address(0xA003);

    bytes32 internal constant MANIFEST = keccak256("the honest outputs");
    bytes32 internal constant WRONG = keccak256("garbage outputs");
    bytes32 internal constant SALT = keccak256("provider salt");
    /// @dev Two weeks of one GPU: longer than the seven-day unbonding period. Worth 1,209.6 XPL.
    uint32 internal constant LONG = 14 days;
    uint256 internal constant VALIDATOR_STAKE = 30_000 ether;
    uint256 internal offerId;

    function setUp() public override {
        super.setUp();
        // Leases here are worth up to 3,000 XPL; a verified lease may be worth at most a fifth of a validator's
        // slash (50 % of minValidatorStake), so the validators stake 30,000 XPL. Raising the minimum is immediate.
        vm.prank(owner);
        params.setParameter("minValidatorStake", VALIDATOR_STAKE);
        address[3] memory validators = [val1, val2, val3];
        for (uint256 i; i < 3; ++i) {
            vm.prank(owner);
            xpl.transfer(validators[i], 100_000 ether);
            vm.prank(validators[i]);
            xpl.approve(address(validatorSet), type(uint256).max);
            vm.prank(validators[i]);
            validatorSet.stake(VALIDATOR_STAKE);
        }
        vm.roll(block.number + 1); // draws read the validator set as it was before their seed block
        _registerAndStake(provider, 2 * STAKE); // 20,000 XPL covers the lease's 12,096 XPL of collateral
        offerId = _offer(provider, 8, PRICE);
    }

    // ---------------------------------------------------------------- helpers

    function _openVerified(uint32 maxSeconds) internal returns (uint256 leaseId) {
        vm.prank(client);
        leaseId = market.openLease(
            IComputeMarket.OpenLeaseParams(
                offerId, 1, maxSeconds, type(uint96).max, keccak256("spec"), address(0), IVerificationManager.Mode.Exact
            )
        );
    }

    function _commitmentOf(uint256 leaseId, bytes32 manifest, bytes32 salt) internal pure returns (bytes32) {
        return keccak256(abi.encode(leaseId, manifest, salt));
    }

    function _saltOf(address validator) internal pure returns (bytes32) {
        return keccak256(abi.encode("validator salt", validator));
    }

    function _current(uint256 leaseId) internal view returns (address) {
        IVerificationManager.Assignment memory a = verifier.getAssignment(leaseId);
        return verifier.getVerification(leaseId).round == 1 ? a.validator1 : a.validator2;
    }

    function _commit(uint256 leaseId, address validator) internal {
        vm.prank(validator);
        verifier.commitResult(leaseId, keccak256(abi.encode(leaseId, validator, MANIFEST, _saltOf(validator))));
    }

    /// @dev Samples a completed lease, has two validators find a mismatch and reveal the true result.
    function _disputeAndLose(uint256 leaseId) internal {
        uint256 rate = params.verificationParams().samplingRateBps;
        uint256 completionBlock = verifier.getVerification(leaseId).drawBlock;
        bytes32 seed;
        for (uint256 i = 1;; ++i) {
            seed = keccak256(abi.encode("seed", i));
            if (uint256(keccak256(abi.encode(seed, leaseId, uint8(1)))) % 10_000 < rate) break; // round 1: sampled
        }
        vm.setBlockhash(completionBlock, seed);
        vm.roll(completionBlock + 1);
        verifier.draw(leaseId);
        address first = _current(leaseId);
        _commit(leaseId, first);
        vm.prank(provider);
        verifier.revealSalt(leaseId, SALT);
        vm.prank(first);
        verifier.attestMismatch(leaseId);
        uint256 waitingSince = verifier.getVerification(leaseId).drawBlock;
        vm.setBlockhash(waitingSince, keccak256(abi.encode("assign", waitingSince)));
        vm.roll(waitingSince + 1);
        verifier.assign(leaseId);
        address second = _current(leaseId);
        address third = verifier.getAssignment(leaseId).validator3;
        _commit(leaseId, second); // the committee commits blind: then all three validators reveal
        _commit(leaseId, third);
        vm.prank(first);
        verifier.revealResult(leaseId, MANIFEST, _saltOf(first));
        vm.prank(second);
        verifier.revealResult(leaseId, MANIFEST, _saltOf(second));
        vm.prank(third);
        verifier.revealResult(leaseId, MANIFEST, _saltOf(third));
    }

    // ---------------------------------------------------------------- the attack

    /// @dev The escape of issue #16: deactivate, unstake everything, withdraw after unbonding while the
    ///      (longer) verified lease runs, then complete it with a wrong result. The slash must still find
    ///      the collateral, so the client gets back everything it paid.
    function test_attack_unstakeAndWithdrawDuringAVerifiedLeaseLeavesTheSlashFull() public {
        uint256 leaseId = _openVerified(LONG);
        vm.prank(provider);
        market.startLease(leaseId);
        vm.prank(provider);
        registry.updateOffer(offerId, PRICE, 8, false);

        // The provider tries to take everything out; whatever the registry lets go, it withdraws.
        vm.prank(provider);
        (bool unstaked,) = address(registry).call(abi.encodeCall(registry.requestUnstake, (2 * STAKE)));
        if (!unstaked) {
            uint256 locked = uint256(LONG) * PRICE * 10; // collateralRatio × the lease's value
            vm.prank(provider);
            registry.requestUnstake(2 * STAKE - locked);
        }
        vm.warp(block.timestamp + params.stakingParams().unbondingPeriod);
        vm.prank(provider);
        registry.withdraw();

        vm.warp(block.timestamp + LONG);
        vm.prank(provider);
        market.completeLease(leaseId, _commitmentOf(leaseId, WRONG, SALT));
        uint256 paid = market.getLease(leaseId).paid;
        uint256 clientBefore = xpl.balanceOf(client);
        _disputeAndLose(leaseId);

        assertEq(uint8(verifier.getVerification(leaseId).stage), uint8(IVerificationManager.Stage.Failed));
        assertEq(xpl.balanceOf(client) - clientBefore, paid, "the client gets back all it paid");
        assertTrue(!unstaked, "unstaking everything under a verified lease was refused");
    }

    // ---------------------------------------------------------------- the lock

    function test_lockedCollateral_isTheRatioTimesExposureAndPendingValue() public {
        assertEq(registry.lockedCollateral(provider), 0);
        uint256 leaseId = _openVerified(LONG);
        uint256 required = uint256(LONG) * PRICE * 10;
        assertEq(registry.lockedCollateral(provider), required);
        assertEq(market.lockedCollateral(provider), required);
        vm.prank(provider);
        market.startLease(leaseId);
        vm.warp(block.timestamp + 1 days);
        vm.prank(provider);
        market.completeLease(leaseId, _commitmentOf(leaseId, MANIFEST, SALT));
        // Under verification, what it was paid stays locked.
        assertEq(registry.lockedCollateral(provider), uint256(1 days) * PRICE * 10);
    }

    function test_requestUnstake_revertsWhenItWouldUnlockCollateral() public {
        _openVerified(LONG);
        uint256 required = uint256(LONG) * PRICE * 10;
        vm.prank(provider);
        registry.updateOffer(offerId, PRICE, 8, false);
        uint256 free = 2 * STAKE - required;
        vm.prank(provider);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryCollateralLocked.selector, provider, required - 1, required)
        );
        registry.requestUnstake(free + 1);
        vm.prank(provider);
        registry.requestUnstake(free);
        assertEq(registry.backing(provider), required);
    }

    function test_requestUnstake_countsDelegationsAsBacking() public {
        _openVerified(LONG);
        uint256 required = uint256(LONG) * PRICE * 10;
        vm.prank(stranger);
        registry.delegate(provider, required);
        vm.prank(provider);
        registry.updateOffer(offerId, PRICE, 8, false);
        vm.prank(provider);
        registry.requestUnstake(2 * STAKE);
        assertEq(registry.backing(provider), required);
    }

    function test_undelegate_revertsWhenDelegationsBackALease() public {
        vm.prank(stranger);
        registry.delegate(provider, 20_000 ether); // backing 40,000 XPL
        _openVerified(uint32(3_000 ether / PRICE)); // 30,000 XPL locked
        vm.prank(stranger);
        registry.undelegate(provider, 10_000 ether);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryCollateralLocked.selector, provider, 30_000 ether - 1, 30_000 ether)
        );
        registry.undelegate(provider, 1);
    }

    function test_lock_isReleasedWhenVerificationEnds() public {
        uint256 leaseId = _openVerified(1 days);
        vm.prank(provider);
        market.startLease(leaseId);
        vm.warp(block.timestamp + 1 days);
        vm.prank(provider);
        market.completeLease(leaseId, _commitmentOf(leaseId, MANIFEST, SALT));
        vm.prank(provider);
        registry.updateOffer(offerId, PRICE, 8, false);
        vm.prank(provider);
        vm.expectRevert();
        registry.requestUnstake(2 * STAKE);
        // Not sampled: the payout is released and nothing stays locked.
        uint256 rate = params.verificationParams().samplingRateBps;
        uint256 completionBlock = verifier.getVerification(leaseId).drawBlock;
        bytes32 seed;
        for (uint256 i = 1;; ++i) {
            seed = keccak256(abi.encode("seed", i));
            if (uint256(keccak256(abi.encode(seed, leaseId))) % 10_000 >= rate) break;
        }
        vm.setBlockhash(completionBlock, seed);
        vm.roll(completionBlock + 1);
        verifier.draw(leaseId);
        assertEq(registry.lockedCollateral(provider), 0);
        vm.prank(provider);
        registry.requestUnstake(2 * STAKE);
    }

    function test_withdraw_waitsWhileASlashLeftTheLockUncovered() public {
        uint256 required = uint256(LONG) * PRICE * 10;
        vm.prank(provider);
        registry.requestUnstake(2 * STAKE - required); // before any lease: free to go
        _openVerified(LONG); // backing is exactly the collateral
        // A slash (another lease's fault) takes 1,000 XPL: the unbonding stake must now stay behind.
        vm.prank(address(market));
        registry.slash(provider, 1_000 ether, treasury);
        vm.warp(block.timestamp + params.stakingParams().unbondingPeriod);
        uint256 remaining = registry.slashable(provider) - registry.getProvider(provider).unbonding;
        vm.prank(provider);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryCollateralLocked.selector, provider, remaining, required)
        );
        registry.withdraw();
    }

    function test_setCallers_onceAndByTheDeployerOnly() public {
        vm.prank(owner);
        vm.expectRevert(IProviderRegistry.RegistryCallersAlreadySet.selector);
        registry.setCallers(stranger, stranger, rewards);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotDeployer.selector, stranger));
        registry.setCallers(stranger, stranger, rewards);
        (address market_, address verification, address distributor) = registry.callers();
        assertEq(market_, address(market));
        assertEq(verification, address(verifier));
        assertEq(distributor, address(rewards));
    }

    /// @dev Whatever a provider and its delegator try to take out, the backing left covers the lock.
    function testFuzz_unstakeAndUndelegate_neverGoBelowTheLock(uint256 seconds_, uint256 unstake, uint256 undelegate)
        public
    {
        vm.prank(stranger);
        registry.delegate(provider, 10_000 ether);
        seconds_ = bound(seconds_, 1, 3_000 ether / PRICE); // up to 30,000 XPL locked of 30,000 backing
        _openVerified(uint32(seconds_));
        vm.prank(provider);
        registry.updateOffer(offerId, PRICE, 8, false);
        unstake = bound(unstake, 1, 2 * STAKE);
        undelegate = bound(undelegate, 1, 10_000 ether);
        vm.prank(provider);
        try registry.requestUnstake(unstake) {} catch {}
        vm.prank(stranger);
        try registry.undelegate(provider, undelegate) {} catch {}
        assertGe(registry.backing(provider), registry.lockedCollateral(provider), "backing covers the lock");
    }
}
