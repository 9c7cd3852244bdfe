import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  plasmaGovernorAbi,
  protocolParametersAbi,
  providerRegistryAbi,
  rewardsDistributorAbi,
  timelockControllerAbi,
  xplTokenAbi,
} from "@plasma/contracts";
import { DEV_GOVERNANCE, getProtocolParameters, getXplBalance, plasmaErrorsAbi, writeAndWait } from "@plasma/sdk";
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

  it("leaves no account any power: the timelock owns parameters and treasury, callers are fixed", async () => {
    const { contracts } = net.devnet.deployment;
    const deployer = net.as("deployer").account?.address as `0x${string}`;
    const owner = (await read(contracts.protocolParameters, protocolParametersAbi, "owner")) as `0x${string}`;
    assert.ok(isAddressEqual(owner, contracts.timelock), "the timelock owns the parameters");
    const { treasury } = await getProtocolParameters(net.as("client"));
    assert.ok(isAddressEqual(treasury, contracts.timelock), "the timelock is the treasury");
    // The registry's and the distributor's callers were named once, at deployment: nobody can name a slasher.
    const [market, verification, distributor] = (await read(
      contracts.providerRegistry,
      providerRegistryAbi,
      "callers",
    )) as readonly [`0x${string}`, `0x${string}`, `0x${string}`];
    assert.ok(isAddressEqual(market, contracts.computeMarket), "the market");
    assert.ok(isAddressEqual(verification, contracts.verificationManager), "the verification manager");
    assert.ok(isAddressEqual(distributor, contracts.rewardsDistributor), "the rewards distributor");
    const recorder = (await read(contracts.rewardsDistributor, rewardsDistributorAbi, "market")) as `0x${string}`;
    assert.ok(isAddressEqual(recorder, contracts.computeMarket), "only the market records work");
    await assert.rejects(
      net.as("deployer").public.simulateContract({
        account: deployer,
        address: contracts.providerRegistry,
        abi: [...providerRegistryAbi, ...plasmaErrorsAbi],
        functionName: "setCallers",
        args: [deployer, deployer, deployer],
      }),
      /RegistryCallersAlreadySet/,
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
    assert.ok((await getXplBalance(net.as("client"), contracts.rewardsDistributor)) > 0n, "the rewards pool holds XPL");
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

  it("keeps parameter bounds even through governance, and governs the emission rate", async () => {
    const { contracts } = net.devnet.deployment;
    const voter = net.as("deployer");
    const send = (address: `0x${string}`, abi: Abi, functionName: string, args: readonly unknown[]) =>
      writeAndWait(voter, functionName, { address, abi, functionName, args });
    const setEmission = (value: bigint) =>
      encodeFunctionData({
        abi: protocolParametersAbi,
        functionName: "setParameter",
        args: [stringToHex("emissionPerEpoch", { size: 32 }), value],
      });
    const tooMuch = 10_000_001n * 10n ** 18n; // one XPL above the hard cap
    const calldatas = [setEmission(tooMuch), setEmission(1000n * 10n ** 18n)];
    const descriptions = ["Emit more than the cap", "Emit 1000 XPL per epoch"];
    const ids: bigint[] = [];
    for (const [i, description] of descriptions.entries()) {
      const args = [[contracts.protocolParameters], [0n], [calldatas[i]], description] as const;
      await send(contracts.governor, plasmaGovernorAbi, "propose", args);
      ids.push(
        (await read(contracts.governor, plasmaGovernorAbi, "hashProposal", [
          args[0],
          args[1],
          args[2],
          keccak256(toHex(description)),
        ])) as bigint,
      );
    }
    await net.warp(DEV_GOVERNANCE.votingDelay + 1);
    for (const id of ids) await send(contracts.governor, plasmaGovernorAbi, "castVote", [id, 1]);
    await net.warp(DEV_GOVERNANCE.votingPeriod + 1);
    for (const [i, description] of descriptions.entries()) {
      await send(contracts.governor, plasmaGovernorAbi, "queue", [
        [contracts.protocolParameters],
        [0n],
        [calldatas[i]],
        keccak256(toHex(description)),
      ]);
    }
    await net.warp(DEV_GOVERNANCE.timelockDelay + 1);
    const execute = (i: number) =>
      send(contracts.governor, [...plasmaGovernorAbi, ...plasmaErrorsAbi], "execute", [
        [contracts.protocolParameters],
        [0n],
        [calldatas[i]],
        keccak256(toHex(descriptions[i] as string)),
      ]);
    await assert.rejects(execute(0), /emissionPerEpoch = 10000001000000000000000000 is out of bounds/);
    assert.equal(await read(contracts.governor, plasmaGovernorAbi, "state", [ids[0]]), 5, "still Queued");
    await execute(1);
    assert.equal((await getProtocolParameters(voter)).emissionPerEpoch, 1000n * 10n ** 18n);
  });
});
