// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {PlasmaGovernor} from "../../src/governance/PlasmaGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

/// @notice The protocol with governance wired as `deployPlasma` wires it: the timelock owns the parameters and
///         the treasury, the governor is its only proposer, and nobody is the timelock's admin. The owner holds
///         most of the supply and votes with it, so any proposal it makes passes.
abstract contract GovernanceBase is Fixture {
    uint48 internal constant DELAY = 1 days;
    uint32 internal constant PERIOD = 5 days;
    uint256 internal constant TIMELOCK_DELAY = 2 days;
    uint256 internal constant THRESHOLD = 100_000 ether;

    TimelockController internal timelock;
    PlasmaGovernor internal governor;

    function setUp() public virtual override {
        super.setUp();
        address[] memory none = new address[](0);
        address[] memory anyone = new address[](1); // address(0): anyone may execute a passed proposal
        timelock = new TimelockController(TIMELOCK_DELAY, none, anyone, address(this));
        governor = new PlasmaGovernor(IVotes(address(xpl)), timelock, DELAY, PERIOD, THRESHOLD, 4);
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(governor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(governor));
        timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), address(this));
        vm.prank(owner);
        params.transferOwnership(address(timelock));
        vm.prank(address(timelock));
        params.acceptOwnership();
        // The treasury's XPL sits in the timelock; the owner holds the rest and votes with it.
        vm.startPrank(owner);
        xpl.transfer(address(timelock), 1_000_000 ether);
        xpl.delegate(owner);
        vm.stopPrank();
        vm.prank(client);
        xpl.delegate(client);
        vm.warp(block.timestamp + 1); // votes count from the next second
    }

    function _one(address target, bytes memory data)
        internal
        pure
        returns (address[] memory t, uint256[] memory v, bytes[] memory c)
    {
        t = new address[](1);
        v = new uint256[](1);
        c = new bytes[](1);
        (t[0], c[0]) = (target, data);
    }

    function _propose(address[] memory t, uint256[] memory v, bytes[] memory c, string memory text)
        internal
        returns (uint256 id)
    {
        vm.prank(owner);
        id = governor.propose(t, v, c, text);
        vm.warp(block.timestamp + DELAY + 1);
    }

    /// @dev Proposes, votes it through and queues it; the caller executes (or expects the execution to fail).
    function _passAndQueue(address[] memory t, uint256[] memory v, bytes[] memory c, string memory text)
        internal
        returns (uint256 id)
    {
        id = _propose(t, v, c, text);
        vm.prank(owner);
        governor.castVote(id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Succeeded));
        governor.queue(t, v, c, keccak256(bytes(text)));
        vm.warp(block.timestamp + TIMELOCK_DELAY + 1);
    }

    function _passAndExecute(address[] memory t, uint256[] memory v, bytes[] memory c, string memory text) internal {
        uint256 id = _passAndQueue(t, v, c, text);
        governor.execute(t, v, c, keccak256(bytes(text)));
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Executed));
    }
}
