// Seeded sampling of the next character. Server-side module: no imports.
//
// The generator is xoshiro128** (Blackman and Vigna, https://prng.di.unimi.it/xoshiro128starstar.c)
// with its state spread from the seed by splitmix32, so the same seed always gives the same text.

function splitmix32(state: number): { state: number; value: number } {
  const next = (state + 0x9e3779b9) | 0;
  let z = next ^ (next >>> 16);
  z = Math.imul(z, 0x21f0aaad);
  z ^= z >>> 15;
  z = Math.imul(z, 0x735a2d97);
  z ^= z >>> 15;
  return { state: next, value: z >>> 0 };
}

/** A deterministic stream of uniform numbers in [0, 1) for one integer seed. */
export class SeededRandom {
  private s: Uint32Array;

  /** @param seed Any safe integer (negative too); the 53 bits all matter. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError("seed must be a safe integer");
    const low = Number(BigInt.asUintN(32, BigInt(seed)));
    const high = Number(BigInt.asUintN(32, BigInt(seed) >> 32n));
    let mix = splitmix32(low);
    mix = splitmix32((mix.value ^ Math.imul(high + 1, 0x85ebca6b)) >>> 0);
    this.s = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      mix = splitmix32(mix.state);
      this.s[i] = mix.value;
    }
    if (this.s.every((word) => word === 0)) this.s[0] = 1;
  }

  /** The next 32 random bits. */
  nextUint32(): number {
    const s = this.s;
    const s0 = s[0] ?? 0;
    const s1 = s[1] ?? 0;
    const s2 = s[2] ?? 0;
    const s3 = s[3] ?? 0;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    const n2 = (s2 ^ s0) >>> 0;
    const n3 = (s3 ^ s1) >>> 0;
    s[1] = s1 ^ n2;
    s[0] = s0 ^ n3;
    s[2] = n2 ^ t;
    s[3] = rotl(n3, 11);
    return result;
  }

  /** A uniform number in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The index of the largest probability (the lowest index among equals). */
export function argmax(probs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < probs.length; i++) if ((probs[i] ?? 0) > (probs[best] ?? 0)) best = i;
  return best;
}

/**
 * Draws an index with the given (not necessarily normalized) probabilities, using one uniform number
 * u in [0, 1): the first index whose running sum passes u times the total.
 */
export function sampleIndex(probs: ArrayLike<number>, u: number): number {
  let total = 0;
  for (let i = 0; i < probs.length; i++) total += probs[i] ?? 0;
  const target = u * total;
  let sum = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i] ?? 0;
    if (p <= 0) continue;
    sum += p;
    last = i;
    if (sum > target) return i;
  }
  return last;
}
