// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VerificationTestBase} from "../verification/VerificationTestBase.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IRewardsDistributor} from "../../src/interfaces/IRewardsDistributor.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";
import {LeaseMath} from "../../src/libraries/LeaseMath.sol";

/// @notice Review finding L2 (issue #16): a verified lease's work earns rewards only once verification releases its
///         pay. It used to be recorded when the lease ended, before verification, so a provider whose result then
///         failed kept the reward credit of the work it cheated on.
contract VerifiedWorkRewardsTest is VerificationTestBase {
    function _completeVerified(bytes32 manifest) internal returns (uint256 leaseId) {
        leaseId = _openVerified(IVerificationManager.Mode.Exact, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 3600);
        vm.prank(provider);
        market.completeLease(leaseId, _commitmentOf(leaseId, manifest, SALT));
    }

    function test_attack_aResultThatFailsVerificationKeepsItsRewardCredit() public {
        uint256 epoch = rewards.currentEpoch();
        uint256 leaseId = _completeVerified(WRONG);
        assertEq(rewards.getWork(epoch, provider).gpuSeconds, 0, "no reward credit before verification ends");
        address first = _disputeByFirst(leaseId, MANIFEST);
        (address second, address third) = _committeeCommits(leaseId, MANIFEST, MANIFEST);
        _reveal(leaseId, first, MANIFEST);
        _reveal(leaseId, second, MANIFEST);
        _reveal(leaseId, third, MANIFEST);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Failed));
        assertEq(rewards.pendingEpochs(provider).length, 0, "the cheater has no reward credit");
    }

    function test_recordVerifiedWork_recordsTheLeasesSecondsAndFeeForTheVerificationManagerOnly() public {
        uint256 leaseId = _completeVerified(MANIFEST);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IComputeMarket.MarketNotVerification.selector, stranger));
        market.recordVerifiedWork(leaseId);
        uint256 paid = market.getLease(leaseId).paid;
        vm.prank(address(verifier));
        market.recordVerifiedWork(leaseId);
        IRewardsDistributor.Work memory w = rewards.getWork(rewards.currentEpoch(), provider);
        assertEq(w.gpuSeconds, 3600, "one GPU for an hour");
        (, uint256 protocolFee,) = LeaseMath.split(paid, 500, 2_000, false);
        assertEq(w.protocolFees, protocolFee);
    }

    function test_aVerifiedLeaseEarnsItsRewardCreditWhenVerificationReleasesItsPay() public {
        uint256 leaseId = _completeVerified(MANIFEST);
        assertEq(rewards.getWork(rewards.currentEpoch(), provider).gpuSeconds, 0, "nothing before verification");
        _draw(leaseId, false);
        assertEq(uint8(_stage(leaseId)), uint8(IVerificationManager.Stage.Released));
        assertEq(rewards.getWork(rewards.currentEpoch(), provider).gpuSeconds, 3600, "recorded once released");
    }

    function test_unverifiedLeasesStillRecordTheirWorkWhenPaid() public {
        uint256 leaseId = _openVerified(IVerificationManager.Mode.None, 600);
        _start(leaseId);
        vm.warp(block.timestamp + 600);
        vm.prank(provider);
        market.completeLease(leaseId, keccak256("result"));
        assertEq(rewards.getWork(rewards.currentEpoch(), provider).gpuSeconds, 600);
    }
}
