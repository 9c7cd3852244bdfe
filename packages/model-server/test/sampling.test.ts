import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { argmax, SeededRandom, sampleIndex } from "../src/sampling.ts";

describe("SeededRandom", () => {
  it("repeats its stream for a seed and differs between seeds, in all 53 bits", () => {
    const draw = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 8 }, () => random.nextUint32());
    };
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
    assert.notDeepEqual(draw(1), draw(1 + 2 ** 32), "the high bits of the seed matter");
    assert.notDeepEqual(draw(-1), draw(1));
  });

  it("gives numbers in [0, 1) with a mean near 1/2", () => {
    const random = new SeededRandom(7);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = random.next();
      assert.ok(u >= 0 && u < 1);
      sum += u;
    }
    assert.ok(Math.abs(sum / 20_000 - 0.5) < 0.01);
  });

  it("rejects seeds that are not safe integers", () => {
    assert.throws(() => new SeededRandom(1.5), RangeError);
    assert.throws(() => new SeededRandom(2 ** 60), RangeError);
  });
});

describe("sampleIndex and argmax", () => {
  it("picks the first index whose running sum passes u times the total", () => {
    const probs = [0.2, 0.3, 0.5];
    assert.equal(sampleIndex(probs, 0), 0);
    assert.equal(sampleIndex(probs, 0.19), 0);
    assert.equal(sampleIndex(probs, 0.21), 1);
    assert.equal(sampleIndex(probs, 0.51), 2);
    assert.equal(sampleIndex(probs, 0.999999), 2);
    assert.equal(sampleIndex([2, 3, 5], 0.25), 1, "unnormalized weights work too");
  });

  it("never picks a zero-probability index", () => {
    for (const u of [0, 0.3, 0.7, 0.9999999]) assert.equal(sampleIndex([0, 1, 0], u), 1);
    assert.equal(sampleIndex([0.5, 0.5, 0], 0.9999999999), 1);
  });

  it("follows the distribution over many draws", () => {
    const random = new SeededRandom(3);
    const tally = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) {
      const index = sampleIndex([0.1, 0.6, 0.3], random.next());
      tally[index] = (tally[index] ?? 0) + 1;
    }
    assert.ok(Math.abs((tally[1] ?? 0) / 30_000 - 0.6) < 0.02, `tally ${tally}`);
    assert.ok(Math.abs((tally[0] ?? 0) / 30_000 - 0.1) < 0.02, `tally ${tally}`);
  });

  it("argmax takes the largest, the lowest index among equals", () => {
    assert.equal(argmax([0.1, 0.7, 0.2]), 1);
    assert.equal(argmax([0.4, 0.2, 0.4]), 0);
  });
});
