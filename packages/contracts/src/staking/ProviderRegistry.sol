// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IProtocolParameters} from "../interfaces/IProtocolParameters.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";

/// @title ProviderRegistry
/// @notice Providers register an endpoint, stake XPL and publish GPU offers. The market reserves and
///         releases offer capacity; slashers (the market for no-shows, verification later) take stake.
///         XPL held here always equals the sum of every provider's stake plus its unbonding queue.
contract ProviderRegistry is IProviderRegistry, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice May reserve and release offer capacity.
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");
    /// @notice May slash provider stake.
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");

    uint256 public constant MAX_ENDPOINT_LENGTH = 256;
    uint256 public constant MAX_ATTRIBUTES_LENGTH = 1024;
    uint256 public constant MAX_LABEL_LENGTH = 64;

    IERC20 public immutable xpl;
    IProtocolParameters public immutable params;

    mapping(address provider => Provider) private _providers;
    mapping(uint256 offerId => Offer) private _offers;
    uint256 private _offerCount;

    /// @param xpl_ The XPL token.
    /// @param params_ Where the minimum stake and unbonding period live.
    /// @param admin Account that grants the market and slasher roles (the timelock in production).
    constructor(IERC20 xpl_, IProtocolParameters params_, address admin) {
        xpl = xpl_;
        params = params_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- providers

    /// @inheritdoc IProviderRegistry
    function register(string calldata endpoint, string calldata attributes) external {
        Provider storage p = _providers[msg.sender];
        if (p.registered) revert RegistryAlreadyRegistered(msg.sender);
        _checkProviderStrings(endpoint, attributes);
        p.registered = true;
        p.endpoint = endpoint;
        p.attributes = attributes;
        emit ProviderRegistered(msg.sender, endpoint, attributes);
    }

    /// @inheritdoc IProviderRegistry
    function updateProvider(string calldata endpoint, string calldata attributes) external {
        Provider storage p = _registered(msg.sender);
        _checkProviderStrings(endpoint, attributes);
        p.endpoint = endpoint;
        p.attributes = attributes;
        emit ProviderUpdated(msg.sender, endpoint, attributes);
    }

    /// @inheritdoc IProviderRegistry
    function stake(uint256 amount) external nonReentrant {
        _stake(amount);
    }

    /// @inheritdoc IProviderRegistry
    function stakeWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external nonReentrant {
        // A front-run permit fails here but leaves the allowance in place, so go on if it suffices.
        try IERC20Permit(address(xpl)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        _stake(amount);
    }

    /// @inheritdoc IProviderRegistry
    function requestUnstake(uint256 amount) external {
        Provider storage p = _registered(msg.sender);
        if (amount == 0) revert RegistryZeroAmount();
        if (amount > p.stake) revert RegistryUnstakeExceedsStake(msg.sender, amount, p.stake);
        uint128 remaining = p.stake - uint128(amount); // amount <= stake, checked above
        uint256 minimum = params.stakingParams().minProviderStake;
        if (p.activeOffers > 0 && remaining < minimum) revert RegistryStakeBelowMinimum(msg.sender, remaining, minimum);
        p.stake = remaining;
        p.unbonding += uint128(amount);
        uint64 releaseAt = uint64(block.timestamp + params.stakingParams().unbondingPeriod);
        p.unbondingReleaseAt = releaseAt;
        emit UnstakeRequested(msg.sender, amount, remaining, p.unbonding, releaseAt);
    }

    /// @inheritdoc IProviderRegistry
    function withdraw() external nonReentrant returns (uint256 amount) {
        Provider storage p = _providers[msg.sender];
        amount = p.unbonding;
        if (amount == 0) revert RegistryNothingToWithdraw(msg.sender);
        if (block.timestamp < p.unbondingReleaseAt) {
            revert RegistryUnbondingNotFinished(msg.sender, p.unbondingReleaseAt, block.timestamp);
        }
        p.unbonding = 0;
        p.unbondingReleaseAt = 0;
        emit Withdrawn(msg.sender, amount);
        xpl.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- offers

    /// @inheritdoc IProviderRegistry
    function createOffer(OfferInput calldata input) external returns (uint256 offerId) {
        Provider storage p = _registered(msg.sender);
        _checkMinimumStake(msg.sender, p.stake);
        if (bytes(input.gpuModel).length == 0) revert RegistryEmptyGpuModel();
        _checkLength(bytes(input.gpuModel).length, MAX_LABEL_LENGTH);
        _checkLength(bytes(input.region).length, MAX_LABEL_LENGTH);
        if (input.vramGb == 0) revert RegistryZeroVram();
        if (input.gpuCount == 0) revert RegistryZeroGpuCount();
        if (input.pricePerGpuSecond == 0) revert RegistryZeroPrice();
        offerId = ++_offerCount;
        _offers[offerId] = Offer({
            provider: msg.sender,
            gpuCount: input.gpuCount,
            gpusInUse: 0,
            vramGb: input.vramGb,
            active: true,
            pricePerGpuSecond: input.pricePerGpuSecond,
            gpuModel: input.gpuModel,
            region: input.region
        });
        ++p.activeOffers;
        emit OfferCreated(
            offerId, msg.sender, input.gpuModel, input.vramGb, input.gpuCount, input.pricePerGpuSecond, input.region
        );
    }

    /// @inheritdoc IProviderRegistry
    function updateOffer(uint256 offerId, uint96 pricePerGpuSecond, uint16 gpuCount, bool active) external {
        Offer storage o = _offer(offerId);
        if (o.provider != msg.sender) revert RegistryNotOfferOwner(offerId, msg.sender);
        if (pricePerGpuSecond == 0) revert RegistryZeroPrice();
        if (gpuCount == 0) revert RegistryZeroGpuCount();
        if (gpuCount < o.gpusInUse) revert RegistryGpuCountBelowInUse(offerId, gpuCount, o.gpusInUse);
        Provider storage p = _providers[msg.sender];
        if (active && !o.active) {
            _checkMinimumStake(msg.sender, p.stake);
            ++p.activeOffers;
        } else if (!active && o.active) {
            --p.activeOffers; // the offer was active, so the count is at least one
        }
        o.pricePerGpuSecond = pricePerGpuSecond;
        o.gpuCount = gpuCount;
        o.active = active;
        emit OfferUpdated(offerId, msg.sender, pricePerGpuSecond, gpuCount, active);
    }

    // ---------------------------------------------------------------- market hooks

    /// @inheritdoc IProviderRegistry
    function reserveCapacity(uint256 offerId, uint16 gpus)
        external
        onlyRole(MARKET_ROLE)
        returns (address provider, uint96 pricePerGpuSecond)
    {
        Offer storage o = _offer(offerId);
        if (!o.active) revert RegistryOfferInactive(offerId);
        provider = o.provider;
        // A provider whose stake was slashed below the minimum takes no new leases.
        _checkMinimumStake(provider, _providers[provider].stake);
        uint16 available = o.gpuCount - o.gpusInUse; // gpusInUse <= gpuCount is kept by every write
        if (gpus > available) revert RegistryInsufficientCapacity(offerId, gpus, available);
        uint16 inUse = o.gpusInUse + gpus;
        o.gpusInUse = inUse;
        emit CapacityReserved(offerId, gpus, inUse);
        return (provider, o.pricePerGpuSecond);
    }

    /// @inheritdoc IProviderRegistry
    function releaseCapacity(uint256 offerId, uint16 gpus) external onlyRole(MARKET_ROLE) {
        Offer storage o = _offer(offerId);
        if (gpus > o.gpusInUse) revert RegistryReleaseExceedsInUse(offerId, gpus, o.gpusInUse);
        uint16 inUse = o.gpusInUse - gpus;
        o.gpusInUse = inUse;
        emit CapacityReleased(offerId, gpus, inUse);
    }

    /// @inheritdoc IProviderRegistry
    function slash(address provider, uint256 amount, address recipient)
        external
        onlyRole(SLASHER_ROLE)
        nonReentrant
        returns (uint256 slashed)
    {
        Provider storage p = _providers[provider];
        uint128 fromStake = uint128(amount < p.stake ? amount : p.stake);
        uint128 fromUnbonding = uint128(amount - fromStake < p.unbonding ? amount - fromStake : p.unbonding);
        p.stake -= fromStake;
        p.unbonding -= fromUnbonding;
        slashed = uint256(fromStake) + fromUnbonding;
        emit Slashed(provider, recipient, slashed, p.stake, p.unbonding);
        if (slashed > 0) xpl.safeTransfer(recipient, slashed);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IProviderRegistry
    function getProvider(address provider) external view returns (Provider memory) {
        return _providers[provider];
    }

    /// @inheritdoc IProviderRegistry
    function getOffer(uint256 offerId) external view returns (Offer memory) {
        return _offer(offerId);
    }

    /// @inheritdoc IProviderRegistry
    function offerCount() external view returns (uint256) {
        return _offerCount;
    }

    // ---------------------------------------------------------------- internals

    function _stake(uint256 amount) private {
        Provider storage p = _registered(msg.sender);
        if (amount == 0) revert RegistryZeroAmount();
        uint128 newStake = p.stake + SafeCast.toUint128(amount);
        p.stake = newStake;
        emit Staked(msg.sender, amount, newStake);
        xpl.safeTransferFrom(msg.sender, address(this), amount);
    }

    function _registered(address provider) private view returns (Provider storage p) {
        p = _providers[provider];
        if (!p.registered) revert RegistryNotRegistered(provider);
    }

    function _offer(uint256 offerId) private view returns (Offer storage o) {
        o = _offers[offerId];
        if (o.provider == address(0)) revert RegistryUnknownOffer(offerId);
    }

    function _checkMinimumStake(address provider, uint256 stakeAmount) private view {
        uint256 minimum = params.stakingParams().minProviderStake;
        if (stakeAmount < minimum) revert RegistryStakeBelowMinimum(provider, stakeAmount, minimum);
    }

    function _checkProviderStrings(string calldata endpoint, string calldata attributes) private pure {
        if (bytes(endpoint).length == 0) revert RegistryEmptyEndpoint();
        _checkLength(bytes(endpoint).length, MAX_ENDPOINT_LENGTH);
        _checkLength(bytes(attributes).length, MAX_ATTRIBUTES_LENGTH);
    }

    function _checkLength(uint256 length, uint256 max) private pure {
        if (length > max) revert RegistryStringTooLong(length, max);
    }
}
