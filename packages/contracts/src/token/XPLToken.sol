// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title XPLToken
/// @notice The Plasma token: pays for compute, is staked and slashed, and carries governance votes.
///         The whole supply is minted once at deployment to the genesis allocation; nothing mints later.
///         Votes use timestamps (ERC-6372 `mode=timestamp`) so governance periods read in seconds on any chain.
contract XPLToken is ERC20, ERC20Permit, ERC20Votes {
    /// @notice Fixed total supply: one billion XPL.
    uint256 public constant TOTAL_SUPPLY = 1_000_000_000 ether;

    /// @notice The genesis allocation arrays differ in length or are empty.
    error XPLAllocationLengthMismatch(uint256 recipients, uint256 amounts);
    /// @notice The genesis allocation does not add up to the total supply.
    error XPLAllocationSumMismatch(uint256 sum, uint256 totalSupply);

    /// @param recipients Genesis accounts (treasury, rewards pool, genesis holders).
    /// @param amounts XPL wei for each; must add up to `TOTAL_SUPPLY`.
    constructor(address[] memory recipients, uint256[] memory amounts) ERC20("Plasma", "XPL") ERC20Permit("Plasma") {
        if (recipients.length != amounts.length || recipients.length == 0) {
            revert XPLAllocationLengthMismatch(recipients.length, amounts.length);
        }
        uint256 sum;
        for (uint256 i; i < recipients.length; ++i) {
            sum += amounts[i];
            _mint(recipients[i], amounts[i]); // reverts with ERC20InvalidReceiver for address(0)
        }
        if (sum != TOTAL_SUPPLY) revert XPLAllocationSumMismatch(sum, TOTAL_SUPPLY);
    }

    /// @notice ERC-6372 clock: block timestamps.
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice ERC-6372 clock mode.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
