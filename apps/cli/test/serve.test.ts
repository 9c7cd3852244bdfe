import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Dev, plasma, plasmaJson, startDev, tempHome } from "./harness.ts";

const PRICE = 10n ** 15n; // the devnet provider's 0.001 XPL per request

describe("plasma serve and plasma call: a model endpoint paid per request", () => {
  let dev: Dev;
  let home: string;
  let leaseId: string;
  before(async () => {
    home = tempHome();
    dev = await startDev(home, "0", ["--provider-port", "0", "--no-validator"]);
  });
  after(async () => {
    if (dev.process.exitCode === null) await dev.stop();
  });

  it("deploys the example model and answers paid calls, keeping what was signed", async () => {
    const served = await plasmaJson<{ leaseId: string; url: string; pricePerRequest: string; channelId: string }>(
      home,
      ["serve", "--example", "--for", "10m"],
    );
    leaseId = served.leaseId;
    assert.equal(BigInt(served.pricePerRequest), PRICE);
    assert.match(served.url, new RegExp(`/v1/leases/${leaseId}/serve$`));
    for (let i = 1n; i <= 3n; i++) {
      const call = await plasma(home, [
        "call",
        leaseId,
        "/v1/completions",
        "--data",
        '{"prompt":"open gpu market","max_tokens":8,"seed":3}',
      ]);
      assert.equal(call.code, 0, call.stderr);
      const answer = JSON.parse(call.stdout) as { choices: { text: string }[]; usage: { completion_tokens: number } };
      assert.equal(answer.usage.completion_tokens, 8);
      assert.equal(answer.choices[0]?.text.length, 8);
      assert.match(
        call.stderr,
        new RegExp(`charged 0.001 XPL on channel ${served.channelId}, 0.00${i} XPL owed in all`),
      );
    }
    const signed = JSON.parse(readFileSync(join(home, "vouchers.json"), "utf8")) as Record<string, string>;
    assert.deepEqual(Object.values(signed), [(3n * PRICE).toString()], "the most signed on the channel, kept");
    const models = await plasma(home, ["call", leaseId]);
    assert.equal(models.code, 0, models.stderr);
    assert.match(models.stdout, /"id":"plasma-trigram"/);
  });

  it("passes the model's own refusals through, and explains bad input without a stack trace", async () => {
    const tooLong = await plasma(home, [
      "call",
      leaseId,
      "/v1/completions",
      "--data",
      '{"prompt":"a","max_tokens":5000}',
    ]);
    assert.equal(tooLong.code, 1);
    assert.match(tooLong.stdout, /"type":"invalid_request_error"/);
    const notOnnx = join(home, "model.txt");
    writeFileSync(notOnnx, "not a model");
    for (const [args, pattern] of [
      [["serve", join(home, "missing.onnx")], /does not exist/],
      [["serve", notOnnx], /is not an \.onnx file/],
      [["serve"], /Which model\?/],
      [["call", leaseId, "--data", "nope"], /--data is not JSON/],
      [["call", "999", "--data", "{}"], /999/],
    ] as const) {
      const run = await plasma(home, [...args]);
      assert.notEqual(run.code, 0, args.join(" "));
      assert.match(run.stderr, pattern, args.join(" "));
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    }
  });

  it("refuses calls once the service has ended", async () => {
    const stopped = await plasma(home, ["stop", leaseId]);
    assert.equal(stopped.code, 0, stopped.stderr);
    const late = await plasma(home, ["call", leaseId]);
    assert.equal(late.code, 1);
    assert.match(late.stderr, /has ended/);
  });
});
