import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  plasmaGovernorAbi,
  protocolParametersAbi,
  providerRegistryAbi,
  timelockControllerAbi,
  xplTokenAbi,
} from "@plasma/contracts";
import { DEV_GOVERNANCE, getProtocolParameters, getXplBalance, writeAndWait } from "@plasma/sdk";
import { type Abi, encodeFunctionData, isAddressEqual, keccak256, stringToHex, toHex } from "viem";
import { startTestNet, type TestNet } from "./helpers.ts";

describe("governance as deployed on the devnet", () => {
  let net: TestNet;
  before(async () => {
    net = await startTestNet();
  });
  after(() => net.stop());

  const read = (address: `0x${string}`, abi: Abi, functionName: string, args: readonly unknown[] = []) =>
    net.as("deployer").public.readContract({ address, abi, functionName, args });

  it("leaves no account any power: the timelock owns parameters, roles and treasury", async () => {
    const { contracts } = net.devnet.deployment;
    const deployer = net.as("deployer").account?.address as `0x${string}`;
    const owner = (await read(contracts.protocolParameters, protocolParametersAbi, "owner")) as `0x${string}`;
    assert.ok(isAddressEqual(owner, contracts.timelock), "the timelock owns the parameters");
    const { treasury } = await getProtocolParameters(net.as("client"));
    assert.ok(isAddressEqual(treasury, contracts.timelock), "the timelock is the treasury");
    const registryAdmin = (await read(
      contracts.providerRegistry,
      providerRegistryAbi,
      "DEFAULT_ADMIN_ROLE",
    )) as `0x${string}`;
    assert.equal(
      await read(contracts.providerRegistry, providerRegistryAbi, "hasRole", [registryAdmin, deployer]),
      false,
    );
    assert.equal(
      await read(contracts.providerRegistry, providerRegistryAbi, "hasRole", [registryAdmin, contracts.timelock]),
      true,
    );
    const timelockAdmin = (await read(
      contracts.timelock,
      timelockControllerAbi,
      "DEFAULT_ADMIN_ROLE",
    )) as `0x${string}`;
    assert.equal(await read(contracts.timelock, timelockControllerAbi, "hasRole", [timelockAdmin, deployer]), false);
    const proposer = (await read(contracts.timelock, timelockControllerAbi, "PROPOSER_ROLE")) as `0x${string}`;
    assert.equal(
      await read(contracts.timelock, timelockControllerAbi, "hasRole", [proposer, contracts.governor]),
      true,
    );
    await assert.rejects(
      net.as("deployer").public.simulateContract({
        account: deployer,
        address: contracts.protocolParameters,
        abi: protocolParametersAbi,
        functionName: "setParameter",
        args: [stringToHex("protocolFeeBps", { size: 32 }), 0n],
      }),
      /OwnableUnauthorizedAccount/,
    );
    assert.ok((await getXplBalance(net.as("client"), contracts.timelock)) > 0n, "the treasury holds XPL");
  });

  it("runs a proposal's whole life on the chain: propose, vote, queue, execute", async () => {
    const { contracts } = net.devnet.deployment;
    const voter = net.as("deployer");
    const me = voter.account?.address as `0x${string}`;
    const send = (address: `0x${string}`, abi: Abi, functionName: string, args: readonly unknown[]) =>
      writeAndWait(voter, functionName, { address, abi, functionName, args });
    await send(contracts.xplToken, xplTokenAbi, "delegate", [me]);
    await net.warp(1);
    const targets = [contracts.protocolParameters];
    const values = [0n];
    const calldatas = [
      encodeFunctionData({
        abi: protocolParametersAbi,
        functionName: "setParameter",
        args: [stringToHex("protocolFeeBps", { size: 32 }), 300n],
      }),
    ];
    const description = "Lower the protocol fee to 3 %";
    const descriptionHash = keccak256(toHex(description));
    await send(contracts.governor, plasmaGovernorAbi, "propose", [targets, values, calldatas, description]);
    const id = (await read(contracts.governor, plasmaGovernorAbi, "hashProposal", [
      targets,
      values,
      calldatas,
      descriptionHash,
    ])) as bigint;
    await net.warp(DEV_GOVERNANCE.votingDelay + 1);
    await send(contracts.governor, plasmaGovernorAbi, "castVote", [id, 1]);
    await net.warp(DEV_GOVERNANCE.votingPeriod + 1);
    assert.equal(await read(contracts.governor, plasmaGovernorAbi, "state", [id]), 4, "Succeeded");
    await send(contracts.governor, plasmaGovernorAbi, "queue", [targets, values, calldatas, descriptionHash]);
    await net.warp(DEV_GOVERNANCE.timelockDelay + 1);
    await send(contracts.governor, plasmaGovernorAbi, "execute", [targets, values, calldatas, descriptionHash]);
    assert.equal(await read(contracts.governor, plasmaGovernorAbi, "state", [id]), 7, "Executed");
    assert.equal((await getProtocolParameters(voter)).protocolFeeBps, 300);
  });
});
