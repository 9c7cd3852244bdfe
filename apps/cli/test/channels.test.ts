import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Dev, plasma, plasmaJson, startDev, tempHome } from "./harness.ts";

const XPL = 10n ** 18n;

describe("plasma channel: open, top up, close, withdraw", () => {
  let dev: Dev;
  let home: string;
  before(async () => {
    home = tempHome();
    dev = await startDev(home);
  });
  after(async () => {
    if (dev.process.exitCode === null) await dev.stop();
  });

  it("deposits, tops up, and returns the unspent XPL after the challenge period", async () => {
    const opened = await plasmaJson<{ channelId: string; deposit: string }>(home, [
      "channel",
      "open",
      "provider1",
      "10",
    ]);
    assert.equal(BigInt(opened.deposit), 10n * XPL);
    const id = opened.channelId;
    const topped = await plasmaJson<{ deposit: string; remaining: string }>(home, ["channel", "topup", id, "2.5"]);
    assert.equal(BigInt(topped.deposit), (125n * XPL) / 10n);
    const { channels } = await plasmaJson<{ channels: { id: string; provider: string }[] }>(home, ["channel", "show"]);
    assert.ok(channels.some((c) => c.id === id));

    await plasmaJson(home, ["channel", "close", id]);
    const early = await plasma(home, ["channel", "withdraw", id]);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /can be withdrawn from .*: until then its provider may redeem its last voucher/);
    const topUpWhileClosing = await plasma(home, ["channel", "topup", id, "1"]);
    assert.equal(topUpWhileClosing.code, 1);
    assert.match(topUpWhileClosing.stderr, /is closing .* it takes no top-ups/);

    await plasmaJson(home, ["warp", "1h"]);
    const done = await plasmaJson<{ refund: string }>(home, ["channel", "withdraw", id]);
    assert.equal(BigInt(done.refund), (125n * XPL) / 10n, "nothing was redeemed: all of it back");
    const shown = await plasmaJson<{ closed: boolean }>(home, ["channel", "show", id]);
    assert.equal(shown.closed, true);
  });

  it("explains bad input without a stack trace", async () => {
    for (const [args, pattern] of [
      [["channel", "open", "provider1", "0"], /more than 0 XPL/],
      [["channel", "show", "99"], /Payment channel 99 does not exist/],
      [["channel", "open", "nobody", "1"], /nobody/],
    ] as const) {
      const run = await plasma(home, [...args]);
      assert.notEqual(run.code, 0, args.join(" "));
      assert.match(run.stderr, pattern, args.join(" "));
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    }
  });
});
