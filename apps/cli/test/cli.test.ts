import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPlasmaClient, readDeployment, startAnvil, startLease } from "@plasma/sdk";
import { generatePrivateKey } from "viem/accounts";
import { type Dev, deploymentExists, plasma, plasmaJson, startDev, tempHome, warp } from "./harness.ts";

type Offer = { id: string; gpuModel: string; pricePerGpuSecond: string; active: boolean; freeGpus: number };

describe("plasma CLI against a running devnet", () => {
  let dev: Dev;
  let home: string;
  before(async () => {
    home = tempHome();
    dev = await startDev(home);
  });
  after(async () => {
    if (dev.process.exitCode === null) await dev.stop();
  });

  it("prints what to do next when the devnet is ready", () => {
    const text = dev.stdout.join("\n");
    assert.match(text, /computeMarket\s+│ 0x[0-9a-f]{40}/);
    assert.match(text, /provider1\s+│ 0x[0-9a-fA-F]{40}/);
    assert.match(text, /npx plasma market offers/);
  });

  it("shows every dev account funded with XPL", async () => {
    const { balances } = await plasmaJson<{ balances: { name: string; xpl: string }[] }>(home, ["balance"]);
    const byName = Object.fromEntries(balances.map((b) => [b.name, BigInt(b.xpl)]));
    for (const name of ["client", "provider1", "provider2", "builder"]) {
      assert.equal(byName[name], 10n ** 24n, `${name} holds 1,000,000 XPL`);
    }
    // The devnet's validator node staked the minimum out of its 1,000,000.
    const validator = await plasmaJson<{ stake: string; active: boolean }>(home, ["validator", "show", "validator"]);
    assert.equal(validator.active, true);
    assert.equal((byName.validator ?? 0n) + BigInt(validator.stake), 10n ** 24n, "validator: balance + stake");
  });

  it("registers a provider, stakes, publishes and updates offers", async () => {
    await plasmaJson(home, [
      "provider",
      "register",
      "--endpoint",
      "http://127.0.0.1:8700",
      "--attributes",
      '{"country":"DE"}',
    ]);
    const staked = await plasmaJson<{ stake: string }>(home, ["provider", "stake", "5000"]);
    assert.equal(staked.stake, (5000n * 10n ** 18n).toString());
    const created = await plasmaJson<{ offerId: string }>(home, [
      "provider",
      "offer",
      "set",
      "--gpu-model",
      "H100",
      "--vram",
      "80",
      "--gpus",
      "8",
      "--price",
      "3.6",
      "--region",
      "eu",
    ]);
    assert.equal(created.offerId, "1");
    await plasmaJson(home, ["provider", "register", "--endpoint", "http://127.0.0.1:8701"], {
      PLASMA_PRIVATE_KEY: keyOf("provider2"),
    });
    await plasmaJson(home, ["provider", "stake", "1000", "--account", "provider2"]);
    await plasmaJson(home, [
      "provider",
      "offer",
      "set",
      "--account",
      "provider2",
      "--gpu-model",
      "A100",
      "--vram",
      "40",
      "--gpus",
      "2",
      "--price",
      "1.8",
    ]);

    const { offers } = await plasmaJson<{ offers: Offer[] }>(home, ["market", "offers"]);
    assert.deepEqual(
      offers.map((o) => [o.id, o.gpuModel]),
      [
        ["2", "A100"],
        ["1", "H100"],
      ],
    );
    assert.equal(offers[1]?.pricePerGpuSecond, "1000000000000000", "3.6 XPL/GPU-h = 0.001 XPL/GPU-s");
    const h100 = await plasmaJson<{ offers: Offer[] }>(home, [
      "market",
      "offers",
      "--gpu-model",
      "h100",
      "--min-vram",
      "80",
    ]);
    assert.deepEqual(
      h100.offers.map((o) => o.id),
      ["1"],
    );
    const cheap = await plasmaJson<{ offers: Offer[] }>(home, ["market", "offers", "--max-price", "2"]);
    assert.deepEqual(
      cheap.offers.map((o) => o.id),
      ["2"],
    );

    await plasmaJson(home, ["provider", "offer", "set", "--account", "provider2", "--id", "2", "--inactive"]);
    const afterUpdate = await plasmaJson<{ offers: Offer[] }>(home, ["market", "offers"]);
    assert.deepEqual(
      afterUpdate.offers.map((o) => o.id),
      ["1"],
    );
    const mine = await plasmaJson<{ offers: Offer[] }>(home, ["provider", "offer", "list", "--account", "provider2"]);
    assert.deepEqual(
      mine.offers.map((o) => [o.id, o.active]),
      [["2", false]],
    );

    const table = await plasma(home, ["market", "offers"]);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /H100 .* 80 GB .* 8\/8 .* 3\.6 XPL\/GPU-h/);
  });

  it("opens, inspects, stops and cancels leases with refunds and penalties", async () => {
    const opened = await plasmaJson<{ leaseId: string; escrow: string }>(home, [
      "lease",
      "open",
      "--offer",
      "1",
      "--gpus",
      "2",
      "--duration",
      "1h",
    ]);
    assert.equal(opened.escrow, (10n ** 15n * 2n * 3600n).toString());
    const status = await plasmaJson<{ status: string; gpus: number }>(home, ["lease", "status", opened.leaseId]);
    assert.equal(status.status, "open");
    assert.equal(status.gpus, 2);

    const early = await plasma(home, ["lease", "cancel", opened.leaseId]);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /cannot be cancelled before then/);

    await warp(home, 601);
    const cancelled = await plasmaJson<{ reason: string; refund: string; penalty: string }>(home, [
      "lease",
      "cancel",
      opened.leaseId,
    ]);
    assert.equal(cancelled.reason, "no-show");
    assert.equal(cancelled.refund, opened.escrow);
    assert.equal(cancelled.penalty, (BigInt(opened.escrow) / 10n).toString());

    const second = await plasmaJson<{ leaseId: string; escrow: string }>(home, [
      "lease",
      "open",
      "--offer",
      "1",
      "--duration",
      "10m",
    ]);
    const provider = createPlasmaClient({
      deployment: readDeployment(join(home, "deployment.json")),
      account: keyOf("provider1") as `0x${string}`,
    });
    await startLease(provider, { leaseId: BigInt(second.leaseId) });
    await warp(home, 60);
    const settled = await plasmaJson<{ settled: string }>(home, ["lease", "settle", second.leaseId]);
    assert.ok(BigInt(settled.settled) >= 60n * 10n ** 15n);
    const stopped = await plasmaJson<{ reason: string; paid: string; refund: string }>(home, [
      "lease",
      "stop",
      second.leaseId,
    ]);
    assert.equal(stopped.reason, "stopped-by-client");
    assert.equal(BigInt(stopped.paid) + BigInt(stopped.refund), BigInt(second.escrow));
    const text = await plasma(home, ["lease", "status", second.leaseId]);
    assert.match(text.stdout, /status\s+ended \(stopped-by-client: the client stopped the lease\)/);
  });

  it("delegates XPL voting power to oneself or another account", async () => {
    const { balances } = await plasmaJson<{ balances: { xpl: string }[] }>(home, ["balance", "--account", "validator"]);
    const own = await plasmaJson<{ votes: string }>(home, ["delegate", "--account", "validator"]);
    assert.equal(own.votes, balances[0]?.xpl, "every XPL held counts once delegated");
    const builder = await plasmaJson<{ balances: { address: string; xpl: string }[] }>(home, [
      "balance",
      "--account",
      "builder",
    ]);
    const to = builder.balances[0]?.address ?? "";
    const moved = await plasmaJson<{ delegate: string; votes: string }>(home, [
      "delegate",
      to,
      "--account",
      "validator",
    ]);
    assert.equal(moved.delegate.toLowerCase(), to.toLowerCase());
    assert.equal(moved.votes, own.votes, "the builder holds no votes of its own until it delegates to itself");
    const bad = await plasma(home, ["delegate", "nobody", "--account", "validator"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"nobody" is not an address/);
  });

  it("explains errors, with exit codes scripts can trust", async () => {
    const cases: [string[], number, RegExp][] = [
      [["lease", "open", "--offer", "99", "--duration", "1h"], 1, /Offer 99 does not exist/],
      [["lease", "open", "--offer", "1", "--duration", "1h", "--max-price", "1"], 1, /above your maximum/],
      [["lease", "open", "--offer", "1", "--duration", "1x"], 2, /duration "1x" is not valid/],
      [["lease", "open", "--offer", "1", "--duration", "1h", "--account", "mallory"], 2, /Unknown account "mallory"/],
      [["lease", "status", "42"], 1, /Lease 42 does not exist/],
      [["lease", "stop", "1"], 1, /Lease 1 is ended, not running/],
      [["provider", "withdraw"], 1, /nothing unbonded to withdraw/],
      [["provider", "unstake", "4500"], 1, /minimum is 1000 XPL/],
      [["provider", "offer", "set", "--gpus", "2"], 2, /A new offer needs --gpu-model, --vram, --price/],
      [["provider", "stake", "lots"], 2, /"lots" is not an XPL amount/],
      [["lease", "fly"], 2, /unknown command 'fly'/],
    ];
    for (const [args, code, message] of cases) {
      const run = await plasma(home, args);
      assert.equal(run.code, code, `plasma ${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message, `plasma ${args.join(" ")}`);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    }
    const poor = await plasma(home, ["lease", "open", "--offer", "1", "--duration", "1h"], {
      PLASMA_PRIVATE_KEY: generatePrivateKey(),
    });
    assert.equal(poor.code, 1);
    assert.match(poor.stderr, /holds 0 XPL, but this needs 3\.6 XPL/);
    const json = await plasma(home, ["lease", "status", "42", "--json"]);
    assert.equal(JSON.parse(json.stderr).error.name, "ContractRevertError");
  });

  it("unbonds stake over the unbonding period", async () => {
    await plasmaJson(home, ["provider", "unstake", "1000"]);
    const early = await plasma(home, ["provider", "withdraw"]);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /unbonds at .*; withdraw after that/);
    await warp(home, 7 * 24 * 3600);
    const withdrawn = await plasmaJson<{ withdrawn: string }>(home, ["provider", "withdraw"]);
    assert.equal(withdrawn.withdrawn, (1000n * 10n ** 18n).toString());
  });

  function keyOf(name: string): string {
    const key = readDeployment(join(home, "deployment.json")).devAccounts?.[name]?.privateKey;
    assert.ok(key);
    return key;
  }
});

describe("plasma dev lifecycle", () => {
  it("stops cleanly on Ctrl-C, removes its deployment, and starts again", async (t) => {
    const home = tempHome();
    const first = await startDev(home);
    t.after(() => first.process.kill("SIGKILL"));
    assert.ok(deploymentExists(home));
    // The banner leads with the web app and the API, and both answer.
    const web = first.stdout.join("\n").match(/web app +(http:\/\/127\.0\.0\.1:\d+)\//)?.[1];
    assert.ok(web, `no web app URL in:\n${first.stdout.join("\n")}`);
    const page = await fetch(`${web}/market-does-not-matter`);
    assert.match(await page.text(), /<div id="root">/, "client-side routes get the app");
    const network = (await (await fetch(`${web}/api/v1/network`)).json()) as { chainId: number };
    assert.equal(network.chainId, 31337);
    assert.equal(await first.stop(), 0);
    assert.ok(!deploymentExists(home), "a stopped devnet leaves no stale deployment");
    const missing = await plasma(home, ["market", "offers"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No Plasma deployment found .*\n.*npm start/);

    const second = await startDev(home);
    t.after(() => second.process.kill("SIGKILL"));
    const { offers } = await plasmaJson<{ offers: unknown[] }>(home, ["market", "offers"]);
    assert.deepEqual(offers, []);
    // A deployment file that outlived its devnet: commands say the chain is unreachable (retryable, exit 3).
    const stale = readFileSync(join(home, "deployment.json"), "utf8");
    assert.equal(await second.stop(), 0);
    writeFileSync(join(home, "deployment.json"), stale);
    const unreachable = await plasma(home, ["market", "offers"]);
    assert.equal(unreachable.code, 3);
    assert.match(unreachable.stderr, /Cannot reach the chain/);
  });

  it("says so when the port is taken", async () => {
    const anvil = await startAnvil();
    try {
      const home = tempHome();
      const run = await plasma(home, ["dev", "--port", String(anvil.port)]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /port \d+ is already in use/);
      assert.match(run.stderr, /Is another `plasma dev` running\?/);
    } finally {
      await anvil.stop();
    }
  });
});

describe("plasma deploy", () => {
  it("deploys to any RPC with a given key and writes a deployment other commands use", async () => {
    const anvil = await startAnvil();
    try {
      const home = tempHome();
      const out = join(home, "remote.json");
      const key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
      const missingKey = await plasma(home, ["deploy", "--rpc", anvil.rpcUrl]);
      assert.equal(missingKey.code, 2);
      assert.match(missingKey.stderr, /needs the deployer's private key/);
      const deployed = await plasmaJson<{ chainId: number; contracts: Record<string, string> }>(
        home,
        ["deploy", "--rpc", anvil.rpcUrl, "--out", out],
        { PLASMA_PRIVATE_KEY: key },
      );
      assert.equal(deployed.chainId, 31337);
      assert.equal(readDeployment(out).contracts.computeMarket, deployed.contracts.computeMarket);
      const offers = await plasma(home, ["market", "offers", "--deployment", out]);
      assert.equal(offers.code, 0);
      assert.match(offers.stdout, /No offers match/);
      const balance = await plasmaJson<{ balances: { xpl: string }[] }>(home, ["balance", "--deployment", out], {
        PLASMA_PRIVATE_KEY: key,
      });
      assert.equal(balance.balances[0]?.xpl, (10n ** 27n).toString(), "the deployer holds the whole genesis supply");
    } finally {
      await anvil.stop();
    }
  });
});
