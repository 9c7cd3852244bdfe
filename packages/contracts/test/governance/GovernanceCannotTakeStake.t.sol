// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GovernanceBase} from "./GovernanceBase.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";

/// @notice Issue #16, item 11: a passed proposal cannot move anyone's stake. Before, the timelock held the registry's
///         admin role: one proposal granted it the slasher role and slashed a provider and its delegators to the
///         last wei. Now the contracts that may slash, take capacity, add rewards and record work are named once by
///         the deployer, and no proposal can name another.
contract GovernanceCannotTakeStakeTest is GovernanceBase {
    uint256 internal backing;

    function setUp() public override {
        super.setUp();
        _registerAndStake(provider, STAKE);
        vm.prank(stranger);
        registry.delegate(provider, 90_000 ether);
        backing = registry.slashable(provider);
    }

    /// @dev Passes a proposal of one call and expects its execution to revert with `reason` (empty: any reason).
    function _executionFails(address target, bytes memory data, bytes memory reason, string memory text) internal {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _one(target, data);
        _passAndQueue(t, v, c, text);
        if (reason.length == 0) vm.expectRevert();
        else vm.expectRevert(reason);
        governor.execute(t, v, c, keccak256(bytes(text)));
    }

    function test_attack_aProposalGrantsItselfTheSlasherRoleAndSlashesAProvider() public {
        address[] memory t = new address[](2);
        uint256[] memory v = new uint256[](2);
        bytes[] memory c = new bytes[](2);
        (t[0], t[1]) = (address(registry), address(registry));
        c[0] = abi.encodeCall(IAccessControl.grantRole, (keccak256("SLASHER_ROLE"), address(timelock)));
        c[1] = abi.encodeCall(IProviderRegistry.slash, (provider, backing, address(timelock)));
        string memory text = "Take the provider's and its delegators' stake";
        _passAndQueue(t, v, c, text);
        uint256 before = xpl.balanceOf(address(timelock));
        vm.expectRevert(); // the registry has no roles to grant
        governor.execute(t, v, c, keccak256(bytes(text)));
        assertEq(registry.slashable(provider), backing, "the stake is untouched");
        assertEq(xpl.balanceOf(address(timelock)), before);
    }

    function test_attack_aProposalCannotSlashNorNameItselfSlasher() public {
        bytes memory notSlasher = abi.encodeWithSelector(IProviderRegistry.RegistryNotSlasher.selector, address(timelock));
        _executionFails(
            address(registry),
            abi.encodeCall(IProviderRegistry.slash, (provider, backing, address(timelock))),
            notSlasher,
            "Slash directly"
        );
        _executionFails(
            address(registry),
            abi.encodeCall(IProviderRegistry.setCallers, (address(timelock), address(timelock), rewards)),
            abi.encodeWithSelector(IProviderRegistry.RegistryNotDeployer.selector, address(timelock)),
            "Name the timelock market and slasher"
        );
        assertEq(registry.slashable(provider), backing, "the stake is untouched");
    }

    function test_attack_aProposalCannotTakeCapacityAddRewardsOrRecordWork() public {
        uint256 offerId = _offer(provider, 8, PRICE);
        bytes memory notMarket = abi.encodeWithSelector(IProviderRegistry.RegistryNotMarket.selector, address(timelock));
        _executionFails(
            address(registry), abi.encodeCall(IProviderRegistry.reserveCapacity, (offerId, 8)), notMarket, "Block an offer"
        );
        _executionFails(
            address(rewards),
            abi.encodeCall(IRewardsDistributor.recordWork, (provider, 1e12, 1e30)),
            abi.encodeWithSelector(IRewardsDistributor.RewardsNotMarket.selector, address(timelock)),
            "Record fake work to drain the rewards pool"
        );
        _executionFails(
            address(rewards),
            abi.encodeCall(IRewardsDistributor.setMarket, (address(timelock))),
            abi.encodeWithSelector(IRewardsDistributor.RewardsNotDeployer.selector, address(timelock)),
            "Name the timelock market"
        );
        _executionFails(
            address(registry),
            abi.encodeCall(IProviderRegistry.addDelegatorRewards, (provider, 1 ether, 0)),
            abi.encodeWithSelector(IProviderRegistry.RegistryNotRewardsDistributor.selector, address(timelock)),
            "Add rewards"
        );
    }
}
