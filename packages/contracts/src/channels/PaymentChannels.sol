// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IPaymentChannels} from "../interfaces/IPaymentChannels.sol";
import {IProtocolParameters} from "../interfaces/IProtocolParameters.sol";
import {LeaseMath} from "../libraries/LeaseMath.sol";

/// @title PaymentChannels
/// @notice Unidirectional XPL channels from a client to a provider, settled with cumulative EIP-712 vouchers.
///         A voucher for a cumulative amount pays only its increase over what was already redeemed, so a
///         replayed or older voucher pays nothing. Redemptions pay the protocol fee to the treasury like
///         lease payments. XPL held here always equals, over open channels, deposit − redeemed.
contract PaymentChannels is IPaymentChannels, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    bytes32 public constant VOUCHER_TYPEHASH = keccak256("Voucher(uint256 channelId,uint256 cumulativeAmount)");

    IERC20 public immutable xpl;
    IProtocolParameters public immutable params;

    mapping(uint256 channelId => Channel) private _channels;
    uint256 private _channelCount;

    constructor(IERC20 xpl_, IProtocolParameters params_) EIP712("Plasma Payment Channels", "1") {
        xpl = xpl_;
        params = params_;
    }

    /// @inheritdoc IPaymentChannels
    function openChannel(address provider, uint256 amount) external nonReentrant returns (uint256 channelId) {
        if (provider == address(0)) revert ChannelZeroProvider();
        if (amount == 0) revert ChannelZeroAmount();
        channelId = ++_channelCount;
        Channel storage c = _channels[channelId];
        c.client = msg.sender;
        c.provider = provider;
        c.deposit = _toDeposit(amount);
        emit ChannelOpened(channelId, msg.sender, provider, amount);
        xpl.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IPaymentChannels
    function topUp(uint256 channelId, uint256 amount) external nonReentrant {
        Channel storage c = _open(channelId);
        if (msg.sender != c.client) revert ChannelNotClient(channelId, msg.sender);
        if (c.closesAt != 0) revert ChannelClosing(channelId, c.closesAt);
        if (amount == 0) revert ChannelZeroAmount();
        c.deposit = _toDeposit(c.deposit + amount);
        emit ChannelToppedUp(channelId, amount, c.deposit);
        xpl.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IPaymentChannels
    function redeem(uint256 channelId, uint256 cumulativeAmount, bytes calldata signature)
        external
        nonReentrant
        returns (uint256 paid)
    {
        Channel storage c = _open(channelId);
        if (msg.sender != c.provider) revert ChannelNotProvider(channelId, msg.sender);
        if (cumulativeAmount > c.deposit) revert ChannelVoucherExceedsDeposit(channelId, cumulativeAmount, c.deposit);
        if (cumulativeAmount <= c.redeemed) revert ChannelStaleVoucher(channelId, cumulativeAmount, c.redeemed);
        if (!SignatureChecker.isValidSignatureNow(c.client, voucherDigest(channelId, cumulativeAmount), signature)) {
            revert ChannelBadSignature(channelId);
        }
        paid = cumulativeAmount - c.redeemed;
        c.redeemed = uint128(cumulativeAmount); // <= deposit, a uint128
        IProtocolParameters.MarketParams memory mp = params.marketParams();
        (uint256 providerAmount, uint256 fee,) = LeaseMath.split(paid, mp.protocolFeeBps, 0, false);
        emit VoucherRedeemed(channelId, msg.sender, cumulativeAmount, paid, providerAmount, fee);
        xpl.safeTransfer(msg.sender, providerAmount);
        if (fee > 0) xpl.safeTransfer(mp.treasury, fee);
    }

    /// @inheritdoc IPaymentChannels
    function requestClose(uint256 channelId) external {
        Channel storage c = _open(channelId);
        if (msg.sender != c.client) revert ChannelNotClient(channelId, msg.sender);
        if (c.closesAt != 0) revert ChannelClosing(channelId, c.closesAt);
        c.closesAt = uint64(block.timestamp + params.channelParams().challengePeriod);
        emit ChannelCloseRequested(channelId, c.closesAt);
    }

    /// @inheritdoc IPaymentChannels
    function withdraw(uint256 channelId) external nonReentrant returns (uint256 refund) {
        Channel storage c = _open(channelId);
        if (msg.sender != c.client) revert ChannelNotClient(channelId, msg.sender);
        if (c.closesAt == 0) revert ChannelNotClosing(channelId);
        if (block.timestamp < c.closesAt) revert ChannelChallengeNotOver(channelId, c.closesAt);
        refund = _close(channelId, c);
    }

    /// @inheritdoc IPaymentChannels
    function release(uint256 channelId) external nonReentrant returns (uint256 refund) {
        Channel storage c = _open(channelId);
        if (msg.sender != c.provider) revert ChannelNotProvider(channelId, msg.sender);
        refund = _close(channelId, c);
    }

    /// @inheritdoc IPaymentChannels
    function getChannel(uint256 channelId) external view returns (Channel memory) {
        Channel storage c = _channels[channelId];
        if (c.client == address(0)) revert ChannelUnknown(channelId);
        return c;
    }

    /// @inheritdoc IPaymentChannels
    function channelCount() external view returns (uint256) {
        return _channelCount;
    }

    /// @inheritdoc IPaymentChannels
    function voucherDigest(uint256 channelId, uint256 cumulativeAmount) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VOUCHER_TYPEHASH, channelId, cumulativeAmount)));
    }

    function _close(uint256 channelId, Channel storage c) private returns (uint256 refund) {
        refund = c.deposit - c.redeemed;
        c.closed = true;
        emit ChannelClosed(channelId, refund);
        if (refund > 0) xpl.safeTransfer(c.client, refund);
    }

    function _open(uint256 channelId) private view returns (Channel storage c) {
        c = _channels[channelId];
        if (c.client == address(0)) revert ChannelUnknown(channelId);
        if (c.closed) revert ChannelIsClosed(channelId);
    }

    function _toDeposit(uint256 amount) private pure returns (uint128) {
        if (amount > type(uint128).max) revert ChannelTooLarge(amount);
        return uint128(amount);
    }
}
