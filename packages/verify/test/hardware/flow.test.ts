import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CommittedRun,
  chainContext,
  checkResponse,
  checkResponseAsync,
  commitRows,
  computeRowRange,
  createChallenge,
  type HardwareChallenge,
  leafRows,
  type OpenedRow,
  openRows,
  runCpuChallenge,
  selectRows,
} from "@plasma/verify";
import { hex32, seededRandom } from "./helpers.ts";

const offer = { gpuModel: "cpu", gpuCount: 1, vramGb: 8 };
const challenge = (label: string, extra = {}) =>
  createChallenge(offer, seededRandom(label), { n: 128, rows: 600, rounds: 4, rowsPerLeaf: 32, ...extra });

/** A provider that commits to `values` (its outputs, honest or not). */
function providerWith(ch: HardwareChallenge, values: Int16Array): CommittedRun {
  const { root, tree } = commitRows(ch, values);
  return {
    challengeId: ch.id,
    root,
    tree,
    computeMs: 1,
    runner: "test",
    devices: [],
    readLeaf: (leaf) => {
      const [first, end] = leafRows(ch, leaf);
      return values.slice(first * ch.width, end * ch.width);
    },
    dispose() {},
  };
}

describe("challenge → commitment → nonce → openings → verdict", () => {
  it("an honest CPU run passes, synchronously and in worker threads", async () => {
    const ch = challenge("honest");
    const started = performance.now();
    const run = await runCpuChallenge(ch, { workers: 2 });
    const elapsedMs = performance.now() - started; // what the validator measures around the exchange
    assert.equal(run.challengeId, ch.id);
    assert.match(run.root, /^0x[0-9a-f]{64}$/);
    const nonce = hex32("honest nonce");
    const rows = openRows(ch, run, nonce);
    assert.deepEqual(
      rows.map((r) => r.row),
      selectRows(ch, run.root, nonce),
    );
    const verdict = checkResponse(ch, run.root, nonce, rows, elapsedMs);
    assert.equal(verdict.passed, true, verdict.reason);
    assert.equal(verdict.code, "ok");
    assert.equal(verdict.rowsChecked, 20);
    assert.match(verdict.reason, /^passed: 20 rows match the commitment, \d+\.\d s ≤ \d+\.\d s allowed for cpu/);
    assert.ok(Math.abs(verdict.measuredTflops - verdict.workFlops / (elapsedMs / 1000) / 1e12) < 1e-12);
    const parallel = await checkResponseAsync(ch, run.root, nonce, rows, elapsedMs, { workers: 3 });
    assert.deepEqual(parallel, verdict);
    // The commitment does not depend on how the rows were split between workers.
    assert.equal((await runCpuChallenge(ch, { workers: 1 })).root, run.root);
  });

  it("a provider that computed only half the rows (and filled the rest) fails: row N does not match", async () => {
    const ch = challenge("lazy");
    const honest = computeRowRange(chainContext(ch), 0, ch.rows);
    const fake = honest.slice();
    const fill = seededRandom("fill")(fake.length);
    for (let j = ch.rows / 2; j < ch.rows; j++) {
      for (let o = 0; o < ch.width; o++) fake[j * ch.width + o] = ((fill[j * ch.width + o] as number) % 41) - 20;
    }
    const run = providerWith(ch, fake);
    let caught = 0;
    for (let i = 0; i < 20; i++) {
      const nonce = hex32(`lazy nonce ${i}`);
      const verdict = checkResponse(ch, run.root, nonce, openRows(ch, run, nonce), 10);
      assert.equal(verdict.passed, false, "0.5^20 chance of passing");
      assert.equal(verdict.code, "row-mismatch");
      assert.ok((verdict.row as number) >= ch.rows / 2);
      assert.match(verdict.reason, new RegExp(`^row ${verdict.row} does not match`));
      caught++;
    }
    assert.equal(caught, 20);
  });

  it("a single wrong output in one opened row is caught", () => {
    const ch = challenge("one-off");
    const values = computeRowRange(chainContext(ch), 0, ch.rows);
    const nonce = hex32("one-off nonce");
    const target = selectRows(ch, providerWith(ch, values).root, nonce)[3] as number;
    // The provider must commit before it sees the nonce; here we pick the row that will be drawn for the
    // honest commitment, then change it and recommit, which changes the draw: retry until it is drawn.
    for (let attempt = 0; attempt < 200; attempt++) {
      const bad = values.slice();
      bad[target * ch.width] = (bad[target * ch.width] as number) + 1 + attempt;
      const run = providerWith(ch, bad);
      if (!selectRows(ch, run.root, nonce).includes(target)) continue;
      const verdict = checkResponse(ch, run.root, nonce, openRows(ch, run, nonce), 10);
      assert.equal(verdict.code, "row-mismatch");
      assert.equal(verdict.row, target);
      return;
    }
    assert.fail("the changed row was never drawn");
  });

  it("openings that do not match the commitment fail: commitment mismatch", async () => {
    const ch = challenge("commit");
    const run = await runCpuChallenge(ch);
    const nonce = hex32("commit nonce");

    // 1. The provider sends a commitment that is not the root of what it opens.
    const bogusRoot = hex32("bogus root");
    const rowsForBogus = selectRows(ch, bogusRoot, nonce).map((row): OpenedRow => {
      const leaf = Math.floor(row / ch.rowsPerLeaf);
      return { row, leaf, values: Array.from(run.readLeaf(leaf)), proof: openRows(ch, run, nonce)[0]?.proof ?? [] };
    });
    const v1 = checkResponse(ch, bogusRoot, nonce, rowsForBogus, 10);
    assert.equal(v1.code, "commitment-mismatch");
    assert.match(v1.reason, /^commitment mismatch: row \d+'s leaf does not hash to the committed root$/);

    // 2. The right rows and proofs, but one leaf's values edited after committing (the edited value is
    // the correct one for nothing: the leaf no longer hashes to the root).
    const rows = openRows(ch, run, nonce);
    const edited = structuredClone(rows);
    (edited[5] as OpenedRow).values[0] = ((edited[5] as OpenedRow).values[0] as number) + 1;
    const v2 = checkResponse(ch, run.root, nonce, edited, 10);
    assert.equal(v2.code, "commitment-mismatch");
    assert.equal(v2.row, rows[5]?.row);

    // 3. A proof from another leaf.
    const swapped = structuredClone(rows);
    (swapped[0] as OpenedRow).proof = (rows[10] as OpenedRow).proof;
    if (rows[0]?.leaf !== rows[10]?.leaf)
      assert.equal(checkResponse(ch, run.root, nonce, swapped, 10).code, "commitment-mismatch");
  });

  it("too slow fails with the class's deadline in the reason", async () => {
    const ch = challenge("slow");
    const run = await runCpuChallenge(ch);
    const nonce = hex32("slow nonce");
    const rows = openRows(ch, run, nonce);
    const verdict = checkResponse(ch, run.root, nonce, rows, ch.deadlineMs + 1);
    assert.equal(verdict.passed, false);
    assert.equal(verdict.code, "too-slow");
    const s = (ms: number) => (ms / 1000).toFixed(1);
    assert.equal(verdict.reason, `too slow: ${s(ch.deadlineMs + 1)} s > ${s(ch.deadlineMs)} s allowed for cpu`);
    assert.equal(checkResponse(ch, run.root, nonce, rows, ch.deadlineMs).passed, true, "the deadline itself passes");

    // A tiny deadline, as for a claimed 8× H100 (the label names the offer).
    const h100 = createChallenge({ gpuModel: "NVIDIA H100 80GB HBM3", gpuCount: 8, vramGb: 80 }, seededRandom("h"), {
      n: 128,
      rows: 600,
      rounds: 4,
      rowsPerLeaf: 32,
      allowanceMs: 0,
    });
    const h = checkResponse(h100, hex32("r"), nonce, [], 41_200);
    assert.equal(h.code, "too-slow");
    assert.match(h.reason, /^too slow: 41\.2 s > 0\.\d s allowed for 8× H100$/);
  });

  it("opening other rows than the nonce selects fails", async () => {
    const ch = challenge("wrong-rows");
    const run = await runCpuChallenge(ch);
    const rows = openRows(ch, run, hex32("the provider's own choice"));
    const verdict = checkResponse(ch, run.root, hex32("the validator's nonce"), rows, 10);
    assert.equal(verdict.code, "wrong-rows");
    assert.match(verdict.reason, /^the response opens rows \[.*\] but the nonce selects \[.*\]$/);
    assert.equal(checkResponse(ch, run.root, hex32("the validator's nonce"), rows.slice(0, 19), 10).code, "wrong-rows");
  });

  it("a malformed response is judged, never thrown", async () => {
    const ch = challenge("malformed");
    const run = await runCpuChallenge(ch);
    const nonce = hex32("malformed nonce");
    const rows = openRows(ch, run, nonce);
    const cases: unknown[] = [
      "rows",
      null,
      rows.map((r) => ({ ...r, values: r.values.map(() => 1e9) })),
      rows.map((r) => ({ ...r, values: r.values.slice(1) })),
      rows.map((r) => ({ ...r, values: r.values.map((v) => v + 0.5) })),
      rows.map((r) => ({ ...r, leaf: r.leaf + 1 })),
      rows.map((r) => ({ ...r, proof: "nope" })),
      rows.map((r) => ({ ...r, proof: r.proof.map(() => "0x12") })),
    ];
    for (const response of cases) {
      const verdict = checkResponse(ch, run.root, nonce, response, 10);
      assert.equal(verdict.passed, false);
      assert.ok(["malformed", "wrong-rows", "commitment-mismatch"].includes(verdict.code), verdict.code);
    }
    assert.equal(checkResponse(ch, "0xnot-a-root", nonce, rows, 10).code, "malformed");
    // The validator's own inputs are programming errors: those throw.
    assert.throws(() => checkResponse(ch, run.root, nonce, rows, Number.NaN), RangeError);
    assert.throws(() => checkResponse(ch, run.root, "0x00", rows, 10), RangeError);
    assert.throws(() => openRows({ ...ch, id: hex32("other") }, run, nonce), /another challenge/);
  });

  it("runCpuChallenge does not block the event loop and can be aborted", async () => {
    const ch = challenge("loop", { n: 256, rows: 1500, rounds: 8 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const run = await runCpuChallenge(ch, { workers: 1 });
    clearInterval(timer);
    assert.ok(run.computeMs < 50 || ticks > 0, `the loop ticked ${ticks} times in ${run.computeMs} ms`);
    const controller = new AbortController();
    const pending = runCpuChallenge(ch, { signal: controller.signal });
    controller.abort(new Error("stop"));
    await assert.rejects(pending, /stop/);
  });
});
