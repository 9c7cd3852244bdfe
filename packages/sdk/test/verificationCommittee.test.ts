import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCommittee, slotToCommit, type Verification } from "@plasma/sdk";
import type { Address, Hex } from "viem";

const [v1, v2, v3, stranger] = ["0x01", "0x02", "0x03", "0x04"].map((n) => n.padEnd(42, "0") as Address) as [
  Address,
  Address,
  Address,
  Address,
];
const C: Hex = `0x${"ab".repeat(32)}`;

function verification(over: Partial<Verification>): Verification {
  return {
    leaseId: 1n,
    mode: "exact",
    stage: "assigned",
    round: 1,
    drawBlock: 1n,
    deadline: 0,
    locked: 0n,
    forced: false,
    audit: false,
    fee: 0n,
    payCap: 0n,
    validator1: v1,
    validator2: null,
    validator3: null,
    commitments: [null, null, null],
    results: [null, null, null],
    providerSaltRevealed: false,
    providerSalt: null,
    ...over,
  };
}

describe("which validator commits now", () => {
  it("round 1: only the first validator", () => {
    const v = verification({});
    assert.equal(isCommittee(v), false);
    assert.equal(slotToCommit(v, v1), 1);
    assert.equal(slotToCommit(v, stranger), 0);
  });

  it("an exact-mode dispute: both committee members, each until it has committed", () => {
    const v = verification({ round: 2, validator2: v2, validator3: v3, commitments: [C, null, null] });
    assert.equal(isCommittee(v), true);
    assert.equal(slotToCommit(v, v2), 2);
    assert.equal(slotToCommit(v, v3), 3);
    assert.equal(slotToCommit(v, v1), 0, "the first validator committed in round 1");
    assert.equal(slotToCommit({ ...v, commitments: [C, C, null] }, v2), 0, "committed already");
    assert.equal(slotToCommit({ ...v, stage: "final-reveal" }, v3), 0, "nothing to commit once revealing");
  });

  it("a tolerance-mode dispute: the second validator alone", () => {
    const v = verification({ mode: "tolerance", round: 2, validator2: v2, commitments: [C, null, null] });
    assert.equal(isCommittee(v), false);
    assert.equal(slotToCommit(v, v2), 2);
    assert.equal(slotToCommit({ ...v, validator3: v3 }, v3), 0);
  });
});
