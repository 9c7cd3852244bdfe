// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title LeaseMath
/// @notice The arithmetic of lease payments: accrual per GPU-second and the fee split.
library LeaseMath {
    uint256 internal constant BPS = 10_000;

    /// @notice Total value of a lease's escrow: price × gpus × seconds.
    function escrowFor(uint256 pricePerGpuSecond, uint256 gpus, uint256 seconds_) internal pure returns (uint256) {
        return pricePerGpuSecond * gpus * seconds_;
    }

    /// @notice The verification fee on a value: rounded down, so the fee on a part never exceeds its share.
    function verificationFee(uint256 value, uint256 feeBps) internal pure returns (uint256) {
        return (value * feeBps) / BPS;
    }

    /// @notice Seconds a lease has used: time since start, capped at the seconds it paid for.
    function usedSeconds(uint256 startedAt, uint256 maxSeconds, uint256 nowTimestamp) internal pure returns (uint256) {
        uint256 elapsed = nowTimestamp - startedAt;
        return elapsed < maxSeconds ? elapsed : maxSeconds;
    }

    /// @notice Splits a gross payment into the provider's amount, the protocol's fee and the builder's share.
    ///         The three parts always add up to `gross`: rounding dust stays with the provider.
    /// @param feeBps Protocol fee in basis points of `gross`.
    /// @param builderShareBps Builder's share in basis points of the fee (ignored without a builder).
    function split(uint256 gross, uint256 feeBps, uint256 builderShareBps, bool hasBuilder)
        internal
        pure
        returns (uint256 providerAmount, uint256 protocolFee, uint256 builderFee)
    {
        uint256 fee = (gross * feeBps) / BPS;
        builderFee = hasBuilder ? (fee * builderShareBps) / BPS : 0;
        protocolFee = fee - builderFee; // builderShareBps <= BPS, so builderFee <= fee
        providerAmount = gross - fee; // feeBps <= BPS, so fee <= gross
    }
}
