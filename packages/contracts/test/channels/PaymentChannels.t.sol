// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Fixture} from "../utils/Fixture.sol";
import {IPaymentChannels} from "../../src/interfaces/IPaymentChannels.sol";

contract PaymentChannelsTest is Fixture {
    uint256 internal constant DEPOSIT = 100 ether;

    function _sign(uint256 key, uint256 channelId, uint256 cumulative) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, channels.voucherDigest(channelId, cumulative));
        return abi.encodePacked(r, s, v);
    }

    function _openChannel() internal returns (uint256 id) {
        vm.prank(client);
        id = channels.openChannel(provider, DEPOSIT);
    }

    function _redeem(uint256 id, uint256 cumulative) internal returns (uint256) {
        bytes memory sig = _sign(CLIENT_KEY, id, cumulative);
        vm.prank(provider);
        return channels.redeem(id, cumulative, sig);
    }

    function _assertConserved() internal view {
        uint256 owed;
        for (uint256 id = 1; id <= channels.channelCount(); ++id) {
            IPaymentChannels.Channel memory c = channels.getChannel(id);
            if (!c.closed) owed += c.deposit - c.redeemed;
        }
        assertEq(xpl.balanceOf(address(channels)), owed, "channels hold exactly deposit - redeemed of open channels");
    }

    function test_opensAndTopsUp() public {
        uint256 before = xpl.balanceOf(client);
        uint256 id = _openChannel();
        vm.prank(client);
        channels.topUp(id, 50 ether);
        IPaymentChannels.Channel memory c = channels.getChannel(id);
        assertEq(c.deposit, DEPOSIT + 50 ether);
        assertEq(c.provider, provider);
        assertEq(before - xpl.balanceOf(client), DEPOSIT + 50 ether);
        _assertConserved();
    }

    function test_redeemPaysOnlyTheIncreaseWithTheProtocolFee() public {
        uint256 id = _openChannel();
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 treasuryBefore = xpl.balanceOf(treasury);
        assertEq(_redeem(id, 10 ether), 10 ether);
        assertEq(_redeem(id, 25 ether), 15 ether, "the second voucher pays only its increase");
        assertEq(xpl.balanceOf(provider) - providerBefore, 25 ether - 25 ether * 500 / 10_000);
        assertEq(xpl.balanceOf(treasury) - treasuryBefore, 25 ether * 500 / 10_000);
        assertEq(channels.getChannel(id).redeemed, 25 ether);
        _assertConserved();
    }

    function test_staleAndReplayedVouchersPayNothing() public {
        uint256 id = _openChannel();
        _redeem(id, 20 ether);
        bytes memory again = _sign(CLIENT_KEY, id, 20 ether);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelStaleVoucher.selector, id, 20 ether, 20 ether));
        channels.redeem(id, 20 ether, again);
        bytes memory older = _sign(CLIENT_KEY, id, 5 ether);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelStaleVoucher.selector, id, 5 ether, 20 ether));
        channels.redeem(id, 5 ether, older);
    }

    function test_refusesWrongSignerOtherChannelAndTooMuch() public {
        uint256 id = _openChannel();
        uint256 other = _openChannel();
        bytes memory forged = _sign(PROVIDER_KEY, id, 1 ether);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelBadSignature.selector, id));
        channels.redeem(id, 1 ether, forged);
        // A voucher for one channel does not pay on another.
        bytes memory forOther = _sign(CLIENT_KEY, other, 1 ether);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelBadSignature.selector, id));
        channels.redeem(id, 1 ether, forOther);
        bytes memory tooMuch = _sign(CLIENT_KEY, id, DEPOSIT + 1);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelVoucherExceedsDeposit.selector, id, DEPOSIT + 1, DEPOSIT));
        channels.redeem(id, DEPOSIT + 1, tooMuch);
        bytes memory good = _sign(CLIENT_KEY, id, 1 ether);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotProvider.selector, id, stranger));
        channels.redeem(id, 1 ether, good);
    }

    function test_closeGivesTheProviderAChallengePeriodThenRefunds() public {
        uint256 id = _openChannel();
        _redeem(id, 10 ether);
        vm.prank(client);
        channels.requestClose(id);
        uint64 closesAt = channels.getChannel(id).closesAt;
        assertEq(closesAt, block.timestamp + 1 hours);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelClosing.selector, id, closesAt));
        channels.topUp(id, 1 ether);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelChallengeNotOver.selector, id, closesAt));
        channels.withdraw(id);
        // The provider still redeems its latest voucher during the challenge period.
        _redeem(id, 30 ether);
        vm.warp(closesAt);
        uint256 before = xpl.balanceOf(client);
        vm.prank(client);
        assertEq(channels.withdraw(id), DEPOSIT - 30 ether);
        assertEq(xpl.balanceOf(client) - before, DEPOSIT - 30 ether);
        bytes memory late = _sign(CLIENT_KEY, id, 40 ether);
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        channels.redeem(id, 40 ether, late);
        _assertConserved();
    }

    function test_providerCanReleaseAtOnce() public {
        uint256 id = _openChannel();
        _redeem(id, 7 ether);
        uint256 before = xpl.balanceOf(client);
        vm.prank(provider);
        channels.release(id);
        assertEq(xpl.balanceOf(client) - before, DEPOSIT - 7 ether);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        channels.withdraw(id);
    }

    function test_badInputs() public {
        vm.prank(client);
        vm.expectRevert(IPaymentChannels.ChannelZeroProvider.selector);
        channels.openChannel(address(0), 1);
        vm.prank(client);
        vm.expectRevert(IPaymentChannels.ChannelZeroAmount.selector);
        channels.openChannel(provider, 0);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelUnknown.selector, 9));
        channels.getChannel(9);
        uint256 id = _openChannel();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotClient.selector, id, stranger));
        channels.requestClose(id);
        vm.prank(client);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotClosing.selector, id));
        channels.withdraw(id);
    }

    /// @dev Any sequence of vouchers pays the provider (plus fee) exactly the highest one, and the client the rest.
    function testFuzz_vouchersPayExactlyTheLatestCumulativeAmount(uint96[6] memory steps) public {
        uint256 id = _openChannel();
        uint256 providerBefore = xpl.balanceOf(provider);
        uint256 treasuryBefore = xpl.balanceOf(treasury);
        uint256 clientBefore = xpl.balanceOf(client);
        uint256 cumulative;
        for (uint256 i; i < steps.length; ++i) {
            cumulative += bound(steps[i], 1, DEPOSIT / 8);
            _redeem(id, cumulative);
        }
        vm.prank(client);
        channels.requestClose(id);
        vm.warp(block.timestamp + 1 hours);
        vm.prank(client);
        channels.withdraw(id);
        uint256 toProvider = xpl.balanceOf(provider) - providerBefore;
        uint256 toTreasury = xpl.balanceOf(treasury) - treasuryBefore;
        assertEq(toProvider + toTreasury, cumulative, "provider + fee == the latest voucher");
        assertEq(xpl.balanceOf(client) - clientBefore, DEPOSIT - cumulative, "the rest back to the client");
        _assertConserved();
    }
}
