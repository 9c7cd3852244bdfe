// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";

/// @notice Funds and stakes validators in the validator set, and checks that it holds exactly their stake.
abstract contract ValidatorSetBase is Fixture {
    uint256 internal constant MIN_STAKE = 10_000 ether; // the default minValidatorStake
    address[] internal staked; // every validator this test funded

    /// @dev A fresh account, funded and approved, that stakes `amount` (nothing when 0).
    function _validator(uint256 i, uint256 amount) internal returns (address who) {
        who = address(uint160(0xBA1000 + i));
        vm.prank(owner);
        xpl.transfer(who, 1_000_000 ether);
        vm.prank(who);
        xpl.approve(address(validatorSet), type(uint256).max);
        staked.push(who);
        if (amount > 0) _stake(who, amount);
    }

    function _stake(address who, uint256 amount) internal {
        vm.prank(who);
        validatorSet.stake(amount);
    }

    function _exit(address who) internal {
        vm.prank(who);
        validatorSet.requestExit();
    }

    function _none() internal pure returns (address[] memory) {
        return new address[](0);
    }

    function _one(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    /// @dev XPL held by the validator set == its total stake == the sum of every validator's stake.
    function _assertStakeConserved() internal view {
        uint256 sum;
        for (uint256 i; i < staked.length; ++i) {
            sum += validatorSet.getValidator(staked[i]).stake;
        }
        assertEq(validatorSet.totalStake(), sum, "total stake == sum of validator stakes");
        assertEq(xpl.balanceOf(address(validatorSet)), sum, "XPL held by the validator set == sum of validator stakes");
    }
}
