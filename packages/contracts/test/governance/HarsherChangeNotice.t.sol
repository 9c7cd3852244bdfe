// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GovernanceBase} from "./GovernanceBase.sol";
import {IProtocolParameters} from "../../src/interfaces/IProtocolParameters.sol";

/// @notice Issue #16, item 11: what governance may still do to stake (raise a penalty, or cut the time a participant
///         has to act, within their bounds) waits longer than the unbonding period, counted from the proposal's
///         execution, so stake that disagrees leaves first, whatever governance did to its own voting and timelock delays.
contract HarsherChangeNoticeTest is GovernanceBase {
    function _raise(bytes32 name, uint256 value) internal {
        (address[] memory t, uint256[] memory v, bytes[] memory c) =
            _one(address(params), abi.encodeCall(IProtocolParameters.setParameter, (name, value)));
        _passAndExecute(t, v, c, "Raise a penalty");
    }

    function test_attack_aPenaltyRaiseReachesStakeThatHadNoTimeToLeave() public {
        _registerAndStake(provider, STAKE);
        vm.prank(stranger);
        registry.delegate(provider, 90_000 ether);
        _raise("noShowBackingCapBps", 2_000);
        // A delegator who leaves the moment the proposal runs ...
        vm.prank(stranger);
        registry.undelegate(provider, type(uint256).max);
        assertEq(params.marketParams().noShowBackingCapBps, 500, "the raise does not apply yet");
        (uint256 value, uint256 appliesAt) = params.scheduledChange("noShowBackingCapBps");
        assertEq(value, 2_000);
        assertEq(appliesAt, block.timestamp + 7 days + params.HARSHER_CHANGE_NOTICE());
        // ... is out before it does.
        vm.warp(block.timestamp + 7 days);
        vm.prank(stranger);
        assertEq(registry.withdrawDelegation(provider), 90_000 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IProtocolParameters.ParamsChangeNotDue.selector, bytes32("noShowBackingCapBps"), appliesAt)
        );
        params.applyParameter("noShowBackingCapBps");
        vm.warp(appliesAt);
        vm.prank(stranger); // anyone applies a due raise
        params.applyParameter("noShowBackingCapBps");
        assertEq(params.marketParams().noShowBackingCapBps, 2_000);
    }

    function test_setParameter_everyPenaltyRaiseWaitsAndEveryCutAppliesAtOnce() public {
        bytes32[6] memory penalties = [
            bytes32("noShowPenaltyBps"),
            "noShowPenaltyCap",
            "noShowBackingCapBps",
            "validatorSlashBps",
            "missedWindowPenalty",
            "collateralRatioBps"
        ];
        vm.startPrank(address(timelock));
        for (uint256 i; i < penalties.length; ++i) {
            bytes32 name = penalties[i];
            uint256 before = params.parameter(name);
            (, uint256 max) = params.bounds(name);
            assertTrue(params.isHarsher(name, max));
            assertTrue(!params.isHarsher(name, before - 1));
            params.setParameter(name, max);
            assertEq(params.parameter(name), before, "a raise waits");
            params.setParameter(name, before - 1); // a cut applies at once and drops the waiting raise
            assertEq(params.parameter(name), before - 1);
            vm.expectRevert(abi.encodeWithSelector(IProtocolParameters.ParamsNothingScheduled.selector, name));
            params.applyParameter(name);
        }
        params.setParameter("protocolFeeBps", 2_000); // not a penalty: applies at once
        vm.stopPrank();
        assertEq(params.marketParams().protocolFeeBps, 2_000);
    }

    function test_setParameter_aShorterWindowToActWaitsAndALongerOneAppliesAtOnce() public {
        bytes32[2] memory windows = [bytes32("verificationWindow"), "channelChallengePeriod"];
        vm.startPrank(address(timelock));
        for (uint256 i; i < windows.length; ++i) {
            bytes32 name = windows[i];
            uint256 before = params.parameter(name);
            params.setParameter(name, 1 minutes);
            assertEq(params.parameter(name), before, "a cut waits");
            (uint256 value, uint256 appliesAt) = params.scheduledChange(name);
            assertEq(value, 1 minutes);
            assertEq(appliesAt, block.timestamp + 7 days + 1 days);
            params.setParameter(name, before + 1); // longer: applies at once and drops the waiting cut
            assertEq(params.parameter(name), before + 1);
            (, appliesAt) = params.scheduledChange(name);
            assertEq(appliesAt, 0);
        }
        vm.stopPrank();
    }

    /// Hostile review (M2): a cut of the unbonding period applied at once, then a penalty raise scheduled with the
    /// shorter notice, reached a validator that had asked to leave under the old period and was still locked.
    function test_attack_anUnbondingCutCannotShortenAHarsherChangesNotice() public {
        uint256 scheduledAt = block.timestamp;
        vm.startPrank(address(timelock));
        params.setParameter("unbondingPeriod", 1 days);
        assertEq(params.stakingParams().unbondingPeriod, 7 days, "the cut waits too");
        params.setParameter("validatorSlashBps", 10_000);
        vm.stopPrank();
        (, uint256 appliesAt) = params.scheduledChange("validatorSlashBps");
        assertEq(appliesAt, scheduledAt + 7 days + params.HARSHER_CHANGE_NOTICE(), "the notice is the full unbonding period");
        (uint256 value, uint256 cutAt) = params.scheduledChange("unbondingPeriod");
        assertEq(value, 1 days);
        assertEq(cutAt, appliesAt);
    }

    function test_setParameter_everyUnbondingPeriodChangeWaits() public {
        vm.startPrank(address(timelock));
        assertTrue(params.isHarsher("unbondingPeriod", 14 days));
        assertTrue(params.isHarsher("unbondingPeriod", 1 days));
        assertTrue(!params.isHarsher("unbondingPeriod", 7 days));
        params.setParameter("unbondingPeriod", 14 days);
        assertEq(params.stakingParams().unbondingPeriod, 7 days, "a raise waits");
        vm.stopPrank();
    }
}
