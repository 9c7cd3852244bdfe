import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPlasmaClient, getLease, readDeployment, startLease } from "@plasma/sdk";
import { type Dev, plasma, plasmaJson, startDev, tempHome } from "./harness.ts";

const XPL = 10n ** 18n;
const BPS = 10_000n;

describe("XPL utility through the CLI: delegation, rewards, builder earnings", () => {
  let dev: Dev;
  let home: string;
  let deployment: ReturnType<typeof readDeployment>;
  const addressOf = (name: string) => deployment.devAccounts?.[name]?.address as `0x${string}`;
  const as = (name: string) => ["--account", name];

  before(async () => {
    home = tempHome();
    dev = await startDev(home);
    deployment = readDeployment(`${home}/deployment.json`);
    await plasmaJson(home, ["provider", "register", "--endpoint", "http://127.0.0.1:8799"]);
    await plasmaJson(home, ["provider", "stake", "5000"]);
    await plasmaJson(home, [
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
  });
  after(async () => {
    if (dev.process.exitCode === null) await dev.stop();
  });

  it("delegates, rewards the work of an epoch to the wei, and pays builders", async () => {
    // A commission raise waits for the unbonding period, so delegators can leave first.
    const raise = await plasmaJson<{ scheduled: boolean }>(home, ["provider", "commission", "10"]);
    assert.equal(raise.scheduled, true);
    await plasmaJson(home, ["warp", "7d"]);
    const pool = await plasmaJson<{ commissionBps: number }>(home, ["stake", "show", "provider1"]);
    assert.equal(pool.commissionBps, 1000);

    const delegated = await plasmaJson<{ stake: string; backing: string }>(home, [
      "stake",
      "delegate",
      "provider1",
      "5000",
    ]);
    assert.equal(BigInt(delegated.stake), 5000n * XPL);
    assert.equal(BigInt(delegated.backing), 10_000n * XPL, "own 5000 + delegated 5000");
    // A delegation shares rewards from the next epoch on (never an epoch it was not there for): the work comes then.
    await plasmaJson(home, ["warp", "1h"]);

    // Work: a client's lease, naming the builder, runs ~1000 s.
    const opened = await plasmaJson<{ leaseId: string }>(home, [
      "lease",
      "open",
      "--offer",
      "1",
      "--gpus",
      "2",
      "--duration",
      "1h",
      "--builder",
      "builder",
    ]);
    const provider = createPlasmaClient({
      deployment,
      account: deployment.devAccounts?.provider1?.privateKey as `0x${string}`,
    });
    await startLease(provider, { leaseId: BigInt(opened.leaseId) });
    await plasmaJson(home, ["warp", "1000s"]);
    await plasmaJson(home, ["lease", "stop", opened.leaseId]);
    const lease = await getLease(provider, BigInt(opened.leaseId));
    await provider.close();
    const fee = (lease.paid * 500n) / BPS;
    const builderFee = (fee * 2000n) / BPS;
    const treasuryFee = fee - builderFee;

    const open = await plasmaJson<{ pending: { ended: boolean; gpuSeconds: string }[] }>(home, [
      "rewards",
      "show",
      "provider1",
    ]);
    assert.equal(open.pending.length, 1);
    assert.equal(open.pending[0]?.ended, false);
    assert.equal(BigInt(open.pending[0]?.gpuSeconds ?? 0), lease.paid / lease.pricePerGpuSecond);
    const early = await plasma(home, ["rewards", "claim", ...as("provider1")]);
    assert.equal(early.code, 1, early.stderr);
    assert.match(early.stderr, /no provider rewards to claim yet/);
    assert.match(early.stderr, /once the epoch ends at/);

    await plasmaJson(home, ["warp", "1h"]);
    // The 50,000 XPL emission is far above the cap: 50 % of the protocol fee the work paid.
    const reward = (treasuryFee * 5000n) / BPS;
    const afterCommission = reward - (reward * 1000n) / BPS;
    const toDelegators = (afterCommission * 5000n) / 10_000n;
    const shown = await plasmaJson<{ claimable: string }>(home, ["rewards", "show", "provider1"]);
    assert.equal(BigInt(shown.claimable), reward);
    const claimed = await plasmaJson<{ claimed: string }>(home, ["rewards", "claim", ...as("provider1")]);
    assert.equal(BigInt(claimed.claimed), reward - toDelegators, "commission + own stake's half");

    const mine = await plasmaJson<{ delegations: { provider: string; stake: string; rewards: string }[] }>(home, [
      "stake",
      "show",
    ]);
    assert.equal(mine.delegations.length, 1);
    assert.equal(mine.delegations[0]?.provider.toLowerCase(), addressOf("provider1").toLowerCase());
    assert.equal(BigInt(mine.delegations[0]?.rewards ?? 0), toDelegators);
    const delegatorClaim = await plasmaJson<{ claimed: string }>(home, ["stake", "claim", "provider1"]);
    assert.equal(BigInt(delegatorClaim.claimed), toDelegators);
    const again = await plasma(home, ["stake", "claim", "provider1"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no delegation rewards to claim/);

    const earnings = await plasmaJson<{ leases: number; earned: string; claimable: string }>(home, [
      "builder",
      "earnings",
    ]);
    assert.equal(earnings.leases, 1);
    assert.equal(BigInt(earnings.earned), builderFee);
    assert.equal(BigInt(earnings.claimable), builderFee);
    const builderClaim = await plasmaJson<{ claimed: string }>(home, ["builder", "claim"]);
    assert.equal(BigInt(builderClaim.claimed), builderFee);
    const empty = await plasma(home, ["builder", "claim"]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /no builder fees to claim/);
    const after = await plasmaJson<{ claimed: string; claimable: string }>(home, ["builder", "earnings"]);
    assert.equal(BigInt(after.claimed), builderFee);
    assert.equal(BigInt(after.claimable), 0n);
  });

  it("undelegates through the unbonding period", async () => {
    const out = await plasmaJson<{ undelegated: string; releaseAt: number }>(home, [
      "stake",
      "undelegate",
      "provider1",
      "2000",
    ]);
    assert.equal(BigInt(out.undelegated), 2000n * XPL);
    const early = await plasma(home, ["stake", "withdraw", "provider1"]);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /unbonds at/);
    await plasmaJson(home, ["warp", "7d"]);
    const withdrawn = await plasmaJson<{ withdrawn: string }>(home, ["stake", "withdraw", "provider1"]);
    assert.equal(BigInt(withdrawn.withdrawn), 2000n * XPL);
    const tooMuch = await plasma(home, ["stake", "undelegate", "provider1", "3001"]);
    assert.equal(tooMuch.code, 2, "a usage error");
    assert.match(tooMuch.stderr, /between 0 and 3000/);
  });

  it("explains bad input: unknown providers and accounts, bad amounts and commissions", async () => {
    const notProvider = await plasma(home, ["stake", "delegate", "validator", "10"]);
    assert.equal(notProvider.code, 2, "a usage error");
    assert.match(notProvider.stderr, /not a registered provider/);
    const badName = await plasma(home, ["stake", "delegate", "nobody", "10"]);
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /not an address nor a dev account/);
    const badAmount = await plasma(home, ["stake", "delegate", "provider1", "-5"]);
    assert.equal(badAmount.code, 2);
    assert.match(badAmount.stderr, /not an XPL amount/);
    const badCommission = await plasma(home, ["provider", "commission", "150"]);
    assert.equal(badCommission.code, 2);
    assert.match(badCommission.stderr, /not a commission/);
    const nothing = await plasma(home, ["stake", "withdraw", "provider1", ...as("validator")]);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /nothing unbonding/);
  });
});
