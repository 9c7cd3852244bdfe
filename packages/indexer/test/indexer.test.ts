import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { cancelLease, openLease } from "@plasma/sdk";
import { createTestClient, http, parseEther } from "viem";
import { startTestNet, type TestNet } from "../../sdk/test/helpers.ts";
import { searchOffers } from "../src/api/queries/offers.ts";
import { commitRound, readCursor, rebuildReadModel, writeState } from "../src/store/eventStore.ts";
import { DeploymentMismatchError } from "../src/sync/chainSync.ts";
import { createDecoder } from "../src/sync/decode.ts";
import { catchUp, chainSyncFor, dump, freshIndex, migratedDatabase } from "./helpers.ts";
import { perSecond, seedMarket } from "./scenario.ts";

describe("indexer against anvil", () => {
  let net: TestNet;
  let seeded: Awaited<ReturnType<typeof seedMarket>>;
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "plasma-indexer-"));
    dirs.push(dir);
    return dir;
  };

  before(async () => {
    net = await startTestNet();
    seeded = await seedMarket(net);
  });
  after(async () => {
    await net.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("stores every log of the contracts and folds them into providers, offers and leases", async () => {
    const db = await freshIndex(net.devnet.deployment);
    const client = net.as("client").public;
    const decoder = createDecoder(net.devnet.deployment.contracts);
    const logs = await client.getLogs({ address: decoder.addresses, fromBlock: 0n });
    const [{ n }] = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM events")) as [{ n: number }];
    assert.equal(n, logs.length, "one row per log");

    const p1 = net.devnet.deployment.devAccounts?.provider1?.address as string;
    const [provider] = await db.query<{ stake: string; delegated: string; completed: number }>(
      "SELECT stake::text, delegated::text, completed FROM providers WHERE address = $1",
      [p1],
    );
    assert.deepEqual(provider, {
      stake: parseEther("5000").toString(),
      delegated: parseEther("1000").toString(),
      completed: 1,
    });
    const offers = await db.query<{ id: number; price: string; gpus_in_use: number }>(
      "SELECT id, price_per_gpu_second::text AS price, gpus_in_use FROM offers ORDER BY id",
    );
    assert.deepEqual(offers, [
      { id: 1, price: perSecond("2.5").toString(), gpus_in_use: 0 },
      { id: 2, price: perSecond("1.2").toString(), gpus_in_use: 1 },
      { id: 3, price: perSecond("3.0").toString(), gpus_in_use: 0 },
    ]);
    const leases = await db.query<{ id: number; state: string; end_reason: number | null }>(
      "SELECT id, state, end_reason FROM leases ORDER BY id",
    );
    assert.deepEqual(leases, [
      { id: Number(seeded.leases.done), state: "ended", end_reason: 1 }, // the chain's name, paid or not
      { id: Number(seeded.leases.running), state: "running", end_reason: null },
    ]);
    await db.close();
  });

  it("counts a provider's no-shows and ranks its offers below those of a provider that shows up", async () => {
    const client = net.as("client");
    const p2 = net.devnet.deployment.devAccounts?.provider2?.address as string;
    const leases = [];
    for (let i = 0; i < 2; i++)
      leases.push(await openLease(client, { offerId: seeded.offers.h100b, gpus: 1, maxSeconds: 3600 }));
    await net.warp(601); // past the start deadline: provider2 never started either lease
    for (const { leaseId } of leases) await cancelLease(client, { leaseId });

    const db = await freshIndex(net.devnet.deployment);
    const [record] = await db.query<{ no_shows: number; reputation: number }>(
      "SELECT no_shows, reputation FROM providers WHERE address = $1",
      [p2],
    );
    assert.equal(record?.no_shows, 2, "both no-shows counted");
    // No record of passed or completed value: 0.5 × 10 / (10 + the no-shows' escrow in XPL), about 0.3.
    const [escrow] = await db.query<{ xpl: number }>(
      "SELECT (sum(escrow) / 1e18)::float8 AS xpl FROM leases WHERE provider = $1 AND end_reason = 3",
      [p2],
    );
    const expected = (0.5 * 10) / (10 + (escrow?.xpl ?? 0));
    assert.ok(record && Math.abs(record.reputation - expected) < 1e-9, `${expected}, not ${record?.reputation}`);
    const search = { gpuModel: "h100", limit: 10, offset: 0 };
    const lowestFirst = await searchOffers(db, { ...search, sort: "reputation" });
    assert.deepEqual(
      lowestFirst.offers.map((o) => [o.id, o.reputation]),
      [
        [Number(seeded.offers.h100b), record.reputation],
        [Number(seeded.offers.h100), 0.5],
      ],
    );
    const trusted = await searchOffers(db, { ...search, sort: "price", minReputation: 0.4 });
    assert.deepEqual(
      trusted.offers.map((o) => o.id),
      [Number(seeded.offers.h100)],
      "a minimum reputation leaves out the provider that no-showed",
    );
    await db.close();
  });

  it("rebuilds the same read model from its events table", async () => {
    const db = await freshIndex(net.devnet.deployment);
    const before = await dump(db);
    await db.transaction((tx) => rebuildReadModel(tx));
    assert.deepEqual(await dump(db), before);
    await db.close();
  });

  it("ignores a duplicate delivery: the same events again, or a rewound cursor", async () => {
    const db = await freshIndex(net.devnet.deployment);
    const before = await dump(db);
    const decoder = createDecoder(net.devnet.deployment.contracts);
    const client = net.as("client").public;
    const logs = await client.getLogs({ address: decoder.addresses, fromBlock: 0n });
    const cursor = await readCursor(db);
    assert.ok(cursor);
    const again = await commitRound(
      db,
      [],
      logs.map((l) => decoder.decode(l, 0)),
      cursor.number,
    );
    assert.equal(again, 0, "no event is new");
    await writeState(db, "cursor", "5"); // as if the last commit of blocks 6… had been lost
    const rounds = await catchUp(chainSyncFor(db, net.devnet.deployment));
    assert.equal(
      rounds.reduce((sum, r) => sum + r.events, 0),
      0,
    );
    assert.deepEqual(await dump(db), before);
    await db.close();
  });

  it("resumes from its cursor after its process is killed", async () => {
    const dataDir = tempDir();
    const deploymentFile = join(tempDir(), "deployment.json");
    writeFileSync(deploymentFile, JSON.stringify(net.devnet.deployment));
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, "fixtures", "runIndexer.ts"), deploymentFile, dataDir],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // Kill it after its second round: part of the chain indexed, the rest not.
    let rounds = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith("block ") && ++rounds === 2) break;
    }
    child.kill("SIGKILL");
    await exited;

    const db = await migratedDatabase(dataDir);
    const cursor = await readCursor(db);
    const head = Number(await net.as("client").public.getBlockNumber());
    assert.ok(
      cursor && cursor.number >= 3 && cursor.number < head,
      `killed mid-way (cursor ${cursor?.number}, head ${head})`,
    );
    const resumed = await catchUp(chainSyncFor(db, net.devnet.deployment, 4));
    assert.ok(resumed.length < Math.ceil((head + 1) / 4), "it did not start over");
    const reference = await freshIndex(net.devnet.deployment);
    assert.deepEqual(await dump(db), await dump(reference));
    await Promise.all([db.close(), reference.close()]);
  });

  it("refuses a database that indexes another deployment", async () => {
    const db = await freshIndex(net.devnet.deployment);
    const other = {
      ...net.devnet.deployment,
      contracts: { ...net.devnet.deployment.contracts, computeMarket: net.devnet.deployment.contracts.xplToken },
    };
    await assert.rejects(chainSyncFor(db, other).syncOnce(), (error: Error) => {
      assert.ok(error instanceof DeploymentMismatchError);
      assert.match(error.message, /another deployment.*empty database/s);
      return true;
    });
    await db.close();
  });

  // Last: it rewrites the chain's recent history.
  it("rolls back a reorg (anvil_reorg) and indexes the new branch", async () => {
    const db = await freshIndex(net.devnet.deployment);
    const sync = chainSyncFor(db, net.devnet.deployment);
    const client = net.as("client").public;
    const forkPoint = Number(await client.getBlockNumber());
    // Three more blocks with events, indexed…
    const { updateOffer } = await import("@plasma/sdk");
    for (const price of ["2.0", "1.9", "1.8"]) {
      await updateOffer(net.as("provider1"), {
        offerId: seeded.offers.h100,
        pricePerGpuSecond: perSecond(price),
        gpuCount: 8,
        active: true,
      });
    }
    await catchUp(sync);
    const [{ price: indexedPrice }] = (await db.query<{ price: string }>(
      "SELECT price_per_gpu_second::text AS price FROM offers WHERE id = $1",
      [Number(seeded.offers.h100)],
    )) as [{ price: string }];
    assert.equal(indexedPrice, perSecond("1.8").toString());

    // …then replaced by empty blocks: the price changes never happened.
    const testClient = createTestClient({ mode: "anvil", transport: http(net.devnet.deployment.rpcUrl) });
    await testClient.request({ method: "anvil_reorg" as never, params: [3, []] as never });
    const rounds = await catchUp(sync);
    assert.equal(rounds[0]?.rolledBackTo, forkPoint, "rolled back to the last common block");
    const reference = await freshIndex(net.devnet.deployment);
    assert.deepEqual(await dump(db), await dump(reference));
    const [{ price }] = (await db.query<{ price: string }>(
      "SELECT price_per_gpu_second::text AS price FROM offers WHERE id = $1",
      [Number(seeded.offers.h100)],
    )) as [{ price: string }];
    assert.equal(price, perSecond("2.5").toString());
    const orphaned = await db.query("SELECT 1 FROM events WHERE block_number > $1", [forkPoint]);
    assert.equal(orphaned.length, 0);
    await Promise.all([db.close(), reference.close()]);
  });
});
