// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GovernanceBase} from "./GovernanceBase.sol";
import {IProtocolParameters} from "../../src/interfaces/IProtocolParameters.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice Governance as `deployPlasma` wires it: the timelock owns the parameters and the treasury, the governor
///         is its only proposer, and nobody is the timelock's admin.
contract PlasmaGovernorTest is GovernanceBase {
    function _setFee(uint256 bps) internal view returns (address[] memory, uint256[] memory, bytes[] memory) {
        return _one(address(params), abi.encodeCall(IProtocolParameters.setParameter, (bytes32("protocolFeeBps"), bps)));
    }

    function test_AProposalChangesAMarketParameterThroughTheTimelock() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _setFee(300);
        _passAndExecute(t, v, c, "Lower the protocol fee to 3 %");
        assertEq(params.parameter("protocolFeeBps"), 300);
    }

    function test_AProposalPaysATreasuryGrant() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) =
            _one(address(xpl), abi.encodeCall(xpl.transfer, (builder, 25_000 ether)));
        uint256 before = xpl.balanceOf(builder);
        _passAndExecute(t, v, c, "Grant 25,000 XPL to the indexer builders");
        assertEq(xpl.balanceOf(builder) - before, 25_000 ether);
        assertEq(xpl.balanceOf(address(timelock)), 975_000 ether);
    }

    function test_ADefeatedProposalCannotBeQueued() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _setFee(0);
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
        uint256 id = _propose(t, v, c, "Small vote");
        vm.prank(client); // 1,000,000 XPL: 0.1 % of the supply, quorum is 4 %
        governor.castVote(id, 1);
        vm.warp(block.timestamp + PERIOD + 1);
        assertEq(uint256(governor.state(id)), uint256(IGovernor.ProposalState.Defeated));
    }

    function test_BoundsHoldEvenThroughGovernance() public {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _setFee(5_000); // cap is 2,000
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
        vm.prank(stranger); // holds XPL but has not delegated: no votes
        vm.expectRevert(
            abi.encodeWithSelector(IGovernor.GovernorInsufficientProposerVotes.selector, stranger, 0, THRESHOLD)
        );
        governor.propose(t, v, c, "Stranger's idea");
    }
}
