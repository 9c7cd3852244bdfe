import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keccak256, stringToHex } from "viem";
import { judgeFirstValidator, UNAVAILABLE_RESULT } from "../src/validatorNode.ts";

// An auditor of a tolerance-mode match says whether the first validator's published outputs were reproduced;
// "not reproduced" slashes it, so an honest auditor says so only when it can tell (issue #16 item 8).
describe("an auditor's verdict on the first validator's outputs", () => {
  const mine = keccak256(stringToHex("the auditor's outputs"));
  const other = keccak256(stringToHex("other outputs"));

  it("the same outputs are reproduced, whatever the job", () => {
    assert.equal(judgeFirstValidator(mine, mine, true), true);
    assert.equal(judgeFirstValidator(mine, mine, false), true);
  });

  it("other outputs of a job that reproduces byte for byte were not computed", () => {
    assert.equal(judgeFirstValidator(other, mine, true), false);
  });

  it("other outputs of a non-deterministic job may be within tolerance: no accusation", () => {
    assert.equal(judgeFirstValidator(other, mine, false), true);
  });

  it("a match attested on 'the provider did not serve the job', or on nothing, is not a re-run", () => {
    assert.equal(judgeFirstValidator(UNAVAILABLE_RESULT, mine, false), false);
    assert.equal(judgeFirstValidator(null, mine, false), false);
  });
});
