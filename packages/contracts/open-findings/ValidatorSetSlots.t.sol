// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ValidatorSetBase} from "../verification/ValidatorSetBase.sol";
import {IValidatorSet} from "../../src/interfaces/IValidatorSet.sol";

/// @notice Open (Low, issue #16 review): the validator set has 128 draw slots and no eviction. 128 minimum-stake
///         accounts (capital that is not lost and keeps earning) lock every other validator out, however much it
///         would stake, and a validator slashed below the minimum keeps its slot while it can never be drawn.
///         Fix ideas: free the slot of a validator below the minimum; let a larger stake displace the smallest.
///         This test PASSES while the exploit works.
contract ValidatorSetSlotsFinding is ValidatorSetBase {
    function test_exploit_slotCapLocksOutNewValidators() public {
        for (uint256 i; i < 128; ++i) _validator(i, MIN_STAKE);
        address whale = _validator(1000, 0);
        vm.prank(whale);
        vm.expectRevert(abi.encodeWithSelector(IValidatorSet.ValidatorSetFull.selector, uint256(128)));
        validatorSet.stake(500_000 ether);
    }
}
