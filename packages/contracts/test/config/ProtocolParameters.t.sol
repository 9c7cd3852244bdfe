// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {ProtocolParameters} from "../../src/config/ProtocolParameters.sol";
import {IProtocolParameters} from "../../src/interfaces/IProtocolParameters.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract ProtocolParametersTest is Test {
    event ParameterChanged(bytes32 indexed name, uint256 oldValue, uint256 newValue);
    event TreasuryChanged(address indexed oldTreasury, address indexed newTreasury);

    address internal owner = address(0x0A11);
    ProtocolParameters internal params;

    function setUp() public {
        params = new ProtocolParameters(owner, address(0x7EA5));
    }

    function test_constructor_setsDefaults() public view {
        IProtocolParameters.MarketParams memory m = params.marketParams();
        assertEq(m.protocolFeeBps, 500);
        assertEq(m.builderShareBps, 2000);
        assertEq(m.noShowPenaltyBps, 1000);
        assertEq(m.startDeadline, 10 minutes);
        assertEq(m.treasury, address(0x7EA5));
        assertEq(m.noShowClientShareBps, 2000);
        assertEq(m.noShowBackingCapBps, 500);
        assertEq(m.noShowPenaltyCap, 1000 ether);
        IProtocolParameters.StakingParams memory s = params.stakingParams();
        assertEq(s.minProviderStake, 1000 ether);
        assertEq(s.unbondingPeriod, 7 days);
    }

    function test_constructor_revertsOnZeroTreasury() public {
        vm.expectRevert(IProtocolParameters.ParamsZeroAddress.selector);
        new ProtocolParameters(owner, address(0));
    }

    function test_setParameter_everyParameterAtItsBoundsAndPastThem() public {
        bytes32[9] memory names = [
            bytes32("protocolFeeBps"),
            "builderShareBps",
            "noShowPenaltyBps",
            "startDeadline",
            "minProviderStake",
            "unbondingPeriod",
            "noShowPenaltyCap",
            "noShowBackingCapBps",
            "noShowClientShareBps"
        ];
        for (uint256 i; i < names.length; ++i) {
            (uint256 min, uint256 max) = params.bounds(names[i]);
            vm.startPrank(owner);
            params.setParameter(names[i], min);
            if (params.parameter(names[i]) != min) {
                (, uint256 cutAt) = params.scheduledChange(names[i]); // an unbonding cut waits too
                vm.warp(cutAt);
                params.applyParameter(names[i]);
            }
            assertEq(params.parameter(names[i]), min, "min accepted");
            bool harsher = params.isHarsher(names[i], max);
            if (harsher) {
                params.setParameter(names[i], max); // a harsher change waits, then anyone applies it
                (, uint256 appliesAt) = params.scheduledChange(names[i]);
                vm.warp(appliesAt);
            }
            vm.expectEmit(true, true, true, true, address(params));
            emit ParameterChanged(names[i], min, max);
            if (harsher) params.applyParameter(names[i]);
            else params.setParameter(names[i], max);
            assertEq(params.parameter(names[i]), max, "max accepted");
            vm.expectRevert(abi.encodeWithSelector(IProtocolParameters.ParamsOutOfBounds.selector, names[i], max + 1, min, max));
            params.setParameter(names[i], max + 1);
            if (min > 0) {
                vm.expectRevert(abi.encodeWithSelector(IProtocolParameters.ParamsOutOfBounds.selector, names[i], min - 1, min, max));
                params.setParameter(names[i], min - 1);
            }
            vm.stopPrank();
        }
        assertEq(params.marketParams().protocolFeeBps, 2000, "fee capped at 20 %");
        assertEq(params.stakingParams().unbondingPeriod, 60 days);
        assertEq(params.marketParams().noShowClientShareBps, 5000, "the client never gets most of a no-show penalty");
    }

    function test_setParameter_revertsOnUnknownNames() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IProtocolParameters.ParamsUnknown.selector, bytes32("feeBps")));
        params.setParameter("feeBps", 1);
        vm.expectRevert(abi.encodeWithSelector(IProtocolParameters.ParamsUnknown.selector, bytes32("feeBps")));
        params.parameter("feeBps");
    }

    function test_setParameter_onlyOwner() public {
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(0xBAD)));
        params.setParameter("protocolFeeBps", 1);
    }

    function test_setTreasury_changesAndEmits() public {
        vm.expectEmit(true, true, true, true, address(params));
        emit TreasuryChanged(address(0x7EA5), address(0x7EA6));
        vm.prank(owner);
        params.setTreasury(address(0x7EA6));
        assertEq(params.marketParams().treasury, address(0x7EA6));
        vm.prank(owner);
        vm.expectRevert(IProtocolParameters.ParamsZeroAddress.selector);
        params.setTreasury(address(0));
        vm.prank(address(0xBAD));
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(0xBAD)));
        params.setTreasury(address(0x7EA7));
    }

    function test_ownership_movesInTwoSteps() public {
        vm.prank(owner);
        params.transferOwnership(address(0x71E));
        assertEq(params.owner(), owner, "not until accepted");
        vm.prank(address(0x71E));
        params.acceptOwnership();
        assertEq(params.owner(), address(0x71E));
    }

    function testFuzz_setParameter_neverLeavesBounds(uint256 which, uint256 value) public {
        bytes32[9] memory names = [
            bytes32("protocolFeeBps"),
            "builderShareBps",
            "noShowPenaltyBps",
            "startDeadline",
            "minProviderStake",
            "unbondingPeriod",
            "noShowPenaltyCap",
            "noShowBackingCapBps",
            "noShowClientShareBps"
        ];
        bytes32 name = names[bound(which, 0, 8)];
        (uint256 min, uint256 max) = params.bounds(name);
        vm.prank(owner);
        try params.setParameter(name, value) {
            assertTrue(value >= min && value <= max, "accepted only within bounds");
        } catch {
            assertTrue(value < min || value > max, "rejected only outside bounds");
        }
        uint256 current = params.parameter(name);
        assertTrue(current >= min && current <= max, "always within bounds");
    }
}
