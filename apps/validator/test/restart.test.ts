import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createLogger, loadProviderConfig, type ProviderNode, startProviderNode } from "@plasma/provider";
import {
  commitValidatorResult,
  createPlasmaClient,
  type Devnet,
  drawVerification,
  followJob,
  getLease,
  getVerification,
  hashJobSpec,
  listOffers,
  openLease,
  type PlasmaClient,
  parseJobSpec,
  stakeValidator,
  startDevnet,
  submitJobSpec,
} from "@plasma/sdk";
import { createTestClient, type Hex, http, parseEther } from "viem";
import { openValidatorDb, reexecuteLease, startValidatorNode } from "../src/index.ts";
import { setParameterAsGovernance, until } from "./devnetHelpers.ts";

describe("validator node restarts: it finishes what it started", () => {
  let devnet: Devnet;
  let provider: ProviderNode;
  let client: PlasmaClient;
  let validator: PlasmaClient;
  let validatorKey: Hex;

  before(async () => {
    devnet = await startDevnet();
    await setParameterAsGovernance(devnet, "samplingRateBps", 5_000n);
    const accounts = devnet.deployment.devAccounts ?? {};
    validatorKey = accounts.validator?.privateKey as Hex;
    provider = await startProviderNode({
      config: loadProviderConfig(undefined, {
        dataDir: mkdtempSync(join(tmpdir(), "plasma-restart-provider-")),
        port: 0,
        offers: [{ pricePerGpuHour: "36", region: "local" }],
        stake: "5000",
      }),
      deployment: devnet.deployment,
      privateKey: accounts.provider2?.privateKey as Hex,
      logger: createLogger("warn"),
    });
    client = createPlasmaClient({ deployment: devnet.deployment, account: accounts.client?.privateKey as Hex });
    validator = createPlasmaClient({ deployment: devnet.deployment, account: validatorKey });
    await stakeValidator(validator, parseEther("10000")); // the only validator: every sampled lease is its own
  });

  after(async () => {
    await provider?.stop();
    await client?.close();
    await validator?.close();
    await devnet?.stop();
  });

  /** Runs a verified job and draws it (mining the next block) until one is sampled: it is assigned to us. */
  async function sampledLease(): Promise<bigint> {
    const test = createTestClient({ mode: "anvil", transport: http(devnet.deployment.rpcUrl) });
    const [offer] = await listOffers(client);
    assert.ok(offer);
    for (let i = 0; i < 40; i++) {
      const spec = parseJobSpec({
        version: 1,
        command: ["python3", "-c", `import os; os.makedirs('out', exist_ok=True); open('out/r.txt','w').write('${i}')`],
        timeoutSeconds: 60,
      });
      const { leaseId } = await openLease(client, {
        offerId: offer.id,
        gpus: 1,
        maxSeconds: 300,
        specHash: hashJobSpec(spec),
        verification: "exact",
      });
      const api = { client, endpoint: provider.url, leaseId };
      await until("the lease to start", async () =>
        (await getLease(client, leaseId)).status === "running" ? true : undefined,
      );
      await submitJobSpec(api, spec);
      await followJob(api, () => {});
      await until("the lease to end", async () =>
        (await getLease(client, leaseId)).status === "ended" ? true : undefined,
      );
      await test.mine({ blocks: 1 });
      await drawVerification(client, leaseId);
      if ((await getVerification(client, leaseId)).stage === "assigned") return leaseId;
    }
    throw new Error("no lease sampled in 40 draws at 50 %");
  }

  /** The verification of a lease once it has ended, verified or failed. */
  const verificationEnd = (leaseId: bigint) =>
    until("the verification to end", async () => {
      const s = await getVerification(client, leaseId);
      return s.stage === "verified" || s.stage === "failed" ? s : undefined;
    });

  async function startNode(dataDir: string) {
    return startValidatorNode({
      deployment: devnet.deployment,
      privateKey: validatorKey,
      dataDir,
      logger: createLogger("warn", 2, "plasma-validator"),
      mineWhenIdle: true,
      tickMs: 200,
    });
  }

  it("a result computed but not yet committed when the node died is committed after the restart", async () => {
    const leaseId = await sampledLease();
    const dataDir = mkdtempSync(join(tmpdir(), "plasma-restart-validator-"));
    // The first life: re-run and save, then die before sending the commitment.
    const re = await reexecuteLease({
      client: validator,
      leaseId,
      workRoot: join(dataDir, "work", "round-1"),
      memoryBytes: 2 ** 30,
      diskBytes: 2 ** 30,
      gpus: [],
    });
    const db = openValidatorDb(join(dataDir, "validator.db"));
    db.saveWork({
      leaseId: leaseId.toString(),
      round: 1,
      resultHash: re.resultHash,
      salt: `0x${randomBytes(32).toString("hex")}`,
      workDir: re.workDir,
      state: "computed",
    });
    db.close();
    const node = await startNode(dataDir);
    try {
      const v = await verificationEnd(leaseId);
      assert.equal(v.stage, "verified");
    } finally {
      await node.stop();
    }
  });

  it("a commitment sent just before the node died is attested after the restart, with the saved salt", async () => {
    const leaseId = await sampledLease();
    const dataDir = mkdtempSync(join(tmpdir(), "plasma-restart-validator-"));
    const re = await reexecuteLease({
      client: validator,
      leaseId,
      workRoot: join(dataDir, "work", "round-1"),
      memoryBytes: 2 ** 30,
      diskBytes: 2 ** 30,
      gpus: [],
    });
    const salt = `0x${randomBytes(32).toString("hex")}` as Hex;
    const db = openValidatorDb(join(dataDir, "validator.db"));
    db.saveWork({
      leaseId: leaseId.toString(),
      round: 1,
      resultHash: re.resultHash,
      salt,
      workDir: re.workDir,
      state: "computed",
    });
    await commitValidatorResult(validator, leaseId, re.resultHash, salt);
    db.setState(leaseId.toString(), 1, "committed");
    db.close();
    // The provider reveals its salt as soon as it sees the commitment; the validator is down meanwhile.
    await until("the provider's reveal", async () =>
      (await getVerification(client, leaseId)).stage === "revealed" ? true : undefined,
    );
    const node = await startNode(dataDir);
    try {
      const v = await verificationEnd(leaseId);
      assert.equal(v.stage, "verified", "the restarted node opened its commitment with the salt it had saved");
    } finally {
      await node.stop();
    }
  });
});
