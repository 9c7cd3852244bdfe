// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./Test.sol";
import {XPLToken} from "../../src/token/XPLToken.sol";
import {ProtocolParameters} from "../../src/config/ProtocolParameters.sol";
import {ProviderRegistry} from "../../src/staking/ProviderRegistry.sol";
import {ComputeMarket} from "../../src/market/ComputeMarket.sol";
import {RewardsDistributor} from "../../src/rewards/RewardsDistributor.sol";
import {VerificationManager} from "../../src/verification/VerificationManager.sol";
import {ValidatorSet} from "../../src/verification/ValidatorSet.sol";
import {HardwareChecks} from "../../src/verification/HardwareChecks.sol";
import {PaymentChannels} from "../../src/channels/PaymentChannels.sol";
import {IComputeMarket} from "../../src/interfaces/IComputeMarket.sol";
import {IVerificationManager} from "../../src/interfaces/IVerificationManager.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";

/// @notice Deploys and wires the protocol as `deployPlasma` does, and funds named accounts.
abstract contract Fixture is Test {
    uint256 internal constant CLIENT_KEY = 0xC11E47;
    uint256 internal constant PROVIDER_KEY = 0x9120;

    address internal owner = address(0x0A11);
    address internal treasury = address(0x7EA5);
    address internal client;
    address internal provider;
    address internal provider2 = address(0x9122);
    address internal builder = address(0xB111);
    address internal stranger = address(0x5712);

    XPLToken internal xpl;
    ProtocolParameters internal params;
    ProviderRegistry internal registry;
    ComputeMarket internal market;
    RewardsDistributor internal rewards;
    VerificationManager internal verifier;
    ValidatorSet internal validatorSet;
    HardwareChecks internal hardwareChecks;
    PaymentChannels internal channels;

    uint96 internal constant PRICE = 1e15; // wei per GPU-second
    uint256 internal constant FUNDS = 1_000_000 ether;
    uint256 internal constant STAKE = 10_000 ether;
    uint256 internal constant EPOCH = 1 days;
    uint256 internal constant REWARDS_POOL = 100_000_000 ether;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        client = vm.addr(CLIENT_KEY);
        provider = vm.addr(PROVIDER_KEY);
        params = new ProtocolParameters(owner, treasury);
        address[] memory to = new address[](5);
        uint256[] memory amounts = new uint256[](5);
        (to[0], to[1], to[2], to[3], to[4]) = (client, provider, provider2, stranger, owner);
        (amounts[0], amounts[1], amounts[2], amounts[3]) = (FUNDS, FUNDS, FUNDS, FUNDS);
        amounts[4] = 1_000_000_000 ether - 4 * FUNDS;
        xpl = new XPLToken(to, amounts);
        registry = new ProviderRegistry(xpl, params, owner);
        rewards = new RewardsDistributor(xpl, registry, params, EPOCH, owner);
        validatorSet = new ValidatorSet(xpl, params);
        verifier = new VerificationManager(xpl, registry, params, validatorSet, owner);
        hardwareChecks = new HardwareChecks(xpl, validatorSet, registry, params);
        validatorSet.setCallers(address(verifier), address(hardwareChecks));
        market = new ComputeMarket(xpl, registry, params, rewards, verifier);
        channels = new PaymentChannels(xpl, params);
        vm.startPrank(owner);
        verifier.setMarket(market);
        registry.setCallers(address(market), address(verifier), rewards);
        rewards.setMarket(address(market));
        xpl.transfer(address(rewards), _rewardsPool());
        vm.stopPrank();
        for (uint256 i; i < 4; ++i) {
            vm.prank(to[i]);
            xpl.approve(address(registry), type(uint256).max);
            vm.prank(to[i]);
            xpl.approve(address(market), type(uint256).max);
            vm.prank(to[i]);
            xpl.approve(address(verifier), type(uint256).max);
            vm.prank(to[i]);
            xpl.approve(address(validatorSet), type(uint256).max);
            vm.prank(to[i]);
            xpl.approve(address(channels), type(uint256).max);
        }
    }

    /// @dev XPL the rewards pool starts with.
    function _rewardsPool() internal pure virtual returns (uint256) {
        return REWARDS_POOL;
    }

    function _registerAndStake(address who, uint256 amount) internal {
        vm.startPrank(who);
        registry.register("http://provider.example", "{}");
        registry.stake(amount);
        vm.stopPrank();
    }

    function _offer(address who, uint16 gpus, uint96 price) internal returns (uint256 offerId) {
        vm.prank(who);
        offerId = registry.createOffer(
            IProviderRegistry.OfferInput({gpuModel: "H100", vramGb: 80, gpuCount: gpus, pricePerGpuSecond: price, region: "eu"})
        );
    }

    function _open(uint256 offerId, uint16 gpus, uint32 maxSeconds, address builder_) internal returns (uint256 leaseId) {
        vm.prank(client);
        leaseId = market.openLease(
            IComputeMarket.OpenLeaseParams({
                offerId: offerId,
                gpus: gpus,
                maxSeconds: maxSeconds,
                maxPricePerGpuSecond: type(uint96).max,
                specHash: keccak256("spec"),
                builder: builder_,
                verification: IVerificationManager.Mode.None
            })
        );
    }

    function _start(uint256 leaseId) internal {
        vm.prank(provider);
        market.startLease(leaseId);
    }

    /// @dev An EIP-2612 permit signature for XPL.
    function _permit(uint256 key, address owner_, address spender, uint256 value, uint256 deadline)
        internal
        view
        returns (uint8, bytes32, bytes32)
    {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner_,
                spender,
                value,
                xpl.nonces(owner_),
                deadline
            )
        );
        return vm.sign(key, keccak256(abi.encodePacked("\x19\x01", xpl.DOMAIN_SEPARATOR(), structHash)));
    }
}
