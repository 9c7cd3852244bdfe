import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { dockerEngine, dockerStatus, sandboxAvailable } from "@plasma/runtime";
import { createPlasmaClient, type Deployment, listOffers, PlasmaError } from "@plasma/sdk";
import { type Hex, parseEther } from "viem";
import { createApiServer } from "./api/server.ts";
import { createLeaseWatcher } from "./chain/leaseWatcher.ts";
import { deactivateOffers, desiredOffers, syncProviderOnChain } from "./chain/syncOffers.ts";
import type { ProviderConfig } from "./config.ts";
import { createChallengeResponder } from "./hardware/challengeResponder.ts";
import { detectGpus, type GpuDetection } from "./hardware/nvidiaSmi.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";
import { startVoucherRedeemer } from "./payments/redeemer.ts";
import { createVoucherLedger } from "./payments/voucherLedger.ts";
import { createJobRunner } from "./runner/jobRunner.ts";
import { createJobRuntimes, type JobRuntimes } from "./runner/runtimes.ts";
import { sandboxTools } from "./runner/sandboxTools.ts";
import { openProviderDb } from "./state/db.ts";
import { createArtifactStore } from "./store/artifacts.ts";
import { createResultSalts } from "./verification/resultSalt.ts";
import { createSaltRevealer } from "./verification/saltRevealer.ts";

/** A running provider node. */
export type ProviderNode = { url: string; offerIds: bigint[]; hardware: GpuDetection; stop(): Promise<void> };

/**
 * The composition root: detects hardware, opens the state, starts the API, publishes the node on
 * chain, recovers unfinished jobs and watches for leases. Stops what it started if a step fails.
 * Stopping takes its offers off the market until it starts again.
 */
export async function startProviderNode(p: {
  config: ProviderConfig;
  deployment: Deployment;
  privateKey: Hex;
  logger?: Logger;
  detect?: () => Promise<GpuDetection>;
  /** Tests only: wraps the job runtimes (e.g. to play a provider that corrupts results). */
  wrapRuntimes?: (runtimes: JobRuntimes) => JobRuntimes;
}): Promise<ProviderNode> {
  const logger = p.logger ?? createLogger();
  if (p.config.runtimes.includes("sandbox") && !sandboxAvailable()) {
    throw new PlasmaError("bubblewrap is not installed, so this node cannot sandbox jobs.", {
      metaMessages: ["Install it: apt-get install bubblewrap (npm install does this for you)."],
    });
  }
  const docker = p.config.runtimes.includes("docker") ? dockerEngine(p.config.dockerSocket) : undefined;
  if (docker) {
    const engine = await dockerStatus(docker);
    if (!engine.available) {
      throw new PlasmaError(`The docker runtime is enabled, but ${engine.reason}.`, {
        metaMessages: [
          "Start the Docker engine, point dockerSocket (or DOCKER_HOST) at it, or remove docker from runtimes.",
        ],
      });
    }
    logger.info({ engine: engine.version }, "Docker engine found");
  }
  const hardware = await (p.detect ?? detectGpus)();
  logger.info(
    { gpus: hardware.gpus, reason: hardware.reason },
    hardware.gpus.length ? "GPUs detected" : "no GPU: offering CPU capacity",
  );
  const client = createPlasmaClient({ deployment: p.deployment, account: p.privateKey });
  const provider = client.account?.address;
  if (!provider) throw new Error("unreachable: the client has an account");
  const db = openProviderDb(join(p.config.dataDir, "state.sqlite"));
  const store = createArtifactStore(join(p.config.dataDir, "artifacts"));
  const metrics = createMetrics();
  const saltOf = createResultSalts(db);
  const runner = createJobRunner({
    saltOf,
    db,
    store,
    client,
    dataDir: p.config.dataDir,
    logger,
    metrics,
    gpuIndices: hardware.gpus.map((g) => g.index),
    defaultMemoryBytes: Math.floor(p.config.defaultJobMemoryGb * 1024 ** 3),
    defaultDiskBytes: Math.floor(p.config.defaultJobDiskGb * 1024 ** 3),
    minFreeDiskBytes: Math.floor(p.config.minFreeDiskGb * 1024 ** 3),
    maxLogBytes: Math.floor(p.config.maxJobLogMb * 1024 ** 2),
    specTimeoutSeconds: p.config.specTimeoutSeconds,
    runtimes: (p.wrapRuntimes ?? ((r) => r))(createJobRuntimes({ names: p.config.runtimes, docker })),
    sandboxTools: sandboxTools(),
  });
  const ledger = createVoucherLedger({ db, client, provider });
  const challenges = createChallengeResponder({
    gpuCount: hardware.gpus.length,
    // Failed offers too: a re-check (a dispute of a failed report) must reach the node.
    offeredModels: async () =>
      (await listOffers(client, { provider, includeInactive: true, includeFailedHardware: true })).map(
        (o) => o.gpuModel,
      ),
  });
  const api = await createApiServer({
    db,
    runner,
    store,
    metrics,
    client,
    provider,
    saltOf,
    challenges,
    ledger,
    requestsPerMinute: p.config.requestsPerMinute,
  });
  const cleanup: (() => Promise<void>)[] = [
    async () => runner.close(),
    async () => client.close(),
    async () => db.close(),
  ];
  try {
    await api.listen({ host: p.config.host, port: p.config.port });
    cleanup.unshift(() => api.close());
    const address = api.server.address();
    const port = typeof address === "object" && address ? address.port : p.config.port;
    const url = p.config.publicUrl ?? `http://${p.config.host}:${port}`;
    const cpu = { cores: cpus().length, memoryGb: Math.floor(totalmem() / 1024 ** 3) };
    const attributes = JSON.stringify({
      ...p.config.attributes,
      runtimes: p.config.runtimes,
      gpus: hardware.gpus.map((g) => g.name),
      cpuCores: cpu.cores,
      memoryGb: cpu.memoryGb,
    });
    const offerIds = await syncProviderOnChain({
      client,
      provider,
      endpoint: url,
      attributes,
      stakeXpl: p.config.stake,
      offers: desiredOffers(p.config, hardware.gpus, cpu),
      logger,
    });
    // A node that is not running takes no leases: its offers go inactive on a clean stop (and on a failed
    // start from here on), and the sync above reactivates them on the next start.
    cleanup.unshift(async () => {
      await deactivateOffers({ client, offerIds, logger });
    });
    await runner.recover();
    const watcher = createLeaseWatcher({
      client,
      provider,
      db,
      logger,
      fromBlock: BigInt(p.deployment.deployedAtBlock),
      onLeaseOpened: (lease) => runner.onLeaseOpened(lease),
      onLeaseEnded: (leaseId) => {
        const job = db.getJob(leaseId.toString());
        if (job?.state === "running") runner.stop(leaseId.toString(), "the lease ended on chain");
      },
    });
    await watcher.start();
    cleanup.unshift(() => watcher.stop());
    const redeemer = startVoucherRedeemer({
      ledger,
      everySeconds: p.config.payments.redeemEverySeconds,
      minimum: parseEther(p.config.payments.redeemMinimumXpl),
      logger,
    });
    cleanup.unshift(() => redeemer.stop());
    const revealer = createSaltRevealer({ client, provider, saltOf, logger });
    await revealer.start(db.completedLeaseIds().map(BigInt));
    cleanup.unshift(async () => revealer.stop());
    logger.info({ url, provider, offers: offerIds.map(String) }, "provider node ready");
    return {
      url,
      offerIds,
      hardware,
      async stop() {
        for (const step of cleanup) await step().catch((error) => logger.warn({ err: error }, "while stopping"));
      },
    };
  } catch (error) {
    for (const step of cleanup) await step().catch(() => undefined);
    throw error;
  }
}
