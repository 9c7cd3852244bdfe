import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import {
  buildTree,
  commitRows,
  createChallenge,
  leafHash,
  merkleProof,
  rootFromProof,
  selectRows,
} from "@plasma/verify";
import { hex32, seededRandom } from "./helpers.ts";

const sha = (...parts: Uint8Array[]) => createHash("sha256").update(Buffer.concat(parts)).digest();

/** The tree's root by its recursive definition: pair up, promote an odd last node. */
function naiveRoot(level: Buffer[]): Buffer {
  if (level.length === 1) return level[0] as Buffer;
  const next: Buffer[] = [];
  for (let i = 0; i < level.length; i += 2) {
    const right = level[i + 1];
    next.push(right ? sha(Buffer.of(1), level[i] as Buffer, right) : (level[i] as Buffer));
  }
  return naiveRoot(next);
}

describe("Merkle commitment", () => {
  it("leaf = sha256(0x00 ‖ int16 LE values)", () => {
    assert.deepEqual(leafHash([1, -2, 300]), sha(Buffer.of(0, 1, 0, 0xfe, 0xff, 0x2c, 0x01)));
    assert.throws(() => leafHash([40000]), RangeError);
  });

  it("every leaf's proof leads to the root, for 1 to 33 leaves", () => {
    for (let count = 1; count <= 33; count++) {
      const leaves = Array.from({ length: count }, (_, i) => sha(Buffer.from(`leaf ${i}`)));
      const tree = buildTree(leaves);
      assert.equal(tree.root, `0x${naiveRoot(leaves).toString("hex")}`, `${count} leaves`);
      for (let i = 0; i < count; i++) {
        const proof = merkleProof(tree, i);
        assert.equal(rootFromProof(leaves[i] as Buffer, i, count, proof), tree.root, `leaf ${i} of ${count}`);
        if (count > 1) {
          assert.notEqual(rootFromProof(leaves[(i + 1) % count] as Buffer, i, count, proof), tree.root);
          assert.equal(rootFromProof(leaves[i] as Buffer, i, count, proof.slice(1)), undefined, "short proof");
          assert.equal(rootFromProof(leaves[i] as Buffer, i, count, [...proof, tree.root]), undefined, "long proof");
        }
      }
    }
  });

  it("commitRows groups rows into leaves of rowsPerLeaf (the last one shorter)", () => {
    const values = Int16Array.from({ length: 5 * 2 }, (_, i) => i - 4);
    const { root } = commitRows({ rows: 5, width: 2, rowsPerLeaf: 2 }, values);
    const leaves = [leafHash([-4, -3, -2, -1]), leafHash([0, 1, 2, 3]), leafHash([4, 5])];
    assert.equal(root, `0x${naiveRoot(leaves).toString("hex")}`);
    assert.throws(() => commitRows({ rows: 6, width: 2, rowsPerLeaf: 2 }, values), /expected 6×2/);
  });
});

describe("row selection", () => {
  const ch = createChallenge({ gpuModel: "cpu", gpuCount: 1, vramGb: 8 }, seededRandom("select"), {
    n: 64,
    rows: 1000,
    rounds: 2,
  });
  const root = hex32("root");

  it("is deterministic given the commitment and nonce: r distinct sorted rows in range", () => {
    const rows = selectRows(ch, root, hex32("nonce"));
    assert.deepEqual(selectRows(ch, root, hex32("nonce")), rows);
    assert.equal(rows.length, 20);
    assert.equal(new Set(rows).size, 20);
    assert.deepEqual(
      rows,
      [...rows].sort((a, b) => a - b),
    );
    assert.ok(rows.every((r) => Number.isInteger(r) && r >= 0 && r < 1000));
  });

  it("cannot be predicted before the nonce: another nonce (one bit apart) gives an unrelated set", () => {
    const a = selectRows(ch, root, `0x${"00".repeat(32)}`);
    const b = selectRows(ch, root, `0x${"00".repeat(31)}01`);
    const common = a.filter((r) => b.includes(r)).length;
    assert.ok(common <= 4, `${common} rows in common (expected ~0.4)`);
    assert.notDeepEqual(selectRows(ch, hex32("other root"), hex32("nonce")), selectRows(ch, root, hex32("nonce")));
    assert.notDeepEqual(
      selectRows({ ...ch, seed: hex32("other seed") }, root, hex32("n")),
      selectRows(ch, root, hex32("n")),
    );
  });

  it("is uniform over the rows: over 2000 nonces every row is drawn about r/m of the time", () => {
    const small = { ...ch, rows: 50, openRows: 5 };
    const counts = new Array(50).fill(0);
    for (let i = 0; i < 2000; i++) for (const r of selectRows(small, root, hex32(`n${i}`))) counts[r]++;
    // each row: binomial(2000, 0.1): mean 200, sd ≈ 13.4; ±5 sd
    for (const [row, count] of counts.entries()) assert.ok(Math.abs(count - 200) < 67, `row ${row}: ${count}`);
  });

  it("opens every row when there are no more than r", () => {
    assert.deepEqual(selectRows({ ...ch, rows: 7 }, root, hex32("n")), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(selectRows({ ...ch, rows: 20 }, root, hex32("n")).length, 20);
  });

  it("refuses a commitment or nonce that is not 32 bytes of hex", () => {
    assert.throws(() => selectRows(ch, "0x12", hex32("n")), /commitment must be 32 bytes/);
    assert.throws(() => selectRows(ch, root, "nonce"), /nonce must be 32 bytes/);
  });

  it("soundness: with r = 20, a provider that computed half the rows passes with probability < 1e-6", () => {
    assert.equal(ch.openRows, 20);
    assert.ok(0.5 ** ch.openRows < 1e-6);
    // Drawn without replacement from m rows of which m/2 are right: C(m/2, r) / C(m, r) ≤ 0.5^r.
    let p = 1;
    for (let i = 0; i < 20; i++) p *= (500 - i) / (1000 - i);
    assert.ok(p <= 0.5 ** 20);
  });
});
