import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEV_GOVERNANCE, readDeployment } from "@plasma/sdk";
import { type Dev, plasma, plasmaJson, startDev, tempHome } from "./harness.ts";

type Proposal = { number: number; state: string; eta: number; actions: { kind: string }[] };
type Balances = { balances: { xpl: string }[] };

const XPL = 10n ** 18n;

describe("plasma gov: proposals through their whole life, from the CLI", () => {
  let dev: Dev;
  let home: string;
  const warp = (seconds: number) => plasmaJson(home, ["warp", `${seconds}s`]);
  const balanceOf = async (name: string) => {
    const address = readDeployment(`${home}/deployment.json`).devAccounts?.[name]?.address as string;
    const { balances } = await plasmaJson<Balances>(home, ["balance", address]);
    return BigInt(balances[0]?.xpl ?? 0);
  };

  before(async () => {
    home = tempHome();
    dev = await startDev(home);
    await plasmaJson(home, ["delegate", "--account", "deployer"]);
    await plasmaJson(home, ["delegate", "--account", "client"]);
    await warp(1);
  });
  after(async () => {
    if (dev.process.exitCode === null) await dev.stop();
  });

  it("changes a market parameter and pays a builder grant: propose, vote, queue, execute", async () => {
    const before = await balanceOf("builder");
    const created = await plasmaJson<Proposal>(home, [
      "gov",
      "propose",
      "--set",
      "protocolFeeBps=300",
      "--grant",
      "builder=2500",
      "-m",
      "Lower the fee to 3 % and fund the builder's SDK",
    ]);
    assert.equal(created.number, 1);
    assert.deepEqual(
      created.actions.map((a) => a.kind),
      ["set-parameter", "grant"],
    );
    const early = await plasma(home, ["gov", "vote", "1", "for"]);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /Voting on proposal 1 opens at/);

    await warp(DEV_GOVERNANCE.votingDelay + 1);
    await plasmaJson(home, ["gov", "vote", "1", "for", "--reason", "cheaper compute"]);
    const notYet = await plasma(home, ["gov", "queue", "1"]);
    assert.equal(notYet.code, 1);
    assert.match(notYet.stderr, /Proposal 1 is Active; only a proposal that passed can be queued/);
    await warp(DEV_GOVERNANCE.votingPeriod + 1);
    const queued = await plasmaJson<Proposal>(home, ["gov", "queue", "1"]);
    assert.equal(queued.state, "Queued");
    const tooSoon = await plasma(home, ["gov", "execute", "1"]);
    assert.equal(tooSoon.code, 1);
    assert.match(tooSoon.stderr, /waits in the timelock until/);
    await warp(DEV_GOVERNANCE.timelockDelay + 1);
    const executed = await plasmaJson<Proposal>(home, ["gov", "execute", "1"]);
    assert.equal(executed.state, "Executed");

    const shown = await plasma(home, ["gov", "show", "1"]);
    assert.match(shown.stdout, /set protocolFeeBps to 300 bps \(3 %\)/);
    assert.match(shown.stdout, /grant 2500 XPL from the treasury to 0x/);
    assert.equal((await balanceOf("builder")) - before, 2500n * XPL, "the grant arrived, to the wei");
    const earnings = await plasmaJson<{ grants: string }>(home, ["builder", "earnings"]);
    assert.equal(BigInt(earnings.grants), 2500n * XPL);
  });

  it("defeats a proposal voted down, and refuses to queue it or vote after the close", async () => {
    await plasmaJson(home, ["gov", "propose", "--set", "unbondingPeriod=14d", "-m", "Longer unbonding"]);
    await warp(DEV_GOVERNANCE.votingDelay + 1);
    await plasmaJson(home, ["gov", "vote", "2", "against"]);
    await warp(DEV_GOVERNANCE.votingPeriod + 1);
    const { proposals } = await plasmaJson<{ proposals: Proposal[] }>(home, ["gov", "list"]);
    assert.deepEqual(
      proposals.map((p) => p.state),
      ["Executed", "Defeated"],
    );
    const late = await plasma(home, ["gov", "vote", "2", "for", "--account", "client"]);
    assert.equal(late.code, 1);
    assert.match(late.stderr, /Voting on proposal 2 is closed: it is Defeated/);
    const queue = await plasma(home, ["gov", "queue", "2"]);
    assert.equal(queue.code, 1);
    assert.match(queue.stderr, /Proposal 2 is Defeated/);
  });

  it("explains bad proposals and unknown ones before sending anything", async () => {
    const cases: [string[], number, RegExp][] = [
      [["gov", "show", "9"], 2, /There is no proposal 9 \(there are 2\)/],
      [["gov", "vote", "9", "for"], 2, /There is no proposal 9/],
      [["gov", "show", "first"], 2, /not a proposal number or id/],
      [["gov", "vote", "1", "maybe"], 2, /"maybe" is not a vote/],
      [
        ["gov", "propose", "--set", "protocolFeeBps=5000", "-m", "x"],
        2,
        /protocolFeeBps must lie between 0 bps \(0 %\) and 2000 bps \(20 %\)/,
      ],
      [["gov", "propose", "--set", "feeBps=1", "-m", "x"], 2, /There is no parameter named "feeBps"/],
      [["gov", "propose", "--set", "protocolFeeBps", "-m", "x"], 2, /is not NAME=VALUE/],
      [["gov", "propose", "-m", "nothing"], 2, /needs at least one action/],
      [["gov", "propose", "--grant", "builder=300000000", "-m", "x"], 2, /the treasury holds/],
      [
        ["gov", "propose", "--set", "protocolFeeBps=100", "-m", "x", "--account", "validator"],
        2,
        /Proposing needs 100000 XPL of votes/,
      ],
    ];
    for (const [args, code, pattern] of cases) {
      const run = await plasma(home, args);
      assert.equal(run.code, code, `plasma ${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, pattern, `plasma ${args.join(" ")}`);
    }
    const { proposals } = await plasmaJson<{ proposals: Proposal[] }>(home, ["gov", "list"]);
    assert.equal(proposals.length, 2, "no bad proposal reached the chain");
  });
});
