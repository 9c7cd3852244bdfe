// The commitment to a run's outputs: a binary Merkle tree over leaves of `rowsPerLeaf` rows.
//
//   leaf  = sha256(0x00 ‖ the leaf's output values, each as int16 little-endian, row-major)
//   node  = sha256(0x01 ‖ left ‖ right)
//   a level of odd length promotes its last node unchanged; the root of one leaf is that leaf.
//
// Leaves group rows because a GPU run has up to 2^27 rows: one sha256 per row would cost the
// provider's host more than the GPU work, while opening one row of a 1024-row leaf ships 8 KB.
// gpu_challenge.py builds the same tree; the 0x00/0x01 prefixes keep a leaf from passing as a node.
import { createHash } from "node:crypto";

export type Hex = `0x${string}`;

export const toHex = (bytes: Uint8Array): Hex => `0x${Buffer.from(bytes).toString("hex")}`;

/** 32-byte hex → bytes; undefined if it is not exactly that. */
export function hex32(value: unknown): Buffer | undefined {
  if (typeof value !== "string") return undefined;
  const hex = value.startsWith("0x") ? value.slice(2) : value;
  return /^[0-9a-fA-F]{64}$/.test(hex) ? Buffer.from(hex, "hex") : undefined;
}

/** Hash of one leaf's values (int16 little-endian). Throws RangeError on a value outside int16. */
export function leafHash(values: ArrayLike<number>): Buffer {
  const bytes = Buffer.alloc(1 + 2 * values.length);
  for (let i = 0; i < values.length; i++) bytes.writeInt16LE(values[i] ?? 0, 1 + 2 * i);
  return createHash("sha256").update(bytes).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash("sha256").update(Buffer.of(1)).update(left).update(right).digest();
}

/** A built tree: every level, leaves first. */
export type MerkleTree = { levels: Buffer[][]; root: Hex; leafCount: number };

export function buildTree(leaves: readonly Buffer[]): MerkleTree {
  if (leaves.length === 0) throw new RangeError("a Merkle tree needs at least one leaf");
  const levels: Buffer[][] = [leaves.slice()];
  for (let level = levels[0] ?? []; level.length > 1; ) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i] as Buffer, level[i + 1] as Buffer));
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Buffer);
    levels.push(next);
    level = next;
  }
  const top = levels[levels.length - 1]?.[0] as Buffer;
  return { levels, root: toHex(top), leafCount: leaves.length };
}

/** Sibling hashes from leaf `index` up to the root (levels where the node is promoted have none). */
export function merkleProof(tree: MerkleTree, index: number): Hex[] {
  if (!Number.isInteger(index) || index < 0 || index >= tree.leafCount) {
    throw new RangeError(`leaf ${index} is not in a tree of ${tree.leafCount}`);
  }
  const proof: Hex[] = [];
  let i = index;
  for (const level of tree.levels.slice(0, -1)) {
    const sibling = i % 2 === 0 ? level[i + 1] : level[i - 1];
    if (sibling) proof.push(toHex(sibling));
    i = Math.floor(i / 2);
  }
  return proof;
}

/** The root that leaf hash `leaf` at `index` of a `leafCount`-leaf tree leads to; undefined if the proof's length is wrong or a sibling is not 32-byte hex. */
export function rootFromProof(leaf: Uint8Array, index: number, leafCount: number, proof: readonly unknown[]) {
  let hash: Uint8Array = leaf;
  let i = index;
  let used = 0;
  for (let width = leafCount; width > 1; width = Math.ceil(width / 2)) {
    const promoted = i % 2 === 0 && i === width - 1;
    if (!promoted) {
      const sibling = hex32(proof[used++]);
      if (!sibling) return undefined;
      hash = i % 2 === 0 ? nodeHash(hash, sibling) : nodeHash(sibling, hash);
    }
    i = Math.floor(i / 2);
  }
  return used === proof.length ? toHex(hash) : undefined;
}
