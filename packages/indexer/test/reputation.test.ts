// Reputation that self-dealing cannot farm (issue 16, item 10): the score weighs leases by the value
// paid for them and by how many distinct clients paid, so a thousand one-second leases a provider
// buys from itself count for little. The events are the decoded form the chain sync stores, folded
// by the real store into a real (embedded PostgreSQL) database.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VERIFICATION_STAGES } from "@plasma/sdk";
import { pad, toHex, zeroAddress, zeroHash } from "viem";
import type { Database } from "../src/db/database.ts";
import { commitRound } from "../src/store/eventStore.ts";
import type { EventArgs, IndexedEvent } from "../src/sync/decode.ts";
import { migratedDatabase } from "./helpers.ts";
import { perSecond } from "./scenario.ts";

const address = (n: number) => pad(toHex(n), { size: 20 });
const FARMER = address(0xfa);
const HONEST = address(0x0b);
const SELF_CLIENT = address(0xfb); // the farmer's own second address
const CLIENTS = [address(0xc1), address(0xc2), address(0xc3)];
const PRICE = perSecond("2.5"); // XPL wei per GPU-second
const OUTCOME = (stage: "verified" | "failed") => String(VERIFICATION_STAGES.indexOf(stage));
const END_REASON = { completed: "1", noShow: "3" } as const;

/** Builds the events of a chain history, one log after another, in one block per call to `lease`. */
function history() {
  const events: IndexedEvent[] = [];
  let leaseId = 0;
  let block = 1;
  const noShows = new Map<string, number>();
  const emit = (contract: string, name: string, args: EventArgs) => {
    events.push({
      blockNumber: block,
      logIndex: events.filter((e) => e.blockNumber === block).length,
      blockHash: pad(toHex(block), { size: 32 }),
      txHash: pad(toHex(events.length + 1), { size: 32 }),
      timestamp: 1_700_000_000 + block * 12,
      contract,
      name,
      args,
    });
  };
  const register = (provider: string) =>
    emit("providerRegistry", "ProviderRegistered", { provider, endpoint: "http://x", attributes: "{}" });
  /** One lease of `seconds` on one GPU that the provider completes (and that may be sampled) or never starts. */
  const lease = (
    provider: string,
    client: string,
    seconds: number,
    end: "passed" | "failed" | "unsampled" | "no-show",
  ) => {
    block++;
    const id = String(++leaseId);
    const gross = (PRICE * BigInt(seconds)).toString();
    emit("computeMarket", "LeaseOpened", {
      leaseId: id,
      provider,
      client,
      offerId: "1",
      gpus: "1",
      maxSeconds: String(seconds),
      pricePerGpuSecond: PRICE.toString(),
      escrow: gross,
      specHash: zeroHash,
      builder: zeroAddress,
      startBy: "0",
      verification: "1",
    });
    if (end === "no-show") {
      emit("computeMarket", "LeaseEnded", {
        leaseId: id,
        provider,
        client,
        reason: END_REASON.noShow,
        paid: "0",
        refund: gross,
        penalty: "0",
        resultHash: zeroHash,
      });
      noShows.set(provider, (noShows.get(provider) ?? 0) + 1);
      emit("verificationManager", "NoShowRecorded", { leaseId: id, provider, noShows: String(noShows.get(provider)) });
      return;
    }
    emit("computeMarket", "LeaseStarted", { leaseId: id, provider, startedAt: "0" });
    emit("computeMarket", "LeaseSettled", {
      leaseId: id,
      provider,
      gross,
      providerAmount: gross,
      protocolFee: "0",
      builderFee: "0",
    });
    emit("computeMarket", "LeaseEnded", {
      leaseId: id,
      provider,
      client,
      reason: END_REASON.completed,
      paid: gross,
      refund: "0",
      penalty: "0",
      resultHash: pad("0x01", { size: 32 }),
    });
    emit("verificationManager", "LeaseSampled", { leaseId: id, sampled: end !== "unsampled", seed: zeroHash });
    if (end === "unsampled") return;
    emit("verificationManager", "VerificationEnded", {
      leaseId: id,
      provider,
      outcome: OUTCOME(end === "passed" ? "verified" : "failed"),
      toProvider: "0",
      refund: "0",
      slashed: "0",
    });
  };
  return { events, register, lease };
}

async function index(events: IndexedEvent[]): Promise<Database> {
  const db = await migratedDatabase();
  const blocks = [...new Set(events.map((e) => e.blockNumber))].map((number) => ({
    number,
    hash: pad(toHex(number), { size: 32 }),
    parentHash: pad(toHex(number - 1), { size: 32 }),
    timestamp: 1_700_000_000 + number * 12,
  }));
  await commitRound(db, blocks, events, blocks.at(-1)?.number ?? 0);
  return db;
}

async function score(db: Database, provider: string): Promise<number> {
  const [row] = await db.query<{ reputation: number }>("SELECT reputation FROM providers WHERE address = $1", [
    provider,
  ]);
  assert.ok(row, `provider ${provider} indexed`);
  return row.reputation;
}

describe("reputation", () => {
  it("does not let 1-second self-dealing leases outrank fewer, larger leases from several clients", async () => {
    const h = history();
    h.register(FARMER);
    h.register(HONEST);
    // The farmer leases its own offer 300 times for one second each; one in ten is sampled and passes.
    for (let i = 0; i < 200; i++) h.lease(FARMER, SELF_CLIENT, 1, i % 10 === 0 ? "passed" : "unsampled");
    // The honest provider: six one-hour leases from three clients (15 XPL paid), one sampled and passed.
    for (let i = 0; i < 6; i++) h.lease(HONEST, CLIENTS[i % 3] as string, 3600, i === 0 ? "passed" : "unsampled");
    const db = await index(h.events);
    const farmer = await score(db, FARMER);
    const honest = await score(db, HONEST);
    assert.ok(
      honest > farmer,
      `the honest provider (${honest.toFixed(3)}) must outrank the self-dealing farmer (${farmer.toFixed(3)})`,
    );
    assert.ok(farmer < 0.51, `0.14 XPL of one client's leases is barely a record: ${farmer}`);
    await db.close();
  });

  it("starts at 0.5, stays in 0..1, and lets a failure or a no-show weigh its full value", async () => {
    const h = history();
    const fresh = address(0x01);
    const cheat = address(0x02);
    const absent = address(0x03);
    const proven = address(0x04);
    for (const p of [fresh, cheat, absent, proven]) h.register(p);
    h.lease(cheat, CLIENTS[0] as string, 3600, "failed");
    h.lease(absent, CLIENTS[0] as string, 3600, "no-show");
    // A long record of large passed leases from many clients approaches 1.
    for (let i = 0; i < 40; i++) h.lease(proven, address(0x1000 + i), 36_000, "passed");
    const db = await index(h.events);
    assert.equal(await score(db, fresh), 0.5);
    const failed = await score(db, cheat);
    const noShow = await score(db, absent);
    assert.ok(failed < 0.5 && failed > 0, `one failed 2.5 XPL lease: ${failed}`);
    assert.ok(noShow < 0.5 && noShow > 0, `one 2.5 XPL no-show: ${noShow}`);
    const best = await score(db, proven);
    assert.ok(best > 0.95 && best < 1, `40 clients, 1,000 XPL passed: ${best}`);
    await db.close();
  });

  it("does not let a provider bury a large failure under many tiny self-dealt passes", async () => {
    const h = history();
    h.register(FARMER);
    h.lease(FARMER, CLIENTS[0] as string, 36_000, "failed"); // 25 XPL of wrong results
    for (let i = 0; i < 200; i++) h.lease(FARMER, address(0x2000 + i), 1, "passed"); // 200 Sybil clients
    const db = await index(h.events);
    const buried = await score(db, FARMER);
    assert.ok(buried < 0.4, `200 passes worth 0.14 XPL do not outweigh a 25 XPL failure: ${buried}`);
    await db.close();
  });
});
