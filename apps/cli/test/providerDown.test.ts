// The client's side of a provider that is down: plasma run checks a provider's node before locking
// escrow with it, says what to do when it dies after the lease opened, and no-shows count against it.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  createPlasmaClient,
  getLease,
  getLeaseCount,
  listOffers,
  openLease,
  type PlasmaClient,
  readDeployment,
} from "@plasma/sdk";
import { type Address, createTestClient, type Hex, http } from "viem";
import { type Dev, plasma, plasmaJson, startDev, startProvider, startRun, tempHome, warp } from "./harness.ts";

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())));

type Offer = { id: string; provider: string };

describe("plasma run and a provider that is down", () => {
  let dev: Dev;
  let home: string;
  let client: PlasmaClient;
  let market: Address;
  let rpcUrl: string;
  const address: Record<string, Address> = {};
  const offerOf: Record<string, bigint> = {};
  const nodes: Record<string, { process: ChildProcess }> = {};
  const processes: ChildProcess[] = [];
  const out = () => join(home, `r${Math.random().toString(36).slice(2)}`);

  before(async () => {
    home = tempHome();
    dev = await startDev(home); // no built-in provider: this test runs its own and kills them
    const deployment = readDeployment(join(home, "deployment.json"));
    rpcUrl = deployment.rpcUrl;
    market = deployment.contracts.computeMarket;
    client = createPlasmaClient({ deployment, account: deployment.devAccounts?.client?.privateKey as Hex });
    for (const name of ["provider1", "provider2", "client"])
      address[name] = deployment.devAccounts?.[name]?.address as Address;
  });
  after(async () => {
    for (const p of processes) p.kill("SIGKILL");
    await client?.close();
    if (dev.process.exitCode === null) await dev.stop();
  });

  /** Starts a provider node as `name` at a price, and remembers its offer. */
  const provider = async (name: string, price: string) => {
    const node = await startProvider(home, ["--account", name, "--price", price, "--data-dir", join(home, name)]);
    processes.push(node.process);
    const offers = await listOffers(client, { provider: address[name] });
    offerOf[name] = offers[0]?.id ?? assert.fail(`${name} published an offer`);
    return node;
  };
  /** A crash: the node gets no chance to take its offers off the market. */
  const crash = async (node: { process: ChildProcess }) => {
    node.process.kill("SIGKILL");
    await exited(node.process);
  };

  it("opens no lease when the provider of every fitting offer is down, and names them", async () => {
    await crash(await provider("provider1", "3.6"));
    const leasesBefore = await getLeaseCount(client);
    const run = await plasma(home, ["run", "--out", out(), "--", "echo", "hi"]);
    assert.equal(run.code, 3, `down is worth retrying later: ${run.stderr}`);
    assert.match(run.stderr, /The provider of every offer that fits this job is down \(1 offer\): no lease was opened/);
    assert.match(
      run.stderr,
      new RegExp(
        `offer ${offerOf.provider1}: its provider ${address.provider1} does not answer at http://\\S+ \\(connection refused\\)`,
      ),
    );
    assert.equal(await getLeaseCount(client), leasesBefore, "no escrow was locked");
  });

  it("skips an offer whose provider is down, says so, and runs on the next one", async () => {
    nodes.provider2 = await provider("provider2", "7.2"); // dearer: the dead provider1's offer ranks first
    const json = await plasma(home, ["run", "--json", "--out", out(), "--", "echo", "hi"]);
    assert.equal(json.code, 0, json.stderr);
    const run = JSON.parse(json.stdout) as {
      offerId: string;
      endReason: string;
      skippedOffers: { offerId: string; provider: string }[];
    };
    assert.equal(run.offerId, offerOf.provider2?.toString());
    assert.equal(run.endReason, "completed");
    assert.deepEqual(
      run.skippedOffers.map((s) => [s.offerId, s.provider]),
      [[offerOf.provider1?.toString(), address.provider1]],
    );
    const human = await plasma(home, ["run", "--out", out(), "--", "echo", "hi"]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stderr,
      new RegExp(`skipped offer ${offerOf.provider1}: its provider ${address.provider1} does not answer`),
    );
  });

  it("counts no-shows in the provider's record and ranks its offers by price ÷ show rate", async () => {
    const cheapest = await plasmaJson<{ offers: Offer[] }>(home, ["market", "offers"]);
    assert.equal(cheapest.offers[0]?.id, offerOf.provider1?.toString(), "3.6 XPL/h before 7.2 XPL/h");
    // provider1 is down and never starts these: its client cancels both after the start deadline.
    const leases = [];
    for (let i = 0; i < 2; i++)
      leases.push((await openLease(client, { offerId: offerOf.provider1 as bigint, gpus: 1, maxSeconds: 60 })).leaseId);
    await warp(home, 601);
    for (const id of leases) {
      const cancel = await plasma(home, ["lease", "cancel", id.toString()]);
      assert.equal(cancel.code, 0, cancel.stderr);
    }
    const show = await plasmaJson<{ reputation: { noShows: number; completed: number } }>(home, [
      "provider",
      "show",
      address.provider1 as string,
    ]);
    assert.equal(show.reputation.noShows, 2);
    const text = await plasma(home, ["provider", "show", address.provider1 as string]);
    assert.match(text.stdout, /reputation\s+0 completed, 2 no-shows/);
    // 3.6 XPL/h ÷ (1/3) = 10.8 XPL/h expected: provider2's 7.2 XPL/h now ranks first.
    const ranked = await plasmaJson<{ offers: Offer[] }>(home, ["market", "offers"]);
    assert.deepEqual(
      ranked.offers.map((o) => o.id),
      [offerOf.provider2?.toString(), offerOf.provider1?.toString()],
    );
  });

  it("says when the escrow can be taken back, and the command, when the provider dies after the lease opened", async () => {
    const node = nodes.provider2 ?? assert.fail("provider2 runs since the second test");
    const test = createTestClient({ mode: "anvil", transport: http(rpcUrl) });
    // Hold the client's openLease in the mempool: its health check has passed, its lease is not open yet.
    await test.setAutomine(false);
    const run = plasma(home, ["run", "--offer", String(offerOf.provider2), "--out", out(), "--", "echo", "hi"]);
    try {
      for (let i = 0; ; i++) {
        const pool = await test.getTxpoolContent();
        const txs = Object.values(pool.pending).flatMap((byNonce) => Object.values(byNonce));
        if (txs.some((tx) => tx.to?.toLowerCase() === market.toLowerCase())) break;
        assert.ok(i < 600, "the client sent its openLease within 60 s");
        await new Promise((r) => setTimeout(r, 100)); // polling the mempool for the client's transaction
      }
      await crash(node); // dies now: the lease opens with nobody to start it
    } finally {
      await test.mine({ blocks: 1 });
      await test.setAutomine(true);
    }
    const { code, stderr } = await run;
    const leaseId = await getLeaseCount(client);
    const lease = await getLease(client, leaseId);
    assert.equal(lease.status, "open");
    assert.equal(code, 3, stderr);
    assert.match(
      stderr,
      new RegExp(`Lease ${leaseId}'s provider stopped answering: Cannot reach the provider at http://`),
    );
    const deadline = new Date(lease.startBy * 1000).toISOString().replace(".000Z", "Z");
    assert.ok(stderr.includes(`Lease ${leaseId} was never started.`), stderr);
    assert.match(
      stderr,
      new RegExp(
        `once its start deadline has passed \\(${deadline}, in (10m|9m \\d+s)\\): plasma lease cancel ${leaseId}\n`,
      ),
      "when (the lease's start deadline) and the exact command",
    );
    assert.doesNotMatch(stderr, /\bLEASE\b/, "no placeholder where the lease is known");
    await warp(home, 601);
    const cancel = await plasma(home, ["lease", "cancel", leaseId.toString()]);
    assert.equal(cancel.code, 0, `the command it gave works: ${cancel.stderr}`);
    assert.equal((await getLease(client, leaseId)).endReason, "no-show");
  });

  it("says the job was stopped by the client after plasma stop, not that it exited with code null", async () => {
    await provider("provider1", "3.6");
    const run = await startRun(
      home,
      client,
      ["--offer", String(offerOf.provider1), "--out", out(), "--", "sleep", "60"],
      {
        json: false,
      },
    );
    processes.push(run.child);
    const stop = await plasma(home, ["stop", run.leaseId.toString()]);
    assert.equal(stop.code, 0, stop.stderr);
    await run.exited;
    const { stdout } = run.output();
    assert.match(stdout, /job: stopped by the client/);
    assert.doesNotMatch(stdout, /exited with code null/);
  });
});
