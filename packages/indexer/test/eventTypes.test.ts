// Every event type the contracts can emit is decoded, stored and folded without error; the read
// model's handlers name only events that exist (a typo would silently drop data).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deployment } from "@plasma/sdk";
import {
  type AbiEvent,
  type AbiParameter,
  encodeAbiParameters,
  encodeEventTopics,
  type Hex,
  type Log,
  pad,
  toHex,
} from "viem";
import { HANDLED_EVENT_TYPES } from "../src/store/applyEvent.ts";
import { commitRound } from "../src/store/eventStore.ts";
import { allEventTypes, CONTRACT_ABIS, createDecoder } from "../src/sync/decode.ts";
import { migratedDatabase } from "./helpers.ts";

const contracts = Object.fromEntries(
  Object.keys(CONTRACT_ABIS).map((name, i) => [name, pad(toHex(i + 1), { size: 20 })]),
) as Deployment["contracts"];

/** A plausible value of an ABI type: ids and amounts 1, an address per log, strings and hashes. */
function sample(p: AbiParameter, index: number): unknown {
  if (p.type.endsWith("[]")) return [sample({ ...p, type: p.type.slice(0, -2) }, index)];
  if (p.type.startsWith("uint") || p.type.startsWith("int")) return 1n;
  if (p.type === "address") return pad(toHex(0x100 + index), { size: 20 });
  if (p.type === "bool") return true;
  if (p.type === "string") return `sample ${p.name}`;
  if (p.type === "bytes") return "0x1234";
  if (p.type.startsWith("bytes")) return pad("0x01", { size: Number(p.type.slice(5)) });
  throw new Error(`no sample for ${p.type}`);
}

function logOf(contract: keyof Deployment["contracts"], event: AbiEvent, index: number): Log {
  const args = Object.fromEntries(event.inputs.map((input) => [input.name, sample(input, index)]));
  const topics = encodeEventTopics({ abi: [event], eventName: event.name, args } as never) as [Hex, ...Hex[]];
  const dataInputs = event.inputs.filter((input) => !input.indexed);
  const data = encodeAbiParameters(dataInputs, dataInputs.map((input) => args[input.name as string]) as never);
  return {
    address: contracts[contract],
    topics,
    data,
    blockNumber: 1n,
    blockHash: pad("0xb1", { size: 32 }),
    logIndex: index,
    transactionHash: pad("0x7a", { size: 32 }),
    transactionIndex: 0,
    removed: false,
  } as Log;
}

describe("event types", () => {
  it("handles only events that the contracts declare", () => {
    const declared = new Set(allEventTypes());
    assert.deepEqual(
      HANDLED_EVENT_TYPES.filter((type) => !declared.has(type)),
      [],
    );
  });

  it("decodes, stores and folds one event of every type", async () => {
    const decoder = createDecoder(contracts);
    const logs = Object.entries(CONTRACT_ABIS).flatMap(([contract, abi]) =>
      abi.filter((item): item is AbiEvent => item.type === "event").map((event) => ({ contract, event })),
    );
    const events = logs.map(({ contract, event }, i) =>
      decoder.decode(logOf(contract as never, event, i), 1_700_000_000),
    );
    const db = await migratedDatabase();
    const added = await commitRound(
      db,
      [{ number: 1, hash: pad("0xb1", { size: 32 }), parentHash: pad("0x00", { size: 32 }), timestamp: 1_700_000_000 }],
      events,
      1,
    );
    assert.equal(added, allEventTypes().length);
    const stored = await db.query<{ type: string }>(
      "SELECT contract || '.' || name AS type FROM events ORDER BY log_index",
    );
    assert.deepEqual(
      stored.map((r) => r.type),
      allEventTypes(),
    );
    // Folded: the sample offer, lease, proposal and vote exist in the read model.
    const counts = await db.query<{
      offers: number;
      leases: number;
      proposals: number;
      votes: number;
      channels: number;
    }>(
      `SELECT (SELECT count(*)::int FROM offers) AS offers, (SELECT count(*)::int FROM leases) AS leases,
         (SELECT count(*)::int FROM proposals) AS proposals, (SELECT count(*)::int FROM votes) AS votes,
         (SELECT count(*)::int FROM channels) AS channels`,
    );
    assert.deepEqual(counts[0], { offers: 1, leases: 1, proposals: 1, votes: 2, channels: 1 }); // VoteCast and VoteCastWithParams
    await db.close();
  });

  it("refuses a log from an address outside the deployment", () => {
    const decoder = createDecoder(contracts);
    const [event] = CONTRACT_ABIS.xplToken.filter((item): item is AbiEvent => item.type === "event");
    const log = { ...logOf("xplToken", event as AbiEvent, 0), address: "0x00000000000000000000000000000000000000ff" };
    assert.throws(() => decoder.decode(log as Log, 0), /not a Plasma contract of this deployment/);
  });
});
