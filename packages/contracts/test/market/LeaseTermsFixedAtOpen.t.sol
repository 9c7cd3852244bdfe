// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VerificationTestBase} from "../verification/VerificationTestBase.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";

/// @notice A parameter change never alters a lease already open: what a lease needs from the parameters (its fee
///         rates, how long its provider has to send a result) is fixed when it opens (review finding L3, issue #16).
contract LeaseTermsFixedAtOpenTest is VerificationTestBase {
    /// @dev The verification window is cut mid-lease (a cut waits the unbonding period and a day, so the lease runs
    ///      longer): the provider, which had an hour after the last second to send its result, must not lose its pay
    ///      to a client's settle one minute in.
    function test_attack_aShorterVerificationWindowMidLeaseEndsItUnpaid() public {
        uint32 length = 9 days;
        uint256 leaseId = _openVerified(IVerificationManager.Mode.Exact, length);
        _start(leaseId);
        uint256 startedAt = market.getLease(leaseId).startedAt;
        vm.prank(owner);
        params.setParameter("verificationWindow", 1 minutes);
        (, uint256 appliesAt) = params.scheduledChange("verificationWindow");
        vm.warp(appliesAt);
        params.applyParameter("verificationWindow");
        assertEq(params.verificationParams().verificationWindow, 1 minutes);
        vm.warp(startedAt + length + 2 minutes);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketAwaitingResult.selector, leaseId, startedAt + length + 1 hours));
        market.settle(leaseId);
        vm.prank(provider);
        market.completeLease(leaseId, _commitmentOf(leaseId, MANIFEST, SALT));
        assertEq(uint8(market.getLease(leaseId).endReason), uint8(IComputeMarket.EndReason.Completed));
        assertEq(market.leaseTerms(leaseId).verificationWindow, 1 hours);
    }

    /// @dev The protocol fee is raised to its cap mid-lease: the provider is still paid at the rate it accepted.
    function test_attack_aFeeRaiseMidLeaseTakesThePaysOfRunningLeases() public {
        uint256 leaseId = _openVerified(IVerificationManager.Mode.None, 3600);
        _start(leaseId);
        vm.startPrank(owner);
        params.setParameter("protocolFeeBps", 2_000);
        params.setParameter("builderShareBps", 0);
        vm.stopPrank();
        vm.warp(block.timestamp + 3600);
        uint256 before = xpl.balanceOf(provider);
        vm.prank(provider);
        market.completeLease(leaseId, keccak256("result"));
        uint256 gross = market.getLease(leaseId).paid;
        assertEq(xpl.balanceOf(provider) - before, gross - (gross * 500) / 10_000, "paid at the 5 % fee it opened with");
        assertEq(market.protocolFeesPending(), (gross * 500) / 10_000);
    }
}
