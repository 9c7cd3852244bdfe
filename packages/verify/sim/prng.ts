// Seeded pseudo-random numbers for the simulation: xoshiro128** (Blackman and Vigna, 2018, the
// reference generator of https://prng.di.unimi.it/xoshiro128starstar.c), seeded through
// splitmix32. Written here rather than imported: pure-rand is only installed as a dependency of
// fast-check, and this package does not declare it.

/** The splitmix32 step: a 32-bit hash of a counter, used to spread a seed over the 128-bit state. */
function splitmix32(state: number): { state: number; value: number } {
  const next = (state + 0x9e3779b9) | 0;
  let z = next ^ (next >>> 16);
  z = Math.imul(z, 0x21f0aaad);
  z ^= z >>> 15;
  z = Math.imul(z, 0x735a2d97);
  z ^= z >>> 15;
  return { state: next, value: z >>> 0 };
}

/** A deterministic stream of random numbers: the same (seed, stream) always gives the same numbers. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  /**
   * @param seed Any 32-bit unsigned integer.
   * @param stream Independent streams for one seed (one per table cell), so a cell's numbers do not
   * depend on which cells ran before it.
   */
  constructor(seed: number, stream = 0) {
    let mix = splitmix32(seed >>> 0);
    mix = splitmix32((mix.value ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      mix = splitmix32(mix.state);
      words.push(mix.value);
    }
    const [a = 0, b = 0, c = 0, d = 0] = words;
    this.s0 = a;
    this.s1 = b;
    this.s2 = c;
    this.s3 = d === 0 && a === 0 && b === 0 && c === 0 ? 1 : d; // the all-zero state is the one fixed point
  }

  /** The next 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform number in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A standard normal deviate (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const u1 = (this.nextUint32() + 0.5) / 4294967296; // in (0, 1): log(u1) is finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spare = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
