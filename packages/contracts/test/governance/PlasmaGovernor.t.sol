// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {PlasmaGovernor} from "../../src/governance/PlasmaGovernor.sol";
import {IProtocolParameters} from "../../src/interfaces/IProtocolParameters.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

/// @notice Governance as `deployPlasma` wires it: the timelock owns the parameters and the registry's
///         roles, the governor is its only proposer, and nobody is the timelock's admin.
contract PlasmaGovernorTest is Fixture {
    uint48 internal constant DELAY = 1 days;
    uint32 internal constant PERIOD = 5 days;
    uint256 internal constant TIMELOCK_DELAY = 2 days;
    uint256 internal constant THRESHOLD = 100_000 ether;

    TimelockController internal timelock;
    PlasmaGovernor internal governor;

    function setUp() public override {
        super.setUp();
        address[] memory none = new address[](0);
        address[] memory anyone = new address[](1); // address(0): anyone may execute a passed proposal
        timelock = new TimelockController(TIMELOCK_DELAY, none, anyone, address(this));
        governor = new PlasmaGovernor(IVotes(address(xpl)), timelock, DELAY, PERIOD, THRESHOLD, 4);
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(governor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(governor));
        timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), address(this));
        vm.startPrank(owner);
        params.transferOwnership(address(timelock));
        registry.grantRole(registry.DEFAULT_ADMIN_ROLE(), address(timelock));
        registry.renounceRole(registry.DEFAULT_ADMIN_ROLE(), owner);
        vm.stopPrank();
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

    function _setFee(uint256 bps) internal pure returns (address[] memory t, uint256[] memory v, bytes[] memory c) {
        t = new address[](1);
        v = new uint256[](1);
        c = new bytes[](1);
        c[0] = abi.encodeCall(IProtocolParameters.setParameter, (bytes32("protocolFeeBps"), bps));
        return (t, v, c);
    }

    function _propose(address[] memory t, uint256[] memory v, bytes[] memory c, string memory text)
        internal
        returns (uint256 id)
    {
        vm.prank(owner);
        id = governor.propose(t, v, c, text);
        vm.warp(block.timestamp + DELAY + 1);
    }

    function _passAndExecute(address[] memory t, uint256[] memory v, bytes[] memory c, string memory text) internal {
        uint256 id = _propose(t, v, c, text);
        vm.prank(owner);
        governor.castVote(id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Succeeded));
        governor.queue(t, v, c, keccak256(bytes(text)));
        vm.warp(block.timestamp + TIMELOCK_DELAY + 1);
        governor.execute(t, v, c, keccak256(bytes(text)));
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Executed));
    }

    function test_AProposalChangesAMarketParameterThroughTheTimelock() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _setFee(300);
        t[0] = address(params);
        _passAndExecute(t, v, c, "Lower the protocol fee to 3 %");
        assertEq(params.parameter("protocolFeeBps"), 300);
    }

    function test_AProposalPaysATreasuryGrant() public {
        address[] memory t = new address[](1);
        uint256[] memory v = new uint256[](1);
        bytes[] memory c = new bytes[](1);
        t[0] = address(xpl);
        c[0] = abi.encodeCall(xpl.transfer, (builder, 25_000 ether));
        uint256 before = xpl.balanceOf(builder);
        _passAndExecute(t, v, c, "Grant 25,000 XPL to the indexer builders");
        assertEq(xpl.balanceOf(builder) - before, 25_000 ether);
        assertEq(xpl.balanceOf(address(timelock)), 975_000 ether);
    }

    function test_ADefeatedProposalCannotBeQueued() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _setFee(0);
        t[0] = address(params);
        uint256 id = _propose(t, v, c, "No fee at all");
        vm.prank(owner);
        governor.castVote(id, 0); // against
        vm.prank(client);
        governor.castVote(id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Defeated));
        vm.expectRevert();
        governor.queue(t, v, c, keccak256("No fee at all"));
        assertEq(params.parameter("protocolFeeBps"), 500);
    }

    function test_WithoutQuorumAProposalIsDefeated() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _setFee(400);
        t[0] = address(params);
        uint256 id = _propose(t, v, c, "Small vote");
        vm.prank(client); // 1,000,000 XPL: 0.1 % of the supply, quorum is 4 %
        governor.castVote(id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Defeated));
    }

    function test_BoundsHoldEvenThroughGovernance() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _setFee(5_000); // cap is 2,000
        t[0] = address(params);
        string memory text = "Fee of 50 %";
        uint256 id = _propose(t, v, c, text);
        vm.prank(owner);
        governor.castVote(id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        governor.queue(t, v, c, keccak256(bytes(text)));
        vm.warp(block.timestamp + TIMELOCK_DELAY + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProtocolParameters.ParamsOutOfBounds.selector, bytes32("protocolFeeBps"), 5_000, 0, 2_000
            )
        );
        governor.execute(t, v, c, keccak256(bytes(text)));
        assertEq(params.parameter("protocolFeeBps"), 500);
    }

    function test_NoAccountCanChangeAnythingAfterTheHandover() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, owner));
        params.setParameter("protocolFeeBps", 0);
        bytes32 admin = registry.DEFAULT_ADMIN_ROLE();
        bytes32 slasher = registry.SLASHER_ROLE();
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, owner, admin));
        registry.grantRole(slasher, owner);
        // Nobody may schedule on the timelock but the governor, and nobody administers it.
        vm.prank(owner);
        vm.expectRevert();
        timelock.schedule(address(params), 0, "", bytes32(0), bytes32(0), TIMELOCK_DELAY);
        assertEq(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(this)), false);
        assertEq(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), owner), false);
        assertEq(params.owner(), address(timelock));
    }

    function test_ProposingNeedsTheThreshold() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _setFee(400);
        t[0] = address(params);
        vm.prank(stranger); // holds XPL but has not delegated: no votes
        vm.expectRevert(
            abi.encodeWithSelector(IGovernor.GovernorInsufficientProposerVotes.selector, stranger, 0, THRESHOLD)
        );
        governor.propose(t, v, c, "Stranger's idea");
    }
}
