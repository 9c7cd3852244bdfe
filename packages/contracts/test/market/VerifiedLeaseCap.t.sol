// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";

/// @notice Issue #16: a validator's slash is a share of its stake, not of the lease, so a wrong verdict on a
///         large enough lease pays (sim:trust: copying a colluding provider's answer from ~3,179 XPL, attesting
///         tolerance matches unchecked from ~1,200 XPL). A verified lease is therefore worth at most a fifth of
///         the slash: 10,000 XPL × 50 % / 5 = 1,000 XPL at the defaults.
contract VerifiedLeaseCapTest is Fixture {
    uint256 internal constant CAP = 1_000 ether;
    /// @dev Seconds of one GPU at PRICE worth exactly the cap.
    uint32 internal constant CAP_SECONDS = uint32(CAP / PRICE);
    uint256 internal offerId;

    function setUp() public override {
        super.setUp();
        _registerAndStake(provider, 100_000 ether); // collateral is never the limit here
        offerId = _offer(provider, 8, PRICE);
    }

    function _openLease(uint16 gpus, uint32 maxSeconds, IVerificationManager.Mode mode) internal returns (uint256) {
        vm.prank(client);
        return market.openLease(
            IComputeMarket.OpenLeaseParams(offerId, gpus, maxSeconds, type(uint96).max, keccak256("spec"), address(0), mode)
        );
    }

    function test_capIsAFifthOfTheValidatorSlash() public view {
        assertEq(market.SLASH_PER_VERIFIED_VALUE(), 5);
        assertEq(params.verificationParams().minValidatorStake * params.verificationParams().validatorSlashBps / 10_000 / 5, CAP);
    }

    function test_justAboveTheCapReverts() public {
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketVerifiedLeaseTooLarge.selector, CAP + PRICE, CAP));
        market.openLease(
            IComputeMarket.OpenLeaseParams(
                offerId, 1, CAP_SECONDS + 1, type(uint96).max, keccak256("spec"), address(0), IVerificationManager.Mode.Exact
            )
        );
        // The value is the whole lease (GPUs × seconds × price): four GPUs for a quarter of the time, plus one second.
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketVerifiedLeaseTooLarge.selector, CAP + 4 * PRICE, CAP));
        market.openLease(
            IComputeMarket.OpenLeaseParams(
                offerId, 4, CAP_SECONDS / 4 + 1, type(uint96).max, keccak256("spec"), address(0), IVerificationManager.Mode.Tolerance
            )
        );
    }

    function test_atTheCapOpens() public {
        uint256 leaseId = _openLease(1, CAP_SECONDS, IVerificationManager.Mode.Exact);
        assertEq(market.exposure(provider), CAP);
        uint256 second = _openLease(4, CAP_SECONDS / 4, IVerificationManager.Mode.Tolerance);
        assertEq(market.exposure(provider), 2 * CAP, "the cap is per lease: collateral limits the total");
        assertEq(uint8(market.getLease(leaseId).verification), uint8(IVerificationManager.Mode.Exact));
        assertEq(uint8(market.getLease(second).verification), uint8(IVerificationManager.Mode.Tolerance));
    }

    function test_unverifiedLeaseIsNotCapped() public {
        uint256 leaseId = _openLease(8, CAP_SECONDS, IVerificationManager.Mode.None); // 8,000 XPL
        assertEq(market.escrowOf(leaseId), 8 * CAP);
        assertEq(market.exposure(provider), 0);
    }

    function test_raisingMinValidatorStakeRaisesTheCap() public {
        vm.prank(owner);
        params.setParameter("minValidatorStake", 20_000 ether); // a larger slash: applies at once
        _openLease(1, 2 * CAP_SECONDS, IVerificationManager.Mode.Exact);
        vm.prank(client);
        vm.expectRevert(
            abi.encodeWithSelector(IComputeMarket.MarketVerifiedLeaseTooLarge.selector, 2 * CAP + PRICE, 2 * CAP)
        );
        market.openLease(
            IComputeMarket.OpenLeaseParams(
                offerId, 1, 2 * CAP_SECONDS + 1, type(uint96).max, keccak256("spec"), address(0), IVerificationManager.Mode.Exact
            )
        );
    }

    function test_loweringTheSlashLowersTheCap() public {
        vm.prank(owner);
        params.setParameter("validatorSlashBps", 2_500); // milder: applies at once, and halves the cap
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketVerifiedLeaseTooLarge.selector, CAP, CAP / 2));
        market.openLease(
            IComputeMarket.OpenLeaseParams(
                offerId, 1, CAP_SECONDS, type(uint96).max, keccak256("spec"), address(0), IVerificationManager.Mode.Exact
            )
        );
        _openLease(1, CAP_SECONDS / 2, IVerificationManager.Mode.Exact);
    }
}
