import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { verificationManagerAbi } from "@plasma/contracts";
import { type DockerEngine, type ManifestEntry, resultEntries } from "@plasma/runtime";
import {
  assignValidator,
  attestAudit,
  attestVerdict,
  commitValidatorResult,
  createPlasmaClient,
  currentValidator,
  type Deployment,
  drawVerification,
  getLease,
  getProtocolParameters,
  getValidator,
  getVerification,
  type JobSpec,
  type PlasmaClient,
  resultCommitment,
  revealValidatorResult,
  slotToCommit,
  stakeValidator,
  timeoutVerification,
  type Verification,
  validatorRound,
} from "@plasma/sdk";
import { compareOutputs, NoProviderEndpointError } from "@plasma/verify";
import type { Logger } from "pino";
import { type Hex, keccak256, stringToHex } from "viem";
import { createHardwareDuty, type HardwareDutyOptions } from "./hardwareDuty.ts";
import { createValidatorMetrics, type ValidatorMetrics } from "./metrics.ts";
import { fetchProviderOutputs, ReexecutionError, reexecuteLease } from "./reexecute.ts";
import { openValidatorDb } from "./state.ts";

/**
 * What a validator commits to when the provider would not serve the job: every validator that tries gets
 * the same value, so two of them agree against an obstructing provider.
 */
export const UNAVAILABLE_RESULT: Hex = keccak256(stringToHex("plasma: the provider did not serve the job"));

const TERMINAL = new Set(["released", "verified", "failed", "refunded"]);
/** How often a dispute that found no validator to draw retries its draw (each try is a transaction). */
const DISPUTE_RETRY_MS = 60_000;

export type ValidatorNodeOptions = {
  deployment: Deployment;
  privateKey: Hex;
  dataDir: string;
  logger: Logger;
  /** XPL wei to have staked at least (stakes the difference at start); default: the protocol minimum. */
  stake?: bigint | undefined;
  memoryBytes?: number | undefined;
  /** Work area of a re-run whose spec names no disk size; 10 GiB by default. */
  diskBytes?: number | undefined;
  gpus?: number[] | undefined;
  docker?: DockerEngine | undefined;
  /** On a local devnet blocks come only with transactions: mine one when a draw waits for the next block. */
  mineWhenIdle?: boolean | undefined;
  /** How often to look at open verifications besides the events that wake it (ms). */
  tickMs?: number | undefined;
  /** Serve Prometheus metrics on this port (0: any free port; undefined: none). */
  metricsPort?: number | undefined;
  /**
   * Proof-of-GPU checks: it always runs the checks drawn for it (a missed window costs stake) and draws and
   * ends windows for others; with `recheckAfterSeconds` it also requests checks of offers that are due.
   * `false`: none of this (tests that drive checks themselves).
   */
  hardwareChecks?: HardwareDutyOptions | false | undefined;
};

export type ValidatorNode = {
  address: Hex;
  client: PlasmaClient;
  metrics: ValidatorMetrics;
  metricsUrl: string | null;
  /** Looks at every open verification once and takes the steps that are due. */
  tick(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Starts a validator: stakes if needed, follows the verification manager's events, draws completed leases,
 * re-executes the ones assigned to it, commits, attests, reveals, and ends windows others missed; and runs
 * the proof-of-GPU checks drawn for it (see `createHardwareDuty`).
 * Everything it must remember (its results and salts) is in SQLite before it is sent, so a restart
 * finishes what it started.
 */
export async function startValidatorNode(o: ValidatorNodeOptions): Promise<ValidatorNode> {
  const client = createPlasmaClient({ deployment: o.deployment, account: o.privateKey });
  const me = client.account?.address as Hex;
  const db = openValidatorDb(join(o.dataDir, "validator.db"));
  const metrics = createValidatorMetrics();
  const log = o.logger;
  const open = new Set<string>();
  const busy = new Set<string>();
  const retried = new Map<string, number>();
  let stopped = false;

  await ensureStake(client, me, o.stake, log);

  const opened = await client.public.getContractEvents({
    address: client.addresses.verificationManager,
    abi: verificationManagerAbi,
    eventName: "VerificationOpened",
    fromBlock: BigInt(o.deployment.deployedAtBlock),
  });
  for (const e of opened) open.add(String(e.args.leaseId));

  let wake: (() => void) | null = null;
  const unwatch = client.events.watchContractEvent({
    address: client.addresses.verificationManager,
    abi: verificationManagerAbi,
    onLogs: (logs) => {
      for (const l of logs as unknown as { args: { leaseId?: bigint } }[]) {
        if (l.args.leaseId !== undefined) open.add(String(l.args.leaseId));
      }
      wake?.();
    },
    onError: (error) => log.warn({ err: error }, "verification event watcher error"),
  });

  const hardware =
    o.hardwareChecks === false
      ? null
      : await createHardwareDuty({
          client,
          me,
          fromBlock: BigInt(o.deployment.deployedAtBlock),
          log,
          metrics,
          options: o.hardwareChecks ?? {},
          mine: o.mineWhenIdle ? () => client.public.request({ method: "evm_mine" } as never) : undefined,
          wake: () => wake?.(),
        });

  async function tick(): Promise<void> {
    const block = await client.public.getBlock();
    await hardware?.tick(block.number, Number(block.timestamp));
    for (const id of [...open]) {
      if (stopped) return;
      let before: Verification | undefined;
      try {
        before = await getVerification(client, BigInt(id));
        await step(BigInt(id), before, block.number, Number(block.timestamp));
      } catch (error) {
        // Anyone may draw, assign or end a window: another validator often gets there first.
        const after = await getVerification(client, BigInt(id)).catch(() => undefined);
        if (before && after && (after.stage !== before.stage || after.round !== before.round)) {
          log.debug({ leaseId: id, stage: after.stage }, "another account took this step first");
          continue;
        }
        metrics.errors.inc({ step: "tick" });
        log.warn({ leaseId: id, err: error }, "verification step failed; will retry");
      }
    }
  }

  async function step(leaseId: bigint, v: Verification, head: bigint, now: number): Promise<void> {
    const id = leaseId.toString();
    if (TERMINAL.has(v.stage)) {
      open.delete(id);
      log.info({ leaseId: id, outcome: v.stage }, "verification ended");
      return;
    }
    const mine = currentValidator(v)?.toLowerCase() === me.toLowerCase();
    const late = v.deadline > 0 && now > v.deadline;
    switch (v.stage) {
      case "pending":
      case "needs-validator": {
        if (head <= v.drawBlock) {
          if (o.mineWhenIdle) await client.public.request({ method: "evm_mine" } as never);
          return;
        }
        // A dispute that found nobody to draw waits, payout locked: retry now and then, refund once it is late.
        const waiting = v.stage === "needs-validator" && v.round > 1 && v.deadline > 0;
        if (waiting && late) return endWindow(leaseId);
        if (waiting && Date.now() - (retried.get(id) ?? 0) < DISPUTE_RETRY_MS) return;
        if (waiting) retried.set(id, Date.now());
        if (v.stage === "pending") {
          await drawVerification(client, leaseId);
          const after = await getVerification(client, leaseId);
          metrics.draws.inc({ sampled: after.stage === "released" ? "no" : "yes" });
          log.info({ leaseId: id, stage: after.stage }, "drew a completed lease");
        } else {
          await assignValidator(client, leaseId);
        }
        return;
      }
      case "assigned": {
        // Mine to commit: the current validator's turn, or, in an exact-mode dispute, either committee member's.
        const slot = slotToCommit(v, me);
        const work = slot ? db.getWork(id, slot) : undefined;
        if (slot && !work) return startReexecution(leaseId, slot);
        if (work?.state === "computed" && !late && !busy.has(id)) return sendCommit(leaseId, slot);
        if (late) return endWindow(leaseId);
        return;
      }
      case "committed":
        if (late) return endWindow(leaseId);
        return;
      case "revealed":
        if (mine) return attest(leaseId, v);
        if (late) return endWindow(leaseId);
        return;
      case "final-reveal": {
        // An exact-mode dispute: the first validator and both committee members reveal what they committed to blind.
        const round = validatorRound(v, me);
        const work = round && v.results[round - 1] === null ? db.getWork(id, round) : undefined;
        if (work && work.state !== "revealed") {
          await revealValidatorResult(client, leaseId, work.resultHash, work.salt);
          db.setState(id, round, "revealed");
          log.info({ leaseId: id }, "revealed my result in the final reveal");
          return;
        }
        if (late) return endWindow(leaseId);
        return;
      }
      default:
        return;
    }
  }

  /** Re-runs in the background (it may take long) as the lease's validator `slot`; then commits. */
  function startReexecution(leaseId: bigint, slot: number): void {
    const id = leaseId.toString();
    if (busy.has(id)) return;
    busy.add(id);
    const started = performance.now();
    void (async () => {
      let result: Hex;
      let workDir = "";
      try {
        const re = await reexecuteLease({
          client,
          leaseId,
          workRoot: join(o.dataDir, "work", `round-${slot}`),
          memoryBytes: o.memoryBytes ?? 4 * 1024 ** 3,
          diskBytes: o.diskBytes ?? 10 * 1024 ** 3,
          gpus: o.gpus ?? [],
          docker: o.docker,
          log: (line) => log.info({ leaseId: id }, line),
        });
        result = re.resultHash;
        workDir = re.workDir;
        // Kept beside the outputs: tolerance mode compares with the job's atol/rtol, after a restart too.
        writeFileSync(
          join(workDir, "..", "reexecution.json"),
          JSON.stringify({ spec: re.spec, manifest: re.manifest }),
        );
      } catch (error) {
        const unavailable =
          error instanceof ReexecutionError || error instanceof NoProviderEndpointError || isProviderApiError(error);
        if (!unavailable) throw error;
        log.warn({ leaseId: id, err: error }, "the provider did not serve the job: committing to 'unavailable'");
        result = UNAVAILABLE_RESULT;
      }
      metrics.reexecutionSeconds.observe((performance.now() - started) / 1000);
      const salt = `0x${randomBytes(32).toString("hex")}` as Hex;
      db.saveWork({ leaseId: id, round: slot, resultHash: result, salt, workDir, state: "computed" });
      await sendCommit(leaseId, slot);
      wake?.();
    })()
      .catch((error) => {
        metrics.errors.inc({ step: "reexecute" });
        log.warn({ leaseId: id, err: error }, "re-execution or commitment failed; will retry");
      })
      .finally(() => busy.delete(id));
  }

  /** Sends the commitment of a result saved before (after a crash in between, too). */
  async function sendCommit(leaseId: bigint, round: number): Promise<void> {
    const id = leaseId.toString();
    const work = db.getWork(id, round);
    if (!work) return;
    await commitValidatorResult(client, leaseId, work.resultHash, work.salt);
    db.setState(id, round, "committed");
    log.info({ leaseId: id, round, result: work.resultHash }, "committed my result");
  }

  async function attest(leaseId: bigint, v: Verification): Promise<void> {
    const id = leaseId.toString();
    const work = db.getWork(id, v.round);
    if (work?.state !== "committed" || busy.has(id) || !v.providerSalt) return;
    busy.add(id);
    try {
      const lease = await getLease(client, leaseId);
      let match: boolean;
      let reason: string;
      if (work.resultHash === UNAVAILABLE_RESULT) {
        match = false;
        reason = "the provider did not serve the job";
      } else if (lease.verification === "exact") {
        match = resultCommitment(leaseId, work.resultHash, v.providerSalt) === lease.resultHash;
        reason = match ? "identical outputs" : "outputs differ from the provider's";
      } else {
        const providerDir = join(o.dataDir, "work", `round-${v.round}`, `lease-${id}`, "provider");
        const expected = await fetchProviderOutputs(client, lease, v.providerSalt, providerDir);
        const mine = JSON.parse(readFileSync(join(work.workDir, "..", "reexecution.json"), "utf8")) as {
          spec: JobSpec;
          manifest: ManifestEntry[];
        };
        // The lease's mode is what the client paid for; the spec gives the tolerances.
        const tolerance =
          mine.spec.verification.mode === "tolerance"
            ? mine.spec.verification
            : { mode: "tolerance" as const, atol: 0, rtol: 0 };
        const verdict = await compareOutputs(
          tolerance,
          { dir: providerDir, manifest: expected },
          { dir: work.workDir, manifest: resultEntries(mine.manifest) },
        );
        match = verdict.match;
        reason = verdict.summary;
      }
      if (v.audit && v.round === 2) {
        // Outputs byte for byte the provider's: the job is deterministic here, so an honest re-run gives the same.
        const deterministic = resultCommitment(leaseId, work.resultHash, v.providerSalt) === lease.resultHash;
        const firstReproduced = judgeFirstValidator(v.results[0], work.resultHash, deterministic);
        await attestAudit(client, leaseId, {
          providerMatches: match,
          firstReproduced,
          resultHash: work.resultHash,
          salt: work.salt,
        });
        log.info({ leaseId: id, providerMatches: match, firstReproduced }, "audited a tolerance-mode match");
      } else {
        await attestVerdict(
          client,
          leaseId,
          match ? { match: true, resultHash: work.resultHash, salt: work.salt } : { match: false },
        );
      }
      db.setState(id, v.round, "attested");
      metrics.verdicts.inc({ mode: lease.verification, verdict: match ? "match" : "mismatch" });
      log.info({ leaseId: id, round: v.round, match, reason }, "attested");
    } finally {
      busy.delete(id);
    }
  }

  async function endWindow(leaseId: bigint): Promise<void> {
    await timeoutVerification(client, leaseId);
    metrics.timeouts.inc();
    log.info({ leaseId: leaseId.toString() }, "ended a missed verification window");
  }

  // The loop: a tick now, then on every event or every tickMs.
  const loop = (async () => {
    while (!stopped) {
      await tick().catch((error) => log.warn({ err: error }, "tick failed"));
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.tickMs ?? 2000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  })();

  const server = o.metricsPort === undefined ? null : await serveMetrics(metrics, o.metricsPort);
  const address = server?.address();
  log.info({ validator: me }, "validator node ready");
  return {
    address: me,
    client,
    metrics,
    metricsUrl: address && typeof address === "object" ? `http://127.0.0.1:${address.port}/metrics` : null,
    tick,
    async stop() {
      stopped = true;
      wake?.();
      unwatch();
      hardware?.stop();
      await loop;
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await client.close();
      db.close();
    },
  };
}

/**
 * An auditor's verdict on the first validator's published outputs (`first`, its manifest hash) against its own
 * (`mine`). The same hash is reproduced; "the provider did not serve the job" with a match attested is not.
 * When the auditor's outputs are byte for byte the provider's (`deterministic`), an honest first validator's
 * are too, so any other hash was not computed. Otherwise another hash may be honest outputs within tolerance:
 * without the first validator's files (no node serves them yet) the auditor cannot tell, and does not accuse.
 */
export function judgeFirstValidator(first: Hex | null, mine: Hex, deterministic: boolean): boolean {
  if (first === mine) return true;
  if (first === UNAVAILABLE_RESULT || first === null) return false;
  return !deterministic;
}

async function ensureStake(client: PlasmaClient, me: Hex, wanted: bigint | undefined, log: Logger): Promise<void> {
  const [info, params] = await Promise.all([getValidator(client, me), getProtocolParameters(client)]);
  const target = wanted ?? params.minValidatorStake;
  if (info.exitAt !== 0)
    throw new Error(`${me} is leaving the validator set; withdraw its stake before starting again.`);
  if (info.stake >= target) return;
  await stakeValidator(client, target - info.stake);
  log.info({ validator: me, staked: (target - info.stake).toString() }, "staked as a validator");
}

function isProviderApiError(error: unknown): boolean {
  return (error as { name?: string })?.name === "ProviderApiError";
}

function serveMetrics(metrics: ValidatorMetrics, port: number): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": metrics.registry.contentType }).end(await metrics.registry.metrics());
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}
