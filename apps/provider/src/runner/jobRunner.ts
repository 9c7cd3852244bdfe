import { EventEmitter } from "node:events";
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import {
  buildManifest,
  createWorkArea,
  resultHash as hashResult,
  type ManifestEntry,
  NODE_REPORT_DIR,
  OutputsError,
  type RunOptions,
  type RunResult,
  removeWorkArea,
  resultEntries,
  type WorkArea,
} from "@plasma/runtime";
import {
  ContractRevertError,
  completeLease,
  failLease,
  getLease,
  getOffer,
  hashJobSpec,
  type JobSpec,
  type JobStatus,
  type LogEvent,
  type PlasmaClient,
  parseJobSpecText,
  resultCommitment,
  startLease,
} from "@plasma/sdk";
import type { Address, Hex } from "viem";
import { ApiError } from "../api/errors.ts";
import type { Logger } from "../logger.ts";
import type { ProviderMetrics } from "../metrics.ts";
import type { JobRow, ProviderDb } from "../state/db.ts";
import type { ArtifactStore } from "../store/artifacts.ts";
import type { JobRuntimes } from "./runtimes.ts";
import { type ServiceEnd, superviseService } from "./serviceSupervisor.ts";

/** The Unix socket a service's server listens on, in its work directory (the sandbox has no network). */
export const SERVE_SOCKET = ".plasma-serve.sock";
/** Pauses before each attempt to end a lease on chain (the first at once). */
const SETTLE_RETRY_PAUSES_MS = [0, 2_000, 10_000];
/** The longest path a Unix socket can have on Linux. */
const MAX_SOCKET_PATH = 107;

/** A service lease whose model server is up (or being restarted), as the gateway sees it. */
export type RunningService = {
  socketPath: string;
  /** The offer's price per request when the service started; requests pay it with vouchers. */
  pricePerRequest: bigint;
  /** The lease's client: its channels pay for the requests. */
  client: Address;
  readonly ready: boolean;
  readonly restarts: number;
};

export type JobRunnerOptions = {
  db: ProviderDb;
  store: ArtifactStore;
  client: PlasmaClient;
  dataDir: string;
  logger: Logger;
  metrics: ProviderMetrics;
  /** GPU indices this node may hand to jobs (empty on a CPU node). */
  gpuIndices: number[];
  /** Memory limit for a job that names none, in bytes. */
  defaultMemoryBytes: number;
  /** Size of the work area of a job that names none, in bytes. */
  defaultDiskBytes: number;
  /** Free space the node keeps on the disk of `dataDir`: leases that would take it below are refused. */
  minFreeDiskBytes: number;
  /** Most bytes of a job's output kept in its log; past that the output is dropped. */
  maxLogBytes: number;
  /** How long a started lease waits for its spec and inputs before the node gives up on it. */
  specTimeoutSeconds: number;
  runtimes: JobRuntimes;
  /** The salt of a lease's result commitment (see verification/resultSalt.ts). */
  saltOf: (leaseId: string) => Hex;
  /** Read-only tools lent to sandboxed jobs (Node.js, the ONNX model server). */
  sandboxTools?: { source: string; target: string }[];
};

/** Runs leased jobs: start on chain, receive spec and inputs, sandbox, results, settle on chain. */
export type JobRunner = ReturnType<typeof createJobRunner>;

export function createJobRunner(o: JobRunnerOptions) {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const running = new Map<string, AbortController>();
  const services = new Map<string, RunningService>();
  const launches = new Set<Promise<void>>();
  /** Set when the node stops: jobs it kills are left for recover() to end, not settled by a node going away. */
  let closing = false;
  const specTimers = new Map<string, NodeJS.Timeout>();
  const freeGpus = new Set(o.gpuIndices);
  const jobDir = (id: string) => join(o.dataDir, "jobs", id);
  const logFile = (id: string) => join(jobDir(id), "logs.txt");
  const manifestFile = (id: string) => join(jobDir(id), "manifest.json");

  /** Bytes free on the node's data disk for jobs. */
  const freeDiskBytes = () => {
    const fs = statfsSync(o.dataDir);
    return fs.bavail * fs.bsize;
  };
  const diskBytesOf = (spec: JobSpec) =>
    spec.resources.diskGb ? Math.floor(spec.resources.diskGb * 1024 ** 3) : o.defaultDiskBytes;
  const gib = (bytes: number) =>
    bytes >= 1024 ** 3
      ? `${Number((bytes / 1024 ** 3).toFixed(1))} GiB`
      : `${Number((bytes / 1024 ** 2).toFixed(1))} MiB`;

  function status(job: JobRow): JobStatus {
    const spec = job.specJson ? (JSON.parse(job.specJson) as JobSpec) : undefined;
    const service = services.get(job.leaseId);
    const have = o.db.inputsOf(job.leaseId);
    return {
      leaseId: job.leaseId,
      state: job.state,
      missingInputs: spec ? spec.inputs.filter((i) => !have.has(i.path)).map((i) => i.path) : [],
      exitCode: job.exitCode,
      timedOut: job.timedOut,
      memoryExceeded: job.memoryExceeded,
      error: job.error,
      startedAt: job.startedAt,
      endedAt: job.endedAt,
      ...(spec?.kind === "service"
        ? {
            service: {
              ready: service?.ready ?? false,
              restarts: service?.restarts ?? 0,
            },
          }
        : {}),
    };
  }

  /** Bytes of job output kept per lease so far (the node's own lines do not count). */
  const logBytes = new Map<string, number>();

  function emit(id: string, event: LogEvent) {
    if (event.type === "log") {
      if (event.stream !== "system") {
        // A job that prints without end must not fill the node's disk: past the cap its output is dropped.
        const used = logBytes.get(id) ?? (existsSync(logFile(id)) ? statSync(logFile(id)).size : 0);
        if (used >= o.maxLogBytes) return;
        const bytes = Buffer.byteLength(event.text);
        logBytes.set(id, used + bytes);
        if (used + bytes > o.maxLogBytes) {
          log(id, `the job's output passed the log limit of ${gib(o.maxLogBytes)}; the rest is dropped`);
          return;
        }
      }
      appendFileSync(logFile(id), event.text);
    }
    events.emit(id, event);
  }

  function log(id: string, text: string) {
    emit(id, { type: "log", stream: "system", text: `[plasma] ${text}\n` });
  }

  function requireJob(id: string): JobRow {
    const job = o.db.getJob(id);
    if (!job) throw new ApiError(404, "unknown-lease", `Lease ${id} is not a lease of this provider.`);
    return job;
  }

  function armSpecTimer(id: string, startedAt: number) {
    const remaining = Math.max(0, startedAt + o.specTimeoutSeconds - Math.floor(Date.now() / 1000));
    specTimers.set(
      id,
      setTimeout(() => {
        const job = o.db.getJob(id);
        if (job && (job.state === "awaiting-spec" || job.state === "awaiting-inputs")) {
          void endWithoutRun(
            id,
            `no complete job (spec and inputs) arrived within ${o.specTimeoutSeconds}s`,
            "timed-out",
          );
        }
      }, remaining * 1000),
    );
  }

  /**
   * Ends a lease whose job never ran: paid for the seconds the GPUs were held, if the client's fault. A verified
   * lease is not: without a result there is nothing to verify, and the contract pays it only through verification.
   */
  async function endWithoutRun(id: string, reason: string, onChain: "timed-out" | "provider-failed") {
    clearTimeout(specTimers.get(id));
    log(id, `ending the lease: ${reason}`);
    o.db.updateJob(id, { state: "failed", error: reason, endedAt: Math.floor(Date.now() / 1000) });
    await settleOnChain(id, () => failLease(o.client, { leaseId: BigInt(id), reason: onChain }));
    emit(id, { type: "end", status: status(requireJob(id)) });
  }

  /** Sends a lease's end to the chain once; a lease the client already ended counts as settled. */
  async function settleOnChain(id: string, send: () => Promise<unknown>) {
    // A transaction can fail for a moment (mined a block later than it was estimated, a busy RPC): try again
    // a few times before leaving it to the next start. A contract's own refusal is final.
    for (const pause of SETTLE_RETRY_PAUSES_MS) {
      await delay(pause);
      try {
        await send();
        o.metrics.leasesEnded.inc();
        break;
      } catch (error) {
        if (error instanceof ContractRevertError && error.errorName === "MarketLeaseNotRunning") {
          log(id, "the lease had already ended on chain");
          break;
        }
        const last = error instanceof ContractRevertError || closing || pause === SETTLE_RETRY_PAUSES_MS.at(-1);
        o.logger.error(
          { leaseId: id, err: error },
          last
            ? "could not settle the lease on chain; will retry on restart"
            : "could not settle the lease on chain; retrying",
        );
        o.metrics.errors.inc({ kind: "chain" });
        if (last) return;
      }
    }
    o.db.updateJob(id, { settledOnChain: true });
  }

  /** A new lease for this node: take it at once, so the client's GPUs are held and it cannot claim a no-show. */
  async function onLeaseOpened(lease: {
    leaseId: bigint;
    client: string;
    specHash: Hex;
    gpus: number;
    maxSeconds: number;
  }) {
    const id = lease.leaseId.toString();
    const isNew = o.db.insertJob({
      leaseId: id,
      client: lease.client,
      specHash: lease.specHash,
      gpus: lease.gpus,
      maxSeconds: lease.maxSeconds,
    });
    if (!isNew) return;
    mkdirSync(jobDir(id), { recursive: true });
    writeFileSync(logFile(id), "");
    await start(id);
    // Below the floor the node takes no new work: ended at once, so the client's escrow comes back now.
    const free = freeDiskBytes();
    if (free < o.minFreeDiskBytes && requireJob(id).state === "awaiting-spec")
      await endWithoutRun(
        id,
        `the provider has ${gib(free)} of disk free, under its floor of ${gib(o.minFreeDiskBytes)}`,
        "provider-failed",
      );
  }

  /**
   * What completes the lease on chain: the manifest hash, or for a verified lease a salted commitment to it
   * (validators must not be able to copy it; the client gets the salt with the outputs).
   */
  async function resultOnChain(id: string, manifestHash: Hex): Promise<Hex> {
    const lease = await getLease(o.client, BigInt(id));
    return lease.verification === "none" ? manifestHash : resultCommitment(BigInt(id), manifestHash, o.saltOf(id));
  }

  /** Starts a lease on chain; until then the job is `opened` and refuses its spec (retryably). */
  async function start(id: string) {
    try {
      await startLease(o.client, { leaseId: BigInt(id) });
    } catch (error) {
      o.logger.warn({ leaseId: id, err: error }, "could not start the lease");
      o.db.updateJob(id, {
        state: "failed",
        error: `could not start the lease: ${(error as Error).message.split("\n")[0]}`,
        settledOnChain: true,
      });
      return;
    }
    const startedAt = Math.floor(Date.now() / 1000);
    o.db.updateJob(id, { startedAt, state: "awaiting-spec" });
    o.metrics.leasesStarted.inc();
    log(id, `lease ${id} started; waiting for the job spec`);
    armSpecTimer(id, startedAt);
  }

  /** Accepts the job spec: its canonical hash must be the lease's specHash. */
  function acceptSpec(id: string, text: string): JobStatus {
    const job = requireJob(id);
    if (job.state === "opened") {
      throw new ApiError(
        409,
        "lease-not-started",
        `Lease ${id} is being started on chain.`,
        "Send the spec again in a moment.",
      );
    }
    if (job.state !== "awaiting-spec")
      throw new ApiError(409, "spec-already-received", `Lease ${id} already has its spec (state ${job.state}).`);
    const spec = parseJobSpecText(text, "in the request");
    const hash = hashJobSpec(spec);
    if (hash !== job.specHash) {
      throw new ApiError(
        409,
        "spec-hash-mismatch",
        `The spec's hash ${hash} is not the lease's specHash ${job.specHash}.`,
        "Send exactly the spec whose hash you put in the lease.",
      );
    }
    if (spec.resources.gpus > job.gpus) {
      throw new ApiError(
        400,
        "too-many-gpus",
        `The spec asks for ${spec.resources.gpus} GPUs; the lease has ${job.gpus}.`,
      );
    }
    if (!o.runtimes.names.includes(spec.runtime)) {
      throw new ApiError(
        400,
        "runtime-unavailable",
        `This provider runs ${o.runtimes.names.join(" and ")} jobs, not ${spec.runtime}.`,
        `Use runtime: ${o.runtimes.names[0]}, or pick a provider whose runtimes include ${spec.runtime}.`,
      );
    }
    if (spec.runtime === "docker" && spec.network === "egress") {
      // The engine's bridge reaches the host and its network; only the sandbox confines egress so far.
      const reason = "this provider cannot confine egress in docker jobs to the public internet";
      void endWithoutRun(id, reason, "provider-failed");
      throw new ApiError(
        400,
        "egress-unavailable",
        `The spec asks for network: egress in docker, and ${reason}; lease ${id} is ended and your escrow refunded.`,
        "Run it with runtime: sandbox (egress there reaches the public internet only), or without egress.",
      );
    }
    // Work areas are sparse: what running jobs may still write is promised already, not free.
    const promised = o.db
      .jobsIn(["awaiting-inputs", "starting", "running"])
      .reduce((sum, j) => sum + (j.specJson ? diskBytesOf(JSON.parse(j.specJson) as JobSpec) : 0), 0);
    const free = freeDiskBytes() - o.minFreeDiskBytes - promised;
    if (diskBytesOf(spec) > free) {
      void endWithoutRun(
        id,
        `the job asks for ${gib(diskBytesOf(spec))} of disk; the provider has ${gib(Math.max(0, free))} to give`,
        "provider-failed",
      );
      throw new ApiError(
        507,
        "not-enough-disk",
        `The job asks for ${gib(diskBytesOf(spec))} of disk and this provider has ${gib(Math.max(0, free))} free for jobs; lease ${id} is ended and your escrow refunded.`,
        "Ask for less (resources.diskGb) or run on another offer.",
      );
    }
    o.db.updateJob(id, { specJson: JSON.stringify(spec), state: "awaiting-inputs" });
    log(id, `spec received (${spec.inputs.length} input${spec.inputs.length === 1 ? "" : "s"})`);
    maybeLaunch(id);
    return status(requireJob(id));
  }

  /**
   * Accepts one input file, already in the artifact store under `sha256` (the API streams uploads there): it
   * must be named in the spec, with that sha256.
   */
  function acceptInput(id: string, path: string, sha256: string): JobStatus {
    const job = requireJob(id);
    if (job.state !== "awaiting-inputs")
      throw new ApiError(
        409,
        "not-accepting-inputs",
        `Lease ${id} is ${job.state}; inputs are accepted only after the spec and before the run.`,
      );
    const spec = JSON.parse(job.specJson ?? "{}") as JobSpec;
    const declared = spec.inputs.find((i) => i.path === path);
    if (!declared)
      throw new ApiError(
        400,
        "undeclared-input",
        `${path} is not an input of this job's spec.`,
        `Declared inputs: ${spec.inputs.map((i) => i.path).join(", ") || "none"}.`,
      );
    if (sha256 !== declared.sha256 || !o.store.has(sha256)) {
      throw new ApiError(
        400,
        "input-hash-mismatch",
        `${path} has sha256 ${sha256}, but the spec says ${declared.sha256}.`,
        "Upload the file the spec was written for.",
      );
    }
    o.db.recordInput(id, path, sha256);
    maybeLaunch(id);
    return status(requireJob(id));
  }

  function maybeLaunch(id: string) {
    const job = requireJob(id);
    const spec = JSON.parse(job.specJson ?? "{}") as JobSpec;
    const have = o.db.inputsOf(id);
    if (job.state !== "awaiting-inputs" || spec.inputs.some((i) => !have.has(i.path))) return;
    clearTimeout(specTimers.get(id));
    o.db.updateJob(id, { state: "starting" });
    const launched = launch(id, spec).catch(async (error) => {
      if (closing) return; // the node is stopping: recover() ends the job at the next start
      o.logger.error({ leaseId: id, err: error }, "job failed to run");
      o.metrics.errors.inc({ kind: "runtime" });
      await endWithoutRun(id, `the provider could not run the job: ${(error as Error).message}`, "provider-failed");
    });
    launches.add(launched);
    void launched.finally(() => launches.delete(launched));
  }

  async function launch(id: string, spec: JobSpec) {
    const job = requireJob(id);
    const inputs = [...o.db.inputsOf(id)];
    const inputBytes = inputs.reduce((sum, [, sha256]) => sum + statSync(o.store.pathOf(sha256)).size, 0);
    if (inputBytes > diskBytesOf(spec))
      throw new Error(
        `the inputs (${gib(inputBytes)}) do not fit the job's disk of ${gib(diskBytesOf(spec))}; raise resources.diskGb`,
      );
    const area = createWorkArea(jobDir(id), diskBytesOf(spec));
    try {
      await runInWorkArea(id, spec, job, area, inputs);
    } finally {
      // Outputs are in the content-addressed store by now; the job's files go.
      area.remove();
    }
  }

  async function runInWorkArea(id: string, spec: JobSpec, job: JobRow, area: WorkArea, inputs: [string, string][]) {
    const work = area.path;
    for (const [path, sha256] of inputs) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      copyFileSync(o.store.pathOf(sha256), join(work, path));
    }
    const gpus = [...freeGpus].slice(0, spec.resources.gpus);
    if (gpus.length < spec.resources.gpus && o.gpuIndices.length > 0)
      throw new Error(`only ${gpus.length} free GPUs for ${spec.resources.gpus}`);
    for (const g of gpus) freeGpus.delete(g);
    const lease = await getLease(o.client, BigInt(id));
    const leaseLeft = Math.max(1, lease.startedAt + lease.maxSeconds - Math.floor(Date.now() / 1000));
    // A service runs until its lease ends; a batch job also within its own time limit.
    const timeoutSeconds = spec.kind === "service" ? leaseLeft : Math.max(1, Math.min(spec.timeoutSeconds, leaseLeft));
    const controller = new AbortController();
    running.set(id, controller);
    o.db.updateJob(id, { state: "running" });
    o.metrics.jobsRunning.inc();
    log(
      id,
      `running in ${spec.runtime === "docker" ? `docker (${spec.image})` : "the sandbox"}: ${spec.command.join(" ")} (timeout ${timeoutSeconds}s, ${gpus.length} GPU${gpus.length === 1 ? "" : "s"}, network ${spec.network}, disk ${area.limit})`,
    );
    emit(id, { type: "status", status: status(requireJob(id)) });
    const options = {
      workDir: work,
      workArea: area,
      command: spec.command,
      env: spec.env,
      network: spec.network,
      gpus,
      timeoutSeconds,
      tools: o.sandboxTools,
      memoryBytes: spec.resources.memoryGb ? Math.floor(spec.resources.memoryGb * 1024 ** 3) : o.defaultMemoryBytes,
      signal: controller.signal,
      onStdout: (chunk: Buffer) => emit(id, { type: "log", stream: "stdout", text: chunk.toString() }),
      onStderr: (chunk: Buffer) => emit(id, { type: "log", stream: "stderr", text: chunk.toString() }),
    };
    let result: RunResult;
    let service: ServiceEnd | undefined;
    try {
      if (spec.kind === "service") {
        service = await serve(id, spec, options, lease, controller);
        result = service.last;
      } else {
        result = await o.runtimes.run(id, spec, options);
      }
    } finally {
      running.delete(id);
      for (const g of gpus) freeGpus.add(g);
      o.metrics.jobsRunning.dec();
    }
    if (closing) return;
    o.metrics.gpuSeconds.inc((result.durationMs / 1000) * Math.max(1, job.gpus));
    o.db.updateJob(id, { state: "finishing" });
    log(id, describeEnd(result, area.limit));
    const outcome = {
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut: result.timedOut,
      memoryExceeded: result.memoryExceeded,
      diskExceeded: result.diskExceeded,
      processLimitReached: result.processLimitReached,
      stopped: result.aborted,
      durationMs: Math.round(result.durationMs),
      memoryLimit: result.memoryLimit,
      diskLimit: area.limit,
      ...(service ? { restarts: service.restarts, gaveUp: service.gaveUp } : {}),
    };
    // Whatever the job left that cannot be collected (too many files, paths too long) is the job's error: the
    // lease still completes with the node's report, and the report says why the outputs are missing.
    let outputs: ManifestEntry[] = [];
    let outputsError: string | undefined;
    try {
      outputs = resultEntries(await buildManifest(work, spec.outputs)); // the job's own .plasma/ is not its output
    } catch (error) {
      if (!(error instanceof OutputsError)) throw error;
      outputsError = error.message;
      log(id, `no outputs collected: ${outputsError}`);
    }
    // The node's report is written beside the work area, never into the job's full (or hostile) filesystem.
    const reportRoot = join(jobDir(id), "report");
    rmSync(reportRoot, { recursive: true, force: true });
    mkdirSync(join(reportRoot, NODE_REPORT_DIR), { recursive: true });
    const report = { ...outcome, ...(outputsError ? { outputsError } : {}) };
    writeFileSync(join(reportRoot, NODE_REPORT_DIR, "exit.json"), `${JSON.stringify(report, null, 2)}\n`);
    copyFileSync(logFile(id), join(reportRoot, NODE_REPORT_DIR, "logs.txt"));
    const reportEntries = await buildManifest(reportRoot, [`${NODE_REPORT_DIR}/`]);
    for (const entry of outputs) o.store.putFile(join(work, entry.path), entry.sha256);
    for (const entry of reportEntries) o.store.putFile(join(reportRoot, entry.path), entry.sha256);
    rmSync(reportRoot, { recursive: true, force: true });
    const manifest = [...outputs, ...reportEntries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    writeFileSync(manifestFile(id), JSON.stringify(manifest));
    const resultHash = hashResult(manifest);
    const onChainResult = await resultOnChain(id, resultHash);
    o.db.updateJob(id, {
      state: "done",
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      memoryExceeded: result.memoryExceeded,
      resultHash,
      endedAt: Math.floor(Date.now() / 1000),
    });
    // A service's end (its lease ran out, or it was stopped) is its normal end: it completes. A timed-out job ends
    // with the same result commitment: a verified lease is paid only through verification of that result.
    await settleOnChain(id, () =>
      result.timedOut && !service
        ? failLease(o.client, { leaseId: BigInt(id), reason: "timed-out", resultHash: onChainResult })
        : completeLease(o.client, { leaseId: BigInt(id), resultHash: onChainResult }),
    );
    emit(id, { type: "end", status: status(requireJob(id)) });
  }

  /**
   * Runs a service lease's model server until the lease ends or is stopped, restarting it when it crashes or
   * hangs; meanwhile the gateway forwards paid requests to its socket.
   */
  async function serve(
    id: string,
    spec: JobSpec,
    options: RunOptions,
    lease: { client: Address; offerId: bigint },
    controller: AbortController,
  ): Promise<ServiceEnd> {
    const socketPath = join(options.workDir, SERVE_SOCKET);
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH)
      throw new Error(
        `the service socket ${socketPath} is longer than a Unix socket path may be (${MAX_SOCKET_PATH} bytes); give the node a shorter dataDir`,
      );
    const { pricePerRequest } = await getOffer(o.client, lease.offerId);
    const supervisor = superviseService({
      socketPath,
      health: {
        path: spec.service?.healthPath ?? "/health",
        startupSeconds: spec.service?.startupSeconds ?? 120,
        maxRestarts: spec.service?.maxRestarts ?? 5,
      },
      stop: controller.signal,
      log: (text) => log(id, text),
      run: (signal) =>
        o.runtimes.run(id, spec, {
          ...options,
          env: { ...options.env, PLASMA_SERVE_SOCKET: `/work/${SERVE_SOCKET}` },
          signal,
        }),
    });
    services.set(id, {
      socketPath,
      pricePerRequest,
      client: lease.client,
      get ready() {
        return supervisor.ready;
      },
      get restarts() {
        return supervisor.restarts;
      },
    });
    try {
      return await supervisor.done;
    } finally {
      services.delete(id);
    }
  }

  return {
    events,
    /**
     * The running service of a lease, for the gateway.
     * @throws ApiError 404 (not a service), 410 (ended) or 503 (starting or restarting: retry).
     */
    service(id: string): RunningService {
      const job = requireJob(id);
      const running = services.get(id);
      if (running?.ready) return running;
      const spec = job.specJson ? (JSON.parse(job.specJson) as JobSpec) : undefined;
      if (spec && spec.kind !== "service")
        throw new ApiError(404, "not-a-service", `Lease ${id} runs a batch job, not a service.`);
      if (job.state === "finishing" || job.state === "done" || job.state === "failed")
        throw new ApiError(
          410,
          "service-ended",
          `The service of lease ${id} has ended.`,
          "Deploy it again (plasma serve).",
        );
      throw new ApiError(
        503,
        "service-not-ready",
        running
          ? `The model server of lease ${id} is ${running.restarts > 0 ? `restarting (restart ${running.restarts})` : "starting"}.`
          : `The service of lease ${id} is not running yet (${job.state}).`,
        `Retry in a few seconds; plasma logs ${id} shows what the server is doing.`,
      );
    },
    onLeaseOpened,
    acceptSpec,
    acceptInput,
    status: (id: string) => status(requireJob(id)),
    logsSoFar: (id: string) => (existsSync(logFile(id)) ? readFileSync(logFile(id), "utf8") : ""),
    /** The spec the client sent (validators re-run it). */
    spec(id: string): JobSpec {
      const job = requireJob(id);
      if (!job.specJson)
        throw new ApiError(409, "no-spec-yet", `Lease ${id} has not received its spec.`, "There is nothing to re-run.");
      return JSON.parse(job.specJson) as JobSpec;
    },
    manifest(id: string): ManifestEntry[] {
      requireJob(id);
      if (!existsSync(manifestFile(id)))
        throw new ApiError(
          409,
          "no-results-yet",
          `Lease ${id} has no results yet.`,
          `Wait for the job to end (plasma logs ${id}).`,
        );
      return JSON.parse(readFileSync(manifestFile(id), "utf8")) as ManifestEntry[];
    },
    /** Stops a running job (asked by the client, or the lease ended on chain). */
    stop(id: string, why: string): JobStatus {
      const job = requireJob(id);
      const controller = running.get(id);
      if (controller) {
        log(id, `stopping: ${why}`);
        controller.abort();
      } else if (job.state === "awaiting-spec" || job.state === "awaiting-inputs") {
        void endWithoutRun(id, why, "timed-out");
      }
      return status(job);
    },
    /** After a restart: settle what was left unsettled, fail jobs whose process died, re-arm waits. */
    async recover(): Promise<void> {
      for (const job of o.db.jobsIn(["starting", "running", "finishing"])) {
        o.logger.warn({ leaseId: job.leaseId }, "the node restarted while this job ran; failing it cleanly");
        await o.runtimes.removeLeftovers(job.leaseId);
        removeWorkArea(jobDir(job.leaseId));
        await endWithoutRun(job.leaseId, "the provider restarted while the job ran", "provider-failed");
      }
      for (const job of o.db.jobsIn(["opened"])) {
        const lease = await getLease(o.client, BigInt(job.leaseId));
        if (lease.status === "open") await start(job.leaseId);
        else if (lease.status === "running")
          o.db.updateJob(job.leaseId, { state: "awaiting-spec", startedAt: lease.startedAt });
        else
          o.db.updateJob(job.leaseId, {
            state: "failed",
            error: `lease ${lease.status} on chain`,
            settledOnChain: true,
          });
      }
      for (const job of o.db.jobsIn(["awaiting-spec", "awaiting-inputs"])) {
        const lease = await getLease(o.client, BigInt(job.leaseId));
        if (lease.status !== "running") {
          o.db.updateJob(job.leaseId, {
            state: "failed",
            error: `lease ${lease.status} on chain`,
            settledOnChain: true,
          });
        } else {
          armSpecTimer(job.leaseId, job.startedAt ?? lease.startedAt);
        }
      }
      for (const job of o.db.unsettledEndedJobs()) {
        const send =
          job.state === "done" && job.resultHash && !job.timedOut
            ? async () =>
                completeLease(o.client, {
                  leaseId: BigInt(job.leaseId),
                  resultHash: await resultOnChain(job.leaseId, job.resultHash as Hex),
                })
            : async () =>
                failLease(o.client, {
                  leaseId: BigInt(job.leaseId),
                  reason: job.timedOut ? "timed-out" : "provider-failed",
                  ...(job.resultHash ? { resultHash: await resultOnChain(job.leaseId, job.resultHash as Hex) } : {}),
                });
        await settleOnChain(job.leaseId, send);
      }
    },
    /** Stops every job and waits for their processes to be gone; their leases are ended on the next start. */
    async close(): Promise<void> {
      closing = true;
      for (const timer of specTimers.values()) clearTimeout(timer);
      for (const controller of running.values()) controller.abort();
      await Promise.all(launches);
    },
  };
}

function describeEnd(r: RunResult, diskLimit: string): string {
  const end = (() => {
    if (r.timedOut) return `the job exceeded its time limit and was killed after ${(r.durationMs / 1000).toFixed(1)}s`;
    if (r.memoryExceeded) return `the job exceeded its memory limit of ${r.memoryLimit} and was killed`;
    if (r.diskExceeded) return `the job filled its work area (${diskLimit}) and was stopped`;
    if (r.aborted) return "the job was stopped";
    if (r.signal) return `the job was killed by ${r.signal}`;
    return `the job exited with code ${r.exitCode} after ${(r.durationMs / 1000).toFixed(1)}s`;
  })();
  return r.processLimitReached ? `${end} (it reached its process limit: some forks were refused)` : end;
}
