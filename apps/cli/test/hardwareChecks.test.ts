import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assignHardwareCheck, createPlasmaClient, readDeployment } from "@plasma/sdk";
import { type Dev, plasma, plasmaJson, startDev, tempHome } from "./harness.ts";

type Checks = {
  open: { stage: string; validator: string | null; drawBlock: string };
  reports: unknown[];
};

describe("plasma validator: proof-of-GPU checks are requested, drawn and reported only by the drawn validator", () => {
  let dev: Dev;
  let home: string;
  before(async () => {
    home = tempHome();
    dev = await startDev(home, "0", ["--provider-port", "0", "--no-validator", "--no-web"]);
  });
  after(async () => {
    if (dev.process.exitCode === null) await dev.stop();
  });

  it("requests a check, shows it, and refuses a validator that was not drawn and a dispute by a non-provider", async () => {
    const staked = await plasmaJson<{ validator: string }>(home, [
      "validator",
      "stake",
      "10000",
      "--account",
      "builder",
    ]);
    const requested = await plasmaJson<{ drawBlock: string }>(home, ["validator", "request-check", "1"]);
    let checks = await plasmaJson<Checks>(home, ["validator", "checks", "1"]);
    assert.equal(checks.open.stage, "needs-validator");
    assert.equal(checks.open.drawBlock, requested.drawBlock);
    assert.deepEqual(checks.reports, []);

    // Anyone draws the validator from the request block's hash (a validator node does it on its own).
    const deployment = readDeployment(join(home, "deployment.json"));
    const drawer = createPlasmaClient({
      deployment,
      account: deployment.devAccounts?.client?.privateKey as `0x${string}`,
    });
    await assignHardwareCheck(drawer, 1n);
    await drawer.close();
    checks = await plasmaJson<Checks>(home, ["validator", "checks", "1"]);
    assert.equal(checks.open.stage, "assigned");
    assert.equal(checks.open.validator, staked.validator, "the only staked validator is drawn");

    const notDrawn = await plasma(home, ["validator", "challenge", "1", "--account", "validator"]);
    assert.notEqual(notDrawn.code, 0);
    assert.match(notDrawn.stderr, /is not the validator assigned to check offer 1/);

    const notProvider = await plasma(home, ["validator", "dispute", "1", "--account", "client"]);
    assert.notEqual(notProvider.code, 0);
    assert.match(notProvider.stderr, /no failed report open to dispute/);
  });
});
