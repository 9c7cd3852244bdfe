// Steps shared by the commands that open a lease for a job spec (run, serve).
import {
  getLease,
  getOffer,
  getProvider,
  type JobSpec,
  listOffers,
  type Offer,
  PlasmaError,
  ProviderApiError,
  providerRuntimes,
  submitJobSpec,
} from "@plasma/sdk";
import type { Address } from "viem";
import type { Context } from "./context.ts";
import { UsageError } from "./output.ts";
import { formatDuration, formatTime, parsePositiveInteger, parsePricePerHour, xpl } from "./units.ts";

/** How long a provider's /healthz may take before it counts as down. */
const HEALTH_TIMEOUT_MS = 3000;

/** The providers of the chosen offers do not answer: retrying later may help. */
export class ProviderDownError extends PlasmaError {
  override name = "ProviderDownError";
}

/** An offer passed over because its provider's node did not answer its health check. */
export type SkippedOffer = { offerId: bigint; provider: Address; endpoint: string; reason: string };

/**
 * Asks a provider's node whether it is up (`GET /healthz`) and whether it is that provider's node.
 * @returns null when it answers as `provider`, else why not.
 */
export async function providerHealthProblem(endpoint: string, provider: Address): Promise<string | null> {
  let url: URL;
  try {
    url = new URL("/healthz", endpoint);
  } catch {
    return "its endpoint is not a URL";
  }
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    if (!response.ok) return `its health check answered HTTP ${response.status}`;
    const body = (await response.json().catch(() => ({}))) as { ok?: unknown; provider?: unknown };
    if (body.ok !== true) return "its health check did not answer ok";
    if (typeof body.provider === "string" && body.provider.toLowerCase() !== provider.toLowerCase())
      return `the node there is ${body.provider}'s, not this provider's`;
    return null;
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    if (e.name === "TimeoutError") return `no answer within ${HEALTH_TIMEOUT_MS / 1000} s`;
    return e.cause?.code === "ECONNREFUSED" ? "connection refused" : (e.cause?.code ?? e.message);
  }
}

/** One line per skipped offer, for people. */
export function describeSkipped(skipped: SkippedOffer[]): string[] {
  return skipped.map(
    (s) => `skipped offer ${s.offerId}: its provider ${s.provider} does not answer at ${s.endpoint} (${s.reason})`,
  );
}

/**
 * Picks the offer: the one asked for, or the best-ranked one that fits (see `listOffers`), and in both
 * cases only one whose provider's node answers its health check, so that no escrow is locked with a
 * provider that is down. Offers passed over for that are returned, to be reported.
 */
export async function chooseOffer(
  ctx: Context,
  spec: JobSpec,
  o: { offer?: string | undefined; maxPrice?: string | undefined; provider?: string | undefined },
): Promise<{ offerId: bigint; skipped: SkippedOffer[] }> {
  const records = new Map<Address, ReturnType<typeof getProvider>>();
  const providerOf = (address: Address) => {
    const key = address.toLowerCase() as Address;
    if (!records.has(key)) records.set(key, getProvider(ctx.client, address));
    return records.get(key) as ReturnType<typeof getProvider>;
  };
  const runsSpec = async (provider: Address) => providerRuntimes(await providerOf(provider)).includes(spec.runtime);
  const health = new Map<string, Promise<string | null>>();
  const problemOf = async (offer: Offer) => {
    const key = offer.provider.toLowerCase();
    if (!health.has(key))
      health.set(
        key,
        providerOf(offer.provider).then((p) => providerHealthProblem(p.endpoint, offer.provider)),
      );
    return health.get(key) as Promise<string | null>;
  };
  const skip = async (offer: Offer, reason: string): Promise<SkippedOffer> => ({
    offerId: offer.id,
    provider: offer.provider,
    endpoint: (await providerOf(offer.provider)).endpoint,
    reason,
  });

  if (o.offer !== undefined) {
    const offerId = BigInt(parsePositiveInteger(o.offer, "--offer"));
    const offer = await getOffer(ctx.client, offerId);
    if (!(await runsSpec(offer.provider)))
      throw new UsageError(`The provider of offer ${offerId} does not run ${spec.runtime} jobs.`, {
        metaMessages: ["Pick another offer, or leave out --offer to find one that does."],
      });
    const problem = await problemOf(offer);
    if (problem) {
      const [line] = describeSkipped([await skip(offer, problem)]);
      throw new ProviderDownError(`Offer ${offerId}'s provider is down: no lease was opened.`, {
        details: line?.replace(/^skipped /, ""),
        metaMessages: ["Try again later, or leave out --offer to use another provider's offer."],
        retryable: true,
      });
    }
    return { offerId, skipped: [] };
  }
  const fitting = await listOffers(ctx.client, {
    gpuModel: spec.resources.gpuModel,
    minVramGb: spec.resources.minVramGb,
    maxPricePerGpuSecond: o.maxPrice === undefined ? undefined : parsePricePerHour(o.maxPrice, "--max-price"),
    provider: o.provider as `0x${string}` | undefined,
    minFreeGpus: Math.max(1, spec.resources.gpus),
  });
  const runnable = (
    await Promise.all(fitting.map(async (offer) => ((await runsSpec(offer.provider)) ? offer : null)))
  ).filter((offer): offer is Offer => offer !== null);
  if (runnable.length === 0) {
    throw new UsageError(
      fitting.length
        ? `No offer that fits this job comes from a provider that runs ${spec.runtime} jobs.`
        : "No offer fits this job.",
      {
        metaMessages: [
          "See what is on offer with `plasma market offers --all`, and loosen --gpu-model, --min-vram or --max-price.",
        ],
      },
    );
  }
  // Every provider is asked at once; the best-ranked offer whose provider answers wins.
  const problems = await Promise.all(runnable.map(problemOf));
  const skipped: SkippedOffer[] = [];
  for (const [i, offer] of runnable.entries()) {
    const problem = problems[i];
    if (!problem) return { offerId: offer.id, skipped };
    skipped.push(await skip(offer, problem));
  }
  throw new ProviderDownError(
    `The provider of every offer that fits this job is down (${skipped.length} offer${skipped.length === 1 ? "" : "s"}): no lease was opened.`,
    {
      details: describeSkipped(skipped)
        .map((line) => line.replace(/^skipped /, ""))
        .join("\n  "),
      metaMessages: ["Try again later, or loosen --gpu-model, --min-vram or --max-price to reach other providers."],
      retryable: true,
    },
  );
}

/**
 * What to tell the client when a lease's provider stops answering after the lease was opened: where the
 * lease stands on chain and the exact command that gets its escrow back. Other errors pass unchanged.
 */
export async function explainStrandedLease(ctx: Context, leaseId: bigint, error: unknown): Promise<unknown> {
  if (!(error instanceof ProviderApiError) || error.status !== 0) return error;
  const [lease, block] = await Promise.all([
    getLease(ctx.client, leaseId).catch(() => undefined),
    ctx.client.public.getBlock().catch(() => undefined),
  ]);
  if (!lease) return error;
  const wait = block ? lease.startBy - Number(block.timestamp) : 0;
  const hints =
    lease.status === "open"
      ? [
          `Lease ${leaseId} was never started. Its escrow of ${xpl(lease.escrow)} comes back, with the no-show penalty, once its start deadline has passed (${formatTime(lease.startBy)}${wait > 0 ? `, in ${formatDuration(wait)}` : ""}): plasma lease cancel ${leaseId}`,
        ]
      : lease.status === "running"
        ? [
            `Lease ${leaseId} is running on chain. Follow it again if the provider comes back: plasma logs ${leaseId}`,
            `A provider that restarts fails the lease and refunds every unsettled second; or stop it now and pay only the seconds used: plasma lease stop ${leaseId}`,
          ]
        : [`Lease ${leaseId} has ended (${lease.endReason}): plasma lease status ${leaseId}`];
  return new ProviderDownError(`Lease ${leaseId}'s provider stopped answering: ${error.shortMessage}`, {
    metaMessages: hints,
    retryable: true,
    cause: error,
  });
}

/** Sends the spec, retrying while the provider has not yet seen the new lease (bounded). */
export async function sendSpec(api: Parameters<typeof submitJobSpec>[0], spec: JobSpec) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await submitJobSpec(api, spec);
    } catch (error) {
      const notYet = error instanceof ProviderApiError && ["unknown-lease", "lease-not-started"].includes(error.code);
      if (!notYet || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250)); // the provider takes the lease from its chain subscription
    }
  }
}
