// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ValidatorSetBase} from "./ValidatorSetBase.sol";
import {IHardwareChecks} from "../../src/interfaces/IHardwareChecks.sol";
import {IValidatorSet} from "../../src/interfaces/IValidatorSet.sol";

contract HardwareChecksTest is ValidatorSetBase {
    address[3] internal vals;
    uint256 internal offerId;
    bytes32 internal constant REPORT = keccak256("report");

    function setUp() public override {
        super.setUp();
        vm.roll(100);
        for (uint256 i; i < 3; ++i) vals[i] = _validator(i, MIN_STAKE);
        _registerAndStake(provider, STAKE);
        offerId = _offer(provider, 8, PRICE);
        vm.roll(110);
    }

    // ---------------------------------------------------------------- attacks (issue 16 item 9)

    /// @dev Failed on the old VerificationManager: any staked validator's recordHardwareCheck replaced the offer's check.
    function test_attack_unassignedValidatorCannotReportOrOverwrite() public {
        address assigned = _requestAndAssign();
        address other = _other(assigned);
        vm.prank(other);
        vm.expectRevert(abi.encodeWithSelector(IHardwareChecks.HardwareCheckNotAssigned.selector, offerId, other));
        hardwareChecks.report(offerId, false, keccak256("lie"));
        _report(assigned, true);
        vm.prank(other);
        vm.expectRevert(
            abi.encodeWithSelector(IHardwareChecks.HardwareCheckWrongStage.selector, offerId, IHardwareChecks.Stage.None)
        );
        hardwareChecks.report(offerId, false, keccak256("lie"));
        (bool exists, IHardwareChecks.Report memory last) = hardwareChecks.latestReport(offerId);
        assertTrue(exists && last.passed && last.validator == assigned, "the assigned validator's pass stands");
    }

    /// @dev Failed on the old VerificationManager: a failed check could not be disputed at all.
    function test_attack_falseFailedReportIsOverturnedAndPenalized() public {
        address liar = _requestAndAssign();
        _report(liar, false);
        vm.prank(provider);
        hardwareChecks.dispute(offerId);
        address rechecker = _assignNext();
        assertTrue(rechecker != liar && rechecker != provider, "the re-check is someone else");
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 recheckerBefore = xpl.balanceOf(rechecker);
        uint256 treasuryBefore = xpl.balanceOf(treasury);
        _report(rechecker, true);

        IHardwareChecks.Report memory lie = hardwareChecks.getReport(offerId, 0);
        assertEq(uint8(lie.verdict), uint8(IHardwareChecks.Verdict.Overturned), "the false report is overturned");
        uint256 penalty = 100 ether; // missedWindowPenalty: one re-checker's word is not proof enough for a slash
        assertEq(validatorSet.getValidator(liar).stake, MIN_STAKE - penalty, "the overturned validator is penalized");
        assertEq(xpl.balanceOf(treasury) - treasuryBefore, penalty, "the penalty goes to the treasury");
        // Hostile review (M1): an overturn used to pay the provider and the re-checker a bounty out of a 50 % slash,
        // so claiming one falsely paid; now nobody earns anything from it.
        assertEq(xpl.balanceOf(provider), providerBefore, "no bounty to the provider");
        assertEq(xpl.balanceOf(rechecker), recheckerBefore, "no bounty to the re-checker");
        assertEq(hardwareChecks.reportCount(offerId), 2, "both reports are kept");
        (, IHardwareChecks.Report memory last) = hardwareChecks.latestReport(offerId);
        assertTrue(last.passed && last.recheck, "the latest report is the re-check's pass");
        _assertReleased();
    }

    // ---------------------------------------------------------------- disputes

    function test_dispute_failureStandsWhenTheRecheckFailsToo() public {
        address first = _requestAndAssign();
        _report(first, false);
        vm.prank(provider);
        hardwareChecks.dispute(offerId);
        address second = _assignNext();
        _report(second, false);
        assertEq(uint8(hardwareChecks.getReport(offerId, 0).verdict), uint8(IHardwareChecks.Verdict.Upheld), "upheld");
        assertEq(validatorSet.getValidator(first).stake, MIN_STAKE, "nobody slashed");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IHardwareChecks.HardwareCheckNotDisputable.selector, offerId));
        hardwareChecks.dispute(offerId); // a re-check's failure is final
        _assertReleased();
    }

    function test_dispute_onlyTheProviderWithinTheWindow() public {
        address first = _requestAndAssign();
        _report(first, false);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IHardwareChecks.HardwareCheckNotProvider.selector, offerId, stranger));
        hardwareChecks.dispute(offerId);
        uint40 deadline = hardwareChecks.getCheck(offerId).deadline;
        vm.warp(deadline + 1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IHardwareChecks.HardwareCheckWindowClosed.selector, offerId, deadline));
        hardwareChecks.dispute(offerId);
        assertEq(validatorSet.getValidator(first).openAssignments, 1, "answerable until closed");
        hardwareChecks.close(offerId);
        _assertReleased();
        assertEq(uint8(hardwareChecks.getReport(offerId, 0).verdict), uint8(IHardwareChecks.Verdict.Standing), "stands");
    }

    /// @dev Nobody else can re-check: after DISPUTE_DRAW_WINDOWS windows the dispute closes undecided, the report
    ///      stands, and its validator is released unslashed.
    function test_close_disputeWithNoSecondValidatorEndsUndecided() public {
        address first = _requestAndAssign();
        _report(first, false);
        for (uint256 i; i < 3; ++i) if (vals[i] != first) _exit(vals[i]);
        vm.roll(block.number + 1);
        vm.prank(provider);
        hardwareChecks.dispute(offerId);
        uint256 drawBlock = hardwareChecks.getCheck(offerId).drawBlock;
        vm.setBlockhash(drawBlock, keccak256("nobody"));
        vm.roll(drawBlock + 1);
        hardwareChecks.assign(offerId);
        IHardwareChecks.Check memory c = hardwareChecks.getCheck(offerId);
        assertEq(uint8(c.stage), uint8(IHardwareChecks.Stage.NeedsValidator), "nobody to draw");
        assertEq(c.deadline, block.timestamp + hardwareChecks.DISPUTE_DRAW_WINDOWS() * 1 hours, "fallback clock");
        vm.expectRevert(abi.encodeWithSelector(IHardwareChecks.HardwareCheckWindowOpen.selector, offerId, c.deadline));
        hardwareChecks.close(offerId);
        vm.warp(uint256(c.deadline) + 1);
        hardwareChecks.close(offerId);
        IHardwareChecks.Report memory r = hardwareChecks.getReport(offerId, 0);
        assertEq(uint8(r.verdict), uint8(IHardwareChecks.Verdict.Standing), "undecided: the report stands");
        assertEq(validatorSet.getValidator(first).stake, MIN_STAKE, "not slashed");
        assertEq(uint8(hardwareChecks.getCheck(offerId).stage), uint8(IHardwareChecks.Stage.None), "closed");
        _assertReleased();
    }

    // ---------------------------------------------------------------- draws and windows

    function test_timeout_penalizesTheMissedValidatorAndRedraws() public {
        address lazy = _requestAndAssign();
        vm.warp(block.timestamp + 1 hours + 1);
        uint256 treasuryBefore = xpl.balanceOf(treasury);
        hardwareChecks.timeout(offerId);
        assertEq(validatorSet.getValidator(lazy).stake, MIN_STAKE - 100 ether, "missed-window penalty");
        assertEq(validatorSet.getValidator(lazy).missed, 1, "counted");
        assertEq(xpl.balanceOf(treasury) - treasuryBefore, 100 ether, "the penalty goes to the treasury");
        assertEq(uint8(hardwareChecks.getCheck(offerId).stage), uint8(IHardwareChecks.Stage.NeedsValidator), "redraw");
        address next = _assignNext();
        _report(next, true);
        _assertReleased();
    }

    function test_report_revertsAfterTheWindow() public {
        address assigned = _requestAndAssign();
        uint40 deadline = hardwareChecks.getCheck(offerId).deadline;
        vm.warp(deadline + 1);
        vm.prank(assigned);
        vm.expectRevert(abi.encodeWithSelector(IHardwareChecks.HardwareCheckWindowClosed.selector, offerId, deadline));
        hardwareChecks.report(offerId, true, REPORT);
    }

    /// @dev After 256 blocks the draw block's hash is gone: the check waits for a hash nobody knows yet.
    function test_assign_staleHashWaitsForTheNextBlock() public {
        hardwareChecks.requestCheck(offerId);
        vm.roll(block.number + 300);
        hardwareChecks.assign(offerId);
        IHardwareChecks.Check memory c = hardwareChecks.getCheck(offerId);
        assertEq(uint8(c.stage), uint8(IHardwareChecks.Stage.NeedsValidator), "still waiting");
        assertEq(c.drawBlock, block.number, "re-armed at the current block");
        _assignNext();
    }

    function test_assign_neverDrawsTheProvider() public {
        for (uint256 i; i < 3; ++i) _exit(vals[i]);
        vm.startPrank(provider);
        xpl.approve(address(validatorSet), type(uint256).max);
        validatorSet.stake(MIN_STAKE);
        vm.stopPrank();
        vm.roll(block.number + 5);
        hardwareChecks.requestCheck(offerId);
        vm.setBlockhash(block.number, keccak256("any"));
        vm.roll(block.number + 1);
        hardwareChecks.assign(offerId);
        assertEq(uint8(hardwareChecks.getCheck(offerId).stage), uint8(IHardwareChecks.Stage.NeedsValidator), "nobody");
    }

    function test_assign_revertsInTheRequestBlock() public {
        hardwareChecks.requestCheck(offerId);
        vm.expectRevert(abi.encodeWithSelector(IHardwareChecks.HardwareCheckTooEarly.selector, offerId, block.number + 1));
        hardwareChecks.assign(offerId);
    }

    // ---------------------------------------------------------------- requests and history

    function test_requestCheck_oneOpenPerOfferAndNotTooOften() public {
        hardwareChecks.requestCheck(offerId);
        vm.expectRevert(
            abi.encodeWithSelector(
                IHardwareChecks.HardwareCheckOpen.selector, offerId, IHardwareChecks.Stage.NeedsValidator
            )
        );
        hardwareChecks.requestCheck(offerId);
        _report(_assignNext(), true);
        uint256 nextAt = block.timestamp + hardwareChecks.MIN_CHECK_INTERVAL();
        vm.expectRevert(abi.encodeWithSelector(IHardwareChecks.HardwareCheckTooSoon.selector, offerId, nextAt));
        hardwareChecks.requestCheck(offerId);
    }

    function test_history_keepsEveryReport() public {
        bool[3] memory verdicts = [true, false, true];
        for (uint256 i; i < 3; ++i) {
            vm.warp(block.timestamp + 1 days);
            if (hardwareChecks.getCheck(offerId).stage == IHardwareChecks.Stage.Disputable) {
                vm.warp(block.timestamp + 1 hours + 1); // let the failure's dispute window pass
            }
            address assigned = _requestAndAssign();
            vm.prank(assigned);
            hardwareChecks.report(offerId, verdicts[i], keccak256(abi.encode(i)));
        }
        assertEq(hardwareChecks.reportCount(offerId), 3, "three reports");
        for (uint256 i; i < 3; ++i) {
            IHardwareChecks.Report memory r = hardwareChecks.getReport(offerId, i);
            assertEq(r.passed, verdicts[i], "verdict kept");
            assertEq(r.reportHash, keccak256(abi.encode(i)), "hash kept");
        }
        _assertReleased();
    }

    function test_requestCheck_revertsForAnUnknownOffer() public {
        vm.expectRevert();
        hardwareChecks.requestCheck(999);
    }

    // ---------------------------------------------------------------- helpers

    /// @dev Requests a check and draws its validator from the next block.
    function _requestAndAssign() internal returns (address) {
        hardwareChecks.requestCheck(offerId);
        return _assignNext();
    }

    function _assignNext() internal returns (address assigned) {
        uint256 drawBlock = hardwareChecks.getCheck(offerId).drawBlock;
        vm.setBlockhash(drawBlock, keccak256(abi.encode("hardware", drawBlock)));
        vm.roll(drawBlock + 1);
        hardwareChecks.assign(offerId);
        assigned = hardwareChecks.getCheck(offerId).validator;
        assertTrue(assigned != address(0), "a validator was drawn");
        assertEq(validatorSet.getValidator(assigned).openAssignments, 1, "assigned in the set");
    }

    function _report(address validator, bool passed) internal {
        vm.prank(validator);
        hardwareChecks.report(offerId, passed, REPORT);
    }

    function _other(address validator) internal view returns (address) {
        return validator == vals[0] ? vals[1] : vals[0];
    }

    /// @dev Every check has ended: no validator is held, no XPL is left here, and the set holds only stake.
    function _assertReleased() internal view {
        for (uint256 i; i < 3; ++i) {
            assertEq(validatorSet.getValidator(vals[i]).openAssignments, 0, "released");
        }
        assertEq(xpl.balanceOf(address(hardwareChecks)), 0, "the hardware checks hold no XPL");
        _assertStakeConserved();
    }
}
