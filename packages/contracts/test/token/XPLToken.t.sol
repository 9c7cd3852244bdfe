// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {XPLToken} from "../../src/token/XPLToken.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract XPLTokenTest is Test {
    address internal alice = address(0xA11CE);
    address internal bob = address(0xB0B);

    function _token(address[] memory to, uint256[] memory amounts) internal returns (XPLToken) {
        return new XPLToken(to, amounts);
    }

    function test_constructor_mintsTheFixedSupplyToTheGenesisAllocation() public {
        address[] memory to = new address[](2);
        uint256[] memory amounts = new uint256[](2);
        (to[0], to[1]) = (alice, bob);
        (amounts[0], amounts[1]) = (600_000_000 ether, 400_000_000 ether);
        XPLToken xpl = _token(to, amounts);
        assertEq(xpl.totalSupply(), 1_000_000_000 ether);
        assertEq(xpl.balanceOf(alice), 600_000_000 ether);
        assertEq(xpl.balanceOf(bob), 400_000_000 ether);
        assertEq(xpl.name(), "Plasma", "name");
        assertEq(xpl.symbol(), "XPL", "symbol");
    }

    function test_constructor_revertsWhenTheSumIsNotTheSupply() public {
        address[] memory to = new address[](1);
        uint256[] memory amounts = new uint256[](1);
        (to[0], amounts[0]) = (alice, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(XPLToken.XPLAllocationSumMismatch.selector, 1 ether, 1_000_000_000 ether));
        _token(to, amounts);
    }

    function test_constructor_revertsOnLengthMismatchOrEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(XPLToken.XPLAllocationLengthMismatch.selector, 1, 0));
        _token(new address[](1), new uint256[](0));
        vm.expectRevert(abi.encodeWithSelector(XPLToken.XPLAllocationLengthMismatch.selector, 0, 0));
        _token(new address[](0), new uint256[](0));
    }

    function test_constructor_revertsOnTheZeroAddress() public {
        address[] memory to = new address[](1);
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = 1_000_000_000 ether;
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        _token(to, amounts);
    }

    function test_votes_useTimestampsAndFollowDelegation() public {
        address[] memory to = new address[](1);
        uint256[] memory amounts = new uint256[](1);
        (to[0], amounts[0]) = (alice, 1_000_000_000 ether);
        XPLToken xpl = _token(to, amounts);
        assertEq(xpl.CLOCK_MODE(), "mode=timestamp", "clock mode");
        assertEq(xpl.clock(), block.timestamp);
        assertEq(xpl.getVotes(alice), 0, "no votes before delegating");
        vm.prank(alice);
        xpl.delegate(alice);
        assertEq(xpl.getVotes(alice), 1_000_000_000 ether);
        vm.prank(alice);
        xpl.transfer(bob, 1 ether);
        assertEq(xpl.getVotes(alice), 1_000_000_000 ether - 1 ether, "transfers move votes");
        uint256 t = block.timestamp;
        vm.warp(t + 1);
        assertEq(xpl.getPastVotes(alice, t), 1_000_000_000 ether - 1 ether);
    }
}
