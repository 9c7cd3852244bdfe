import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  createPlasmaClient,
  type Deployment,
  DeploymentNotFoundError,
  deployPlasma,
  devAccounts,
  getOffer,
  InvalidArgumentError,
  InvalidDeploymentError,
  RpcUnreachableError,
  readDeployment,
  startAnvil,
  writeDeployment,
} from "@plasma/sdk";

const deployment: Deployment = {
  version: 1,
  chainId: 31337,
  rpcUrl: "http://127.0.0.1:1",
  deployer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  deployedAtBlock: 0,
  contracts: {
    xplToken: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512",
    protocolParameters: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    providerRegistry: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
    computeMarket: "0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9",
    rewardsDistributor: "0x0165878a594ca255338adfa4d48449f69242eb8f",
    verificationManager: "0x2279b7a0a67db372996a5fab50d91eaa73d2ebe6",
    validatorSet: "0xa513e6e4b8f2a923d98304ec87f64353c4d5c853",
    hardwareChecks: "0xb7f8bc63bbcad18155201308c8f3540b07f84f5e",
    paymentChannels: "0x8a791620dd6260079bf849dc5567adc3f2fdc318",
    timelock: "0xdc64a140aa3e981100a9beca4e685f962f0cf6c9",
    governor: "0x5fc8d32690cc91d4c39d9d3abcbd16989f875707",
  },
};

describe("deployment files", () => {
  const dir = mkdtempSync(join(tmpdir(), "plasma-deployment-"));

  it("round-trips a deployment", () => {
    const path = join(dir, "ok.json");
    writeDeployment(path, deployment);
    assert.deepEqual(readDeployment(path), deployment);
  });

  it("names a missing file and how to create one", () => {
    assert.throws(
      () => readDeployment(join(dir, "missing.json")),
      (error: unknown) => {
        assert.ok(error instanceof DeploymentNotFoundError);
        assert.match(error.message, /npm start/);
        return true;
      },
    );
  });

  it("names the field that is wrong", () => {
    const path = join(dir, "bad.json");
    writeFileSync(
      path,
      JSON.stringify({ ...deployment, contracts: { ...deployment.contracts, computeMarket: "0x12" } }),
    );
    assert.throws(
      () => readDeployment(path),
      (error: unknown) => {
        assert.ok(error instanceof InvalidDeploymentError);
        assert.match(error.message, /contracts\.computeMarket: not an address/);
        return true;
      },
    );
    writeFileSync(path, "{not json");
    assert.throws(() => readDeployment(path), /not JSON/);
  });
});

describe("network errors", () => {
  it("reports an unreachable chain as retryable", async () => {
    const client = createPlasmaClient({ deployment });
    await assert.rejects(getOffer(client, 1n), (error: unknown) => {
      assert.ok(error instanceof RpcUnreachableError);
      assert.equal(error.retryable, true);
      assert.match(error.shortMessage, /Cannot reach the chain at http:\/\/127\.0\.0\.1:1/);
      return true;
    });
  });

  it("refuses a genesis allocation that is not the total supply", async () => {
    const anvil = await startAnvil();
    try {
      const { deployer } = devAccounts();
      await assert.rejects(
        deployPlasma({
          rpcUrl: anvil.rpcUrl,
          privateKey: deployer.privateKey,
          allocations: [{ to: deployer.address, amount: 1n }],
        }),
        (error: unknown) => error instanceof InvalidArgumentError && /adds up to 1 wei/.test(error.message),
      );
    } finally {
      await anvil.stop();
    }
  });
});
