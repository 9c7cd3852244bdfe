// Commit, select, open: the parts of the protocol after the provider has computed its outputs.
import { createHash } from "node:crypto";
import type { HardwareChallenge } from "./challenge.ts";
import { ChallengeError } from "./errors.ts";
import { seedBytes } from "./generator.ts";
import { buildTree, type Hex, hex32, leafHash, type MerkleTree, merkleProof } from "./merkle.ts";

type Shape = Pick<HardwareChallenge, "rows" | "width" | "rowsPerLeaf">;

export const leafCount = (ch: Pick<HardwareChallenge, "rows" | "rowsPerLeaf">) => Math.ceil(ch.rows / ch.rowsPerLeaf);

/** Rows [first, end) that leaf `leaf` covers. */
export function leafRows(ch: Pick<HardwareChallenge, "rows" | "rowsPerLeaf">, leaf: number): [number, number] {
  const first = leaf * ch.rowsPerLeaf;
  return [first, Math.min(ch.rows, first + ch.rowsPerLeaf)];
}

/** A provider's committed outputs: the tree, and a way to read any leaf's values back for an opening. */
export type CommittedRun = {
  challengeId: Hex;
  /** The commitment sent to the validator: the Merkle root over the output leaves. */
  root: Hex;
  tree: MerkleTree;
  /** The provider's own measurement of the compute (advisory: the validator times the round trip itself). */
  computeMs: number;
  /** Which runner and arithmetic produced it, e.g. "cpu/int32" or "gpu/fp16". */
  runner: string;
  /** Names of the devices used (GPU names, or "cpu × 2 workers"). */
  devices: string[];
  /** The values of one leaf (rows × width, row-major). */
  readLeaf(leaf: number): Int16Array;
  /** Frees what the run holds (the GPU runner's output files). */
  dispose(): void;
};

/**
 * The commitment to all rows' outputs (`values` is rows × width, row-major): leaves of rowsPerLeaf rows,
 * each leaf = sha256(0x00 ‖ int16 LE values), nodes = sha256(0x01 ‖ left ‖ right).
 */
export function commitRows(ch: Shape, values: Int16Array): { root: Hex; tree: MerkleTree } {
  if (values.length !== ch.rows * ch.width) {
    throw new ChallengeError(`expected ${ch.rows}×${ch.width} output values, got ${values.length}`);
  }
  const leaves: Buffer[] = [];
  for (let leaf = 0; leaf < leafCount(ch); leaf++) {
    const [first, end] = leafRows(ch, leaf);
    leaves.push(leafHash(values.subarray(first * ch.width, end * ch.width)));
  }
  const tree = buildTree(leaves);
  return { root: tree.root, tree };
}

/**
 * The rows the validator opens: openRows distinct indices (all rows if there are fewer), drawn from
 * sha256("plasma/proof-of-gpu/v1/select" ‖ seed ‖ root ‖ nonce ‖ counter) by rejection sampling, sorted.
 * The nonce is sent only after the commitment, so the provider cannot know them when it commits; given
 * root and nonce anyone recomputes them (and a public beacon, e.g. a later block hash, may serve as nonce).
 */
export function selectRows(ch: Pick<HardwareChallenge, "seed" | "rows" | "openRows">, root: string, nonce: string) {
  const rootBytes = hex32(root);
  const nonceBytes = hex32(nonce);
  if (!rootBytes) throw new ChallengeError(`the commitment must be 32 bytes of hex, got ${JSON.stringify(root)}`);
  if (!nonceBytes) throw new ChallengeError(`the nonce must be 32 bytes of hex, got ${JSON.stringify(nonce)}`);
  const m = ch.rows;
  const r = Math.min(ch.openRows, m);
  if (r === m) return Array.from({ length: m }, (_, i) => i);
  const limit = 2 ** 32 - (2 ** 32 % m);
  const chosen = new Set<number>();
  for (let counter = 0; chosen.size < r; counter++) {
    const block = createHash("sha256")
      .update("plasma/proof-of-gpu/v1/select")
      .update(seedBytes(ch.seed))
      .update(rootBytes)
      .update(nonceBytes)
      .update(Buffer.of(counter >>> 24, (counter >>> 16) & 255, (counter >>> 8) & 255, counter & 255))
      .digest();
    for (let i = 0; i < 8 && chosen.size < r; i++) {
      const word = block.readUInt32BE(4 * i);
      if (word < limit) chosen.add(word % m);
    }
  }
  return [...chosen].sort((a, b) => a - b);
}

/** One opened row: the whole leaf that holds it, and the leaf's Merkle path. */
export type OpenedRow = {
  row: number;
  leaf: number;
  /** The leaf's output values, rows × width, row-major. */
  values: number[];
  /** Sibling hashes from the leaf up to the root. */
  proof: Hex[];
};

/** The provider's answer to a nonce: the selected rows, opened against its commitment. */
export function openRows(ch: HardwareChallenge, run: CommittedRun, nonce: string): OpenedRow[] {
  if (run.challengeId !== ch.id) throw new ChallengeError("this run is for another challenge");
  return selectRows(ch, run.root, nonce).map((row) => {
    const leaf = Math.floor(row / ch.rowsPerLeaf);
    return { row, leaf, values: Array.from(run.readLeaf(leaf)), proof: merkleProof(run.tree, leaf) };
  });
}
