// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {LeaseMath} from "../../src/libraries/LeaseMath.sol";

contract LeaseMathTest is Test {
    function test_split_byHand() public pure {
        (uint256 p, uint256 fee, uint256 b) = LeaseMath.split(2 ether, 500, 2000, true);
        assertEq(p, 1.9 ether);
        assertEq(fee, 0.08 ether);
        assertEq(b, 0.02 ether);
        (p, fee, b) = LeaseMath.split(2 ether, 500, 2000, false);
        assertEq(fee, 0.1 ether, "the whole fee without a builder");
        assertEq(b, 0);
        (p, fee, b) = LeaseMath.split(19, 500, 2000, true); // 5 % of 19 wei rounds down to 0
        assertEq(p, 19, "rounding dust stays with the provider");
    }

    function test_usedSeconds_capsAtMax() public pure {
        assertEq(LeaseMath.usedSeconds(100, 50, 120), 20);
        assertEq(LeaseMath.usedSeconds(100, 50, 1000), 50);
    }

    function testFuzz_split_partsSumToGrossAndFeeStaysUnderItsCap(uint256 gross, uint256 feeBps, uint256 shareBps, bool hasBuilder)
        public
        pure
    {
        gross = bound(gross, 0, type(uint128).max);
        feeBps = bound(feeBps, 0, 2000);
        shareBps = bound(shareBps, 0, 10_000);
        (uint256 p, uint256 fee, uint256 b) = LeaseMath.split(gross, feeBps, shareBps, hasBuilder);
        assertEq(p + fee + b, gross, "parts sum to gross");
        assertLe(fee + b, (gross * feeBps) / 10_000, "fees never exceed the fee rate");
        if (!hasBuilder) assertEq(b, 0);
    }
}
