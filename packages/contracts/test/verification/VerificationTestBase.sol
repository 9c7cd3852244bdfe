// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";

/// @notice Three staked validators (in the `ValidatorSet`), one staked provider with an offer, and the steps of the verification game.
abstract contract VerificationTestBase is Fixture {
    address internal val1 = address(0xA001);
    address internal val2 = address(0xA002);
    address internal val3 = address(0xA003);
    address[3] internal validators;

    uint256 internal constant VALIDATOR_STAKE = 10_000 ether;
    bytes32 internal constant MANIFEST = keccak256("the honest outputs");
    bytes32 internal constant WRONG = keccak256("garbage outputs");
    bytes32 internal constant SALT = keccak256("provider salt");
    uint256 internal offerId;

    function setUp() public virtual override {
        super.setUp();
        validators = [val1, val2, val3];
        for (uint256 i; i < 3; ++i) _fundValidator(validators[i], true);
        _registerAndStake(provider, STAKE);
        offerId = _offer(provider, 8, PRICE);
        vm.roll(block.number + 1); // the validators count in draws seeded from the next block on
    }

    function _fundValidator(address who, bool stake) internal {
        vm.prank(owner);
        xpl.transfer(who, 100_000 ether);
        vm.prank(who);
        xpl.approve(address(validatorSet), type(uint256).max);
        if (stake) {
            vm.prank(who);
            validatorSet.stake(VALIDATOR_STAKE);
        }
    }

    function _exitValidator(address who) internal {
        vm.prank(who);
        validatorSet.requestExit();
    }

    function _stakeOf(address who) internal view returns (uint256) {
        return validatorSet.getValidator(who).stake;
    }

    function _openVerified(IVerificationManager.Mode mode, uint32 maxSeconds) internal returns (uint256 leaseId) {
        vm.prank(client);
        leaseId = market.openLease(
            IComputeMarket.OpenLeaseParams(offerId, 1, maxSeconds, type(uint96).max, keccak256("spec"), address(0), mode)
        );
    }

    function _commitmentOf(uint256 leaseId, bytes32 manifest, bytes32 salt) internal pure returns (bytes32) {
        return keccak256(abi.encode(leaseId, manifest, salt));
    }

    /// @dev Makes the block a verification waits on hash to one that draws `sampled`, then draws.
    function _draw(uint256 leaseId, bool sampled) internal {
        uint256 rate = params.verificationParams().samplingRateBps;
        uint256 waitBlock = verifier.getVerification(leaseId).drawBlock;
        bytes32 seed;
        for (uint256 i = 1;; ++i) {
            seed = keccak256(abi.encode("seed", i));
            if ((uint256(keccak256(abi.encode(seed, leaseId, uint8(1)))) % 10_000 < rate) == sampled) break;
        }
        vm.setBlockhash(waitBlock, seed);
        vm.roll(waitBlock + 1);
        verifier.draw(leaseId);
    }

    /// @dev Rolls one block and assigns the next validator of a lease waiting for one.
    function _assignNext(uint256 leaseId) internal {
        uint256 waitingSince = verifier.getVerification(leaseId).drawBlock;
        vm.setBlockhash(waitingSince, keccak256(abi.encode("assign", waitingSince)));
        vm.roll(waitingSince + 1);
        verifier.assign(leaseId);
    }

    /// @dev Rolls one block and draws whether a tolerance-mode match is audited, making the block's hash draw `audited`.
    function _drawAudit(uint256 leaseId, bool audited) internal {
        uint256 rate = params.verificationParams().toleranceAuditBps;
        uint256 waitBlock = verifier.getVerification(leaseId).drawBlock;
        bytes32 seed;
        for (uint256 i = 1;; ++i) {
            seed = keccak256(abi.encode("audit seed", i));
            if ((uint256(keccak256(abi.encode(seed, leaseId, uint8(2)))) % 10_000 < rate) == audited) break;
        }
        vm.setBlockhash(waitBlock, seed);
        vm.roll(waitBlock + 1);
        verifier.draw(leaseId);
    }

    /// @dev The validator whose step it is.
    function _current(uint256 leaseId) internal view returns (address) {
        IVerificationManager.Assignment memory a = verifier.getAssignment(leaseId);
        uint8 round = verifier.getVerification(leaseId).round;
        return round == 1 ? a.validator1 : round == 2 ? a.validator2 : a.validator3;
    }

    /// @dev Assigns an exact-mode dispute's committee (second and third validators, drawn together) and has both
    ///      commit blind to `second`'s and `third`'s results.
    function _committeeCommits(uint256 leaseId, bytes32 secondResult, bytes32 thirdResult)
        internal
        returns (address second, address third)
    {
        _assignNext(leaseId);
        IVerificationManager.Assignment memory a = verifier.getAssignment(leaseId);
        (second, third) = (a.validator2, a.validator3);
        _validatorCommit(leaseId, second, secondResult);
        _validatorCommit(leaseId, third, thirdResult);
    }

    /// @dev A validator reveals, in a dispute's final reveal, the result it committed to.
    function _reveal(uint256 leaseId, address validator, bytes32 result) internal {
        vm.prank(validator);
        verifier.revealResult(leaseId, result, _saltOf(validator));
    }

    /// @dev A verified lease half used (30 of 60 minutes) and completed with a commitment to `reported`.
    function _completed(IVerificationManager.Mode mode, bytes32 reported) internal returns (uint256 leaseId) {
        leaseId = _openVerified(mode, 3600);
        _start(leaseId);
        vm.warp(block.timestamp + 1800);
        vm.prank(provider);
        market.completeLease(leaseId, _commitmentOf(leaseId, reported, SALT));
    }

    /// @dev Samples the lease; its first validator commits to `result`, the provider reveals its salt, and the first
    ///      validator attests a mismatch, which opens a dispute.
    function _disputeByFirst(uint256 leaseId, bytes32 result) internal returns (address first) {
        _draw(leaseId, true);
        first = _current(leaseId);
        _validatorCommit(leaseId, first, result);
        _revealProviderSalt(leaseId);
        vm.prank(first);
        verifier.attestMismatch(leaseId);
    }

    function _validatorCommit(uint256 leaseId, address validator, bytes32 result) internal {
        vm.prank(validator);
        verifier.commitResult(leaseId, keccak256(abi.encode(leaseId, validator, result, _saltOf(validator))));
    }

    function _saltOf(address validator) internal pure returns (bytes32) {
        return keccak256(abi.encode("validator salt", validator));
    }

    function _revealProviderSalt(uint256 leaseId) internal {
        vm.prank(provider);
        verifier.revealSalt(leaseId, SALT);
    }

    function _stage(uint256 leaseId) internal view returns (IVerificationManager.Stage) {
        return verifier.getVerification(leaseId).stage;
    }

    /// @dev The verification manager holds exactly what it owes.
    function _assertConserved() internal view {
        assertEq(
            xpl.balanceOf(address(verifier)),
            verifier.totalLocked() + verifier.feePool(),
            "verifier balance == locked payouts + fee pool"
        );
    }
}
