import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  assignValidator,
  attestVerdict,
  commitValidatorResult,
  createPlasmaClient,
  type Devnet,
  drawVerification,
  followJob,
  getJobSpec,
  getLease,
  getOutputManifest,
  getVerification,
  hashJobSpec,
  listOffers,
  openLease,
  type PlasmaClient,
  ProviderApiError,
  parseJobSpec,
  stakeValidator,
  startDevnet,
  submitJobSpec,
} from "@plasma/sdk";
import { type Address, createTestClient, type Hex, http, keccak256, parseEther, stringToHex } from "viem";
import { loadProviderConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { type ProviderNode, startProviderNode } from "../src/service.ts";
import { until } from "./until.ts";

// Issue #16 item 3: a validator that could read the provider's outputs (or salt) before committing to its own
// result could copy them. The node serves them to a validator only once that validator's commitment is on chain.
describe("a verified lease's outputs and salt, for its validator", () => {
  let devnet: Devnet;
  let node: ProviderNode;
  let client: PlasmaClient;
  let validators: PlasmaClient[];

  before(async () => {
    devnet = await startDevnet();
    const accounts = devnet.deployment.devAccounts ?? {};
    node = await startProviderNode({
      config: loadProviderConfig(undefined, {
        dataDir: mkdtempSync(join(tmpdir(), "plasma-validator-access-")),
        port: 0,
        offers: [{ pricePerGpuHour: "36", region: "eu" }],
        stake: "5000",
      }),
      deployment: devnet.deployment,
      privateKey: accounts.provider1?.privateKey as Hex,
      logger: createLogger("warn"),
    });
    client = createPlasmaClient({ deployment: devnet.deployment, account: accounts.client?.privateKey as Hex });
    // Three: an exact-mode dispute draws a committee of two besides the first validator.
    validators = ["validator", "builder", "deployer"].map((name) =>
      createPlasmaClient({ deployment: devnet.deployment, account: accounts[name]?.privateKey as Hex }),
    );
    for (const v of validators) await stakeValidator(v, parseEther("10000"));
  });

  after(async () => {
    for (const v of validators ?? []) await v.close();
    await client?.close();
    await node?.stop();
    await devnet?.stop();
  });

  it("refuses them to the assigned validator until its own commitment is on chain (409 not-committed)", async () => {
    const provider = devnet.deployment.devAccounts?.provider1?.address as Address;
    const [offer] = await listOffers(client, { provider });
    assert.ok(offer, "the node's offer");
    const spec = parseJobSpec({
      version: 1,
      command: [
        "python3",
        "-c",
        "import os, time; time.sleep(1.2); os.makedirs('out'); open('out/r.txt','w').write('42')",
      ],
      resources: { gpus: 1 },
      timeoutSeconds: 60,
      verification: { mode: "exact" },
    });
    const { leaseId } = await openLease(client, {
      offerId: offer.id,
      gpus: 1,
      maxSeconds: 300,
      specHash: hashJobSpec(spec),
      verification: "exact",
    });
    const asClient = { client, endpoint: node.url, leaseId };
    await until("the lease to start", async () =>
      (await getLease(client, leaseId)).status === "running" ? true : undefined,
    );
    await submitJobSpec(asClient, spec);
    await followJob(asClient, () => {});
    await until("the result on chain", async () =>
      (await getVerification(client, leaseId)).stage === "pending" ? true : undefined,
    );

    // Sampling is 10 %: let the draw go stale so that it re-arms, and a re-armed lease is always sampled.
    const chain = createTestClient({ mode: "anvil", transport: http(devnet.deployment.rpcUrl) });
    await chain.mine({ blocks: 260 });
    await drawVerification(client, leaseId); // re-arms at this block
    await chain.mine({ blocks: 1 });
    await drawVerification(client, leaseId);
    const v = await getVerification(client, leaseId);
    assert.equal(v.stage, "assigned");
    const byAddress = (a: Address | null) =>
      validators.find((c) => c.account?.address.toLowerCase() === a?.toLowerCase()) as PlasmaClient;
    const first = byAddress(v.validator1);
    const salt = keccak256("0x01");

    // Round 1: the first validator gets the spec to re-run the job, and the outputs only once it has committed.
    const asFirst = { client: first, endpoint: node.url, leaseId };
    assert.equal((await getJobSpec(asFirst)).command[0], "python3", "the spec, to re-run the job");
    await assertNotCommitted(getOutputManifest(asFirst));
    await commitValidatorResult(first, leaseId, keccak256(stringToHex("a different result")), salt);
    assert.ok((await getOutputManifest(asFirst)).outputs.length > 0, "the outputs, once committed");
    await until("the provider's salt on chain", async () =>
      (await getVerification(client, leaseId)).stage === "revealed" ? true : undefined,
    );
    await attestVerdict(first, leaseId, { match: false });

    // The dispute's committee: the provider's salt is public now, and each member still sees nothing before committing.
    await chain.mine({ blocks: 1 });
    await assignValidator(client, leaseId);
    const committee = await getVerification(client, leaseId);
    for (const member of [byAddress(committee.validator2), byAddress(committee.validator3)]) {
      assert.ok(member && member !== first, "a committee of the other two validators");
      const asMember = { client: member, endpoint: node.url, leaseId };
      await assertNotCommitted(getOutputManifest(asMember));
      await commitValidatorResult(member, leaseId, keccak256(stringToHex("its own outputs")), salt);
      const served = await getOutputManifest(asMember);
      assert.ok(served.outputs.length > 0, "the outputs, once committed");
      assert.ok(served.salt, "and the salt that opens the provider's commitment");
    }
  });
});

/** The node's answer to a validator that has not committed its own result yet. */
async function assertNotCommitted(request: Promise<unknown>): Promise<void> {
  await assert.rejects(request, (error: unknown) => {
    assert.ok(error instanceof ProviderApiError, String(error));
    assert.equal(error.status, 409);
    assert.equal(error.code, "not-committed");
    assert.match(error.message, /no result commitment on chain/);
    return true;
  });
}
