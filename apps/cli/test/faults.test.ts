import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  createPlasmaClient,
  getLease,
  getXplBalance,
  type PlasmaClient,
  readDeployment,
  watchMarketEvents,
} from "@plasma/sdk";
import { type Dev, plasma, plasmaJson, startDev, startProvider, startRun, tempHome } from "./harness.ts";

/** Resolves with the lease once it has ended on chain: subscribes first, then checks, so no event is missed. */
async function leaseEnded(client: PlasmaClient, leaseId: bigint) {
  const ended = new Promise<void>((resolve) => {
    const stop = watchMarketEvents(client, {
      leaseId,
      onEvent: (e) => {
        if (e.eventName === "LeaseEnded") {
          stop();
          resolve();
        }
      },
    });
    getLease(client, leaseId).then((lease) => {
      if (lease.status === "ended") {
        stop();
        resolve();
      }
    });
  });
  await ended;
  return getLease(client, leaseId);
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())));

describe("faults: provider killed mid-job, client gone mid-job", () => {
  let dev: Dev;
  let home: string;
  let client: PlasmaClient;
  const processes: ChildProcess[] = [];
  before(async () => {
    home = tempHome();
    dev = await startDev(home); // no built-in provider: this test runs its own
    const deployment = readDeployment(join(home, "deployment.json"));
    client = createPlasmaClient({
      deployment,
      account: deployment.devAccounts?.client?.privateKey as `0x${string}`,
    });
  });
  after(async () => {
    for (const p of processes) p.kill("SIGKILL");
    await client?.close();
    if (dev.process.exitCode === null) await dev.stop();
  });

  const clientAddress = () => client.account?.address ?? assert.fail("the client SDK has an account");

  const runInBackground = async (args: string[]) => {
    const run = await startRun(home, client, ["--out", join(home, "results"), ...args]);
    processes.push(run.child);
    return run;
  };

  it("a provider killed mid-job fails the lease cleanly after its restart, refunding every unsettled second", async () => {
    const dataDir = join(home, "provider1");
    const first = await startProvider(home, ["--data-dir", dataDir]);
    processes.push(first.process);
    const before = await getXplBalance(client, clientAddress());
    const { child, leaseId, output } = await runInBackground(["--", "sleep", "60"]);
    first.process.kill("SIGKILL");
    await exited(first.process);
    await exited(child);
    assert.equal(child.exitCode, 3, `the client is told the provider is unreachable: ${output().stderr}`);
    // Which one depends on whether the log stream was open at the kill or being reopened.
    assert.match(output().stderr, /connection to the provider .* broke while the job ran|Cannot reach the provider/);
    // Either way it names the lease and the command that ends it now, with no placeholder for the number.
    assert.match(
      output().stderr,
      new RegExp(`Lease ${leaseId} is running on chain.*plasma lease stop ${leaseId}`, "s"),
    );
    assert.doesNotMatch(output().stderr, /\bLEASE\b/);

    const second = await startProvider(home, ["--data-dir", dataDir]);
    processes.push(second.process);
    const lease = await leaseEnded(client, leaseId); // recovery runs at start-up
    assert.equal(lease.endReason, "provider-failed");
    assert.equal(lease.paid, 0n, "nothing was settled, so nothing is paid");
    assert.equal(await getXplBalance(client, clientAddress()), before, "the whole escrow came back");
    const results = await plasma(home, ["results", leaseId.toString()]);
    assert.equal(results.code, 1);
    assert.match(results.stderr, /no result on chain \(ended, provider-failed\)/);
    second.process.kill("SIGINT");
    await exited(second.process);
    assert.equal(second.process.exitCode, 0, "stops cleanly on Ctrl-C");
  });

  it("a client that disappears mid-job still gets a completed, correctly paid lease and its results later", async () => {
    const provider = await startProvider(home, ["--data-dir", join(home, "provider1")]);
    processes.push(provider.process);
    const { child, leaseId } = await runInBackground([
      "--",
      "sh",
      "-c",
      "sleep 2; mkdir -p out; echo done > out/result.txt",
    ]);
    child.kill("SIGKILL");
    const lease = await leaseEnded(client, leaseId);
    assert.equal(lease.endReason, "completed");
    assert.equal(lease.paid, lease.pricePerGpuSecond * BigInt(lease.endedAt - lease.startedAt));
    const results = await plasmaJson<{ outputs: { path: string }[] }>(home, [
      "results",
      leaseId.toString(),
      "--out",
      join(home, "later"),
    ]);
    assert.ok(results.outputs.some((o) => o.path === "out/result.txt"));
  });
});
