import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import {
  followJob,
  getLease,
  hashJobSpec,
  type JobSpec,
  JobSpecError,
  type JobStatus,
  type Lease,
  type LogEvent,
  openLease,
  parseJobSpec,
  uploadJobInput,
} from "@plasma/sdk";
import type { Command } from "commander";
import ora from "ora";
import { parse as parseYaml } from "yaml";
import { resolveAddress } from "../accounts.ts";
import { withContext } from "../action.ts";
import type { Context } from "../context.ts";
import { describeLeaseEnd, downloadVerifiedResults, lastLogLines, providerApiFor } from "../jobClient.ts";
import { chooseOffer, describeSkipped, explainStrandedLease, sendSpec } from "../leaseFlow.ts";
import { UsageError } from "../output.ts";
import {
  formatDuration,
  formatPricePerHour,
  parseDuration,
  parsePositiveInteger,
  parsePricePerHour,
  xpl,
} from "../units.ts";

/** Seconds added to the job's timeout in the lease, for sending the spec and inputs and settling. */
const LEASE_MARGIN_SECONDS = 120;

type RunOptions = {
  gpus?: string;
  gpuModel?: string;
  minVram?: string;
  maxPrice?: string;
  offer?: string;
  provider?: string;
  input?: string[];
  output?: string[];
  env?: string[];
  timeout?: string;
  network?: string;
  out?: string;
  builder?: string;
  verify?: string;
};

/** `--verify exact|none|tolerance:ATOL:RTOL` as the spec's verification field. */
function verificationOption(text: string): Record<string, unknown> {
  const [mode, atol, rtol] = text.split(":");
  if (mode === "exact" || mode === "none") {
    if (atol !== undefined) throw new UsageError(`--verify ${mode} takes no tolerances.`);
    return { mode };
  }
  if (mode === "tolerance" && atol !== undefined && rtol !== undefined)
    return { mode, atol: Number(atol), rtol: Number(rtol) };
  throw new UsageError(`--verify ${text} is not a verification mode.`, {
    metaMessages: ["Use exact (the default), none, or tolerance:ATOL:RTOL (e.g. tolerance:1e-5:1e-4)."],
  });
}

const sha256Of = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Builds the spec and the local file of each input, from a spec file or the short form. */
function buildSpec(
  specFile: string | undefined,
  command: string[],
  o: RunOptions,
): { spec: JobSpec; files: Map<string, string> } {
  const files = new Map<string, string>();
  let raw: Record<string, unknown>;
  let base = process.cwd();
  if (specFile) {
    if (command.length > 0) throw new UsageError("Give either a job spec file or a command after --, not both.");
    if (!existsSync(specFile)) throw new UsageError(`The job spec ${specFile} does not exist.`);
    base = dirname(resolve(specFile));
    try {
      raw = (parseYaml(readFileSync(specFile, "utf8")) ?? {}) as Record<string, unknown>;
    } catch (error) {
      throw new JobSpecError(specFile, [
        `(spec): is neither JSON nor YAML: ${(error as Error).message.split("\n")[0]}`,
      ]);
    }
  } else {
    if (command.length === 0)
      throw new UsageError("Nothing to run.", {
        metaMessages: ["Pass a job spec file, or a command after --: plasma run -- python3 train.py"],
      });
    raw = { version: 1, command };
  }
  // Inputs may be written as plain paths: their sha256 is computed from the local file.
  const inputs = [
    ...((raw.inputs as unknown[]) ?? []),
    ...(o.input ?? []).map((p) => ({ path: basename(p), local: p })),
  ].map((input) => {
    const entry =
      typeof input === "string" ? { path: input } : (input as { path: string; sha256?: string; local?: string });
    const local = resolve(base, entry.local ?? entry.path);
    if (!existsSync(local))
      throw new UsageError(`The input ${entry.local ?? entry.path} does not exist (looked in ${local}).`);
    files.set(entry.path, local);
    return { path: entry.path, sha256: entry.sha256 ?? sha256Of(local) };
  });
  const env = Object.fromEntries(
    (o.env ?? []).map((pair) => {
      const at = pair.indexOf("=");
      if (at < 1) throw new UsageError(`--env ${pair} is not NAME=VALUE.`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const resources = { ...((raw.resources as object) ?? {}) } as Record<string, unknown>;
  if (o.gpus !== undefined) resources.gpus = parsePositiveInteger(o.gpus, "--gpus");
  if (o.gpuModel !== undefined) resources.gpuModel = o.gpuModel;
  if (o.minVram !== undefined) resources.minVramGb = parsePositiveInteger(o.minVram, "--min-vram");
  const spec = parseJobSpec(
    {
      ...raw,
      inputs,
      resources,
      ...(Object.keys(env).length ? { env: { ...((raw.env as object) ?? {}), ...env } } : {}),
      ...(o.output?.length ? { outputs: o.output } : {}),
      ...(o.timeout ? { timeoutSeconds: parseDuration(o.timeout) } : {}),
      ...(o.network ? { network: o.network } : {}),
      ...(o.verify ? { verification: verificationOption(o.verify) } : {}),
    },
    specFile ?? "(command line)",
  );
  for (const input of spec.inputs) {
    const local = files.get(input.path);
    if (local && sha256Of(local) !== input.sha256) {
      throw new JobSpecError(specFile ?? "(command line)", [
        `inputs: ${input.path} has sha256 ${sha256Of(local)}, not ${input.sha256} as the spec says`,
      ]);
    }
  }
  return { spec, files };
}

/** How the job ended, for people: the client's stop is not an exit code. */
function describeJobEnd(final: JobStatus, stoppedByClient: boolean): string {
  if (stoppedByClient) return "stopped by the client (plasma stop)";
  if (final.error) return final.error;
  if (final.timedOut) return "exceeded its time limit";
  if (final.memoryExceeded) return "exceeded its memory limit";
  return final.exitCode === null ? "ended without an exit code" : `exited with code ${final.exitCode}`;
}

/** Waits until the lease has ended on chain (the provider settles right after the job). */
async function endedLease(ctx: Context, leaseId: bigint): Promise<Lease> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const lease = await getLease(ctx.client, leaseId);
    if (lease.status === "ended" || Date.now() > deadline) return lease;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function registerRunCommand(program: Command): void {
  program
    .command("run [spec]")
    .description(
      "run a job on the market: pick an offer, open a lease, send the job, stream its logs, fetch verified results",
    )
    .usage("[job.yaml] [options] [-- command…]")
    .allowExcessArguments()
    .option("--gpus <count>", "GPUs to lease (default: the spec's, else 1)")
    .option("--gpu-model <model>", "only this GPU model, e.g. H100")
    .option("--min-vram <gb>", "only GPUs with at least this much memory")
    .option("--max-price <xpl>", "refuse offers above this, in XPL per GPU-hour")
    .option("--offer <id>", "use this offer instead of the cheapest")
    .option("--provider <address>", "only offers of this provider")
    .option("--input <file...>", "local files the job needs (placed in its work directory)")
    .option("--output <path...>", "what to bring back (default: out/)")
    .option("--env <NAME=VALUE...>", "environment variables")
    .option("--timeout <time>", "job time limit: 90s, 30m, 2h (default: 1h)")
    .option("--network <mode>", "none (default) or egress")
    .option(
      "--verify <mode>",
      "how a validator may check the result: exact (default), tolerance:ATOL:RTOL, or none (no verification fee)",
    )
    .option("--out <dir>", "where to save results (default: ./plasma-results/lease-N)")
    .option("--builder <address>", "app or tool that brought this job: it earns a share of the protocol fee")
    .action(
      withContext("client", async (ctx, specArg: string | undefined, o: RunOptions) => {
        // Everything after `--` is the command; commander would otherwise take its first word as the spec.
        const dash = process.argv.indexOf("--");
        const command = dash >= 0 ? process.argv.slice(dash + 1) : [];
        const specFile =
          specArg !== undefined && (dash < 0 || process.argv.slice(0, dash).includes(specArg)) ? specArg : undefined;
        const { spec, files } = buildSpec(specFile, command, o);
        const { offerId, skipped } = await chooseOffer(ctx, spec, o);
        const tty = process.stderr.isTTY && !ctx.out.json;
        const spinner = ora({ stream: process.stderr, isEnabled: tty });
        const say = (text: string) => (tty ? spinner.info(text) : process.stderr.write(`${text}\n`));
        for (const line of describeSkipped(skipped)) say(line);
        const started = Date.now();
        const opened = await openLease(ctx.client, {
          offerId,
          gpus: Math.max(1, spec.resources.gpus),
          maxSeconds: spec.timeoutSeconds + LEASE_MARGIN_SECONDS,
          maxPricePerGpuSecond: o.maxPrice === undefined ? undefined : parsePricePerHour(o.maxPrice, "--max-price"),
          specHash: hashJobSpec(spec),
          builder: o.builder === undefined ? undefined : resolveAddress(ctx, o.builder, "builder"),
          verification: spec.verification.mode,
        });
        const { api, lease } = await providerApiFor(ctx.client, opened.leaseId);
        say(
          `lease ${opened.leaseId} on offer ${offerId} (${formatPricePerHour(lease.pricePerGpuSecond)}), escrow ${xpl(opened.escrow)}`,
        );
        let final: JobStatus;
        try {
          if (tty) spinner.start("sending the job");
          await sendSpec(api, spec);
          for (const input of spec.inputs) {
            spinner.text = `uploading ${input.path}`;
            await uploadJobInput(api, input.path, readFileSync(files.get(input.path) as string));
          }
          spinner.text = "running";
          const ticker = setInterval(() => {
            spinner.text = `running ${formatDuration(Math.floor((Date.now() - started) / 1000))}`;
          }, 1000);
          final = await followJob(api, (event: LogEvent) => {
            if (event.type !== "log" || ctx.out.json) return;
            const stream =
              event.stream === "stderr" ? process.stderr : event.stream === "system" ? process.stderr : process.stdout;
            if (tty) spinner.clear();
            stream.write(event.text);
            if (tty) spinner.render();
          }).finally(() => clearInterval(ticker));
        } catch (error) {
          spinner.stop();
          // The provider died after the lease was opened: say where the escrow stands and how to get it back.
          throw await explainStrandedLease(ctx, opened.leaseId, error);
        }
        spinner.stop();
        const ended = await endedLease(ctx, opened.leaseId);
        const dir = o.out ?? join("plasma-results", `lease-${opened.leaseId}`);
        const outputs = ended.resultHash ? await downloadVerifiedResults(api, ended, dir) : [];
        const refund = ended.totalEscrow - ended.paid - ended.verificationFee;
        const ok = ended.endReason === "completed" && final.exitCode === 0;
        // `plasma stop` ends the lease on chain; the provider then kills the job, which leaves no exit code.
        const stoppedByClient = ended.endReason === "stopped-by-client";
        const summary = {
          leaseId: opened.leaseId,
          offerId,
          skippedOffers: skipped,
          state: final.state,
          exitCode: final.exitCode,
          timedOut: final.timedOut,
          memoryExceeded: final.memoryExceeded,
          stoppedByClient,
          error: final.error,
          endReason: ended.endReason,
          paid: ended.paid,
          verificationFee: ended.verificationFee,
          verification: ended.verification,
          refund,
          durationSeconds: ended.endedAt && ended.startedAt ? ended.endedAt - ended.startedAt : null,
          resultHash: ended.resultHash,
          resultsDir: outputs.length ? resolve(dir) : null,
          outputs,
        };
        ctx.out.result(summary, () => {
          const lines = [
            `${ok ? "✔" : "✖"} lease ${opened.leaseId} ${describeLeaseEnd(ended)}`,
            `  job: ${describeJobEnd(final, stoppedByClient)}`,
            `  cost ${xpl(ended.paid)}${ended.verificationFee > 0n ? ` + ${xpl(ended.verificationFee)} verification fee` : ""}, refunded ${xpl(refund)}, ${formatDuration(summary.durationSeconds ?? 0)} of GPU time`,
          ];
          if (outputs.length)
            lines.push(
              `  results (verified against the on-chain hash): ${resolve(dir)}`,
              ...outputs.map((e) => `    ${e.path}  ${e.size} bytes`),
            );
          if (!ok && outputs.length) lines.push("  last log lines:", ...lastLogLines(dir).map((l) => `    ${l}`));
          return lines.join("\n");
        });
        if (!ok) process.exitCode = 1;
      }),
    );
}
