// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IPaymentChannels
/// @notice Pay-per-request without a transaction per request: a client deposits XPL into a channel to one
///         provider and signs EIP-712 vouchers for the cumulative amount it owes; the provider redeems the
///         latest voucher whenever it likes (only the increase is paid). Closing by the client starts a
///         challenge period in which the provider can still redeem; then the rest returns to the client.
interface IPaymentChannels {
    struct Channel {
        address client;
        uint64 closesAt; // 0 while open; when the client may withdraw after asking to close
        bool closed; // settled: nothing more can be redeemed or withdrawn
        address provider;
        uint128 deposit; // XPL ever deposited
        uint128 redeemed; // cumulative amount paid out to the provider (fee included)
    }

    event ChannelOpened(uint256 indexed channelId, address indexed client, address indexed provider, uint256 deposit);
    event ChannelToppedUp(uint256 indexed channelId, uint256 amount, uint256 deposit);
    event VoucherRedeemed(
        uint256 indexed channelId, address indexed provider, uint256 cumulativeAmount, uint256 paid, uint256 providerAmount, uint256 fee
    );
    event ChannelCloseRequested(uint256 indexed channelId, uint64 closesAt);
    event ChannelClosed(uint256 indexed channelId, uint256 refund);

    error ChannelUnknown(uint256 channelId);
    error ChannelZeroAmount();
    error ChannelZeroProvider();
    error ChannelNotClient(uint256 channelId, address caller);
    error ChannelNotProvider(uint256 channelId, address caller);
    error ChannelIsClosed(uint256 channelId);
    error ChannelClosing(uint256 channelId, uint64 closesAt);
    error ChannelChallengeNotOver(uint256 channelId, uint64 closesAt);
    error ChannelNotClosing(uint256 channelId);
    error ChannelVoucherExceedsDeposit(uint256 channelId, uint256 cumulativeAmount, uint256 deposit);
    error ChannelStaleVoucher(uint256 channelId, uint256 cumulativeAmount, uint256 redeemed);
    error ChannelBadSignature(uint256 channelId);
    error ChannelTooLarge(uint256 deposit);

    /// @notice Opens a channel to `provider` with `amount` XPL (the caller must have approved it).
    function openChannel(address provider, uint256 amount) external returns (uint256 channelId);

    /// @notice Adds XPL to an open channel. Client only; not while closing.
    function topUp(uint256 channelId, uint256 amount) external;

    /// @notice Pays the provider the increase of a voucher signed by the client over what was redeemed.
    ///         Provider only. Stale and replayed vouchers are refused and pay nothing.
    /// @param cumulativeAmount Everything the client owes on this channel so far (XPL wei).
    /// @param signature The client's EIP-712 signature of Voucher(channelId, cumulativeAmount).
    function redeem(uint256 channelId, uint256 cumulativeAmount, bytes calldata signature) external returns (uint256 paid);

    /// @notice The client asks to close: the provider has the challenge period to redeem its latest voucher.
    function requestClose(uint256 channelId) external;

    /// @notice After the challenge period, returns what was not redeemed to the client and closes the channel.
    function withdraw(uint256 channelId) external returns (uint256 refund);

    /// @notice The provider closes at once (after its last redemption), returning the rest to the client.
    function release(uint256 channelId) external returns (uint256 refund);

    function getChannel(uint256 channelId) external view returns (Channel memory);
    function channelCount() external view returns (uint256);
    /// @notice The EIP-712 digest a client signs for a voucher.
    function voucherDigest(uint256 channelId, uint256 cumulativeAmount) external view returns (bytes32);
}
