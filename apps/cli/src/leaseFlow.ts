// Steps shared by the commands that open a lease for a job spec (run, serve).
import {
  getOffer,
  getProvider,
  type JobSpec,
  listOffers,
  ProviderApiError,
  providerRuntimes,
  submitJobSpec,
} from "@plasma/sdk";
import type { Address } from "viem";
import type { Context } from "./context.ts";
import { UsageError } from "./output.ts";
import { parsePositiveInteger, parsePricePerHour } from "./units.ts";

/** Picks the offer: the one asked for, or the cheapest that fits. */
export async function chooseOffer(
  ctx: Context,
  spec: JobSpec,
  o: { offer?: string | undefined; maxPrice?: string | undefined; provider?: string | undefined },
) {
  const runsSpec = async (provider: Address) =>
    providerRuntimes(await getProvider(ctx.client, provider)).includes(spec.runtime);
  if (o.offer !== undefined) {
    const offerId = BigInt(parsePositiveInteger(o.offer, "--offer"));
    const offer = await getOffer(ctx.client, offerId);
    if (!(await runsSpec(offer.provider)))
      throw new UsageError(`The provider of offer ${offerId} does not run ${spec.runtime} jobs.`, {
        metaMessages: ["Pick another offer, or leave out --offer to find one that does."],
      });
    return offerId;
  }
  const fitting = await listOffers(ctx.client, {
    gpuModel: spec.resources.gpuModel,
    minVramGb: spec.resources.minVramGb,
    maxPricePerGpuSecond: o.maxPrice === undefined ? undefined : parsePricePerHour(o.maxPrice, "--max-price"),
    provider: o.provider as `0x${string}` | undefined,
    minFreeGpus: Math.max(1, spec.resources.gpus),
  });
  const providers = [...new Set(fitting.map((offer) => offer.provider))];
  const running = new Set(
    (await Promise.all(providers.map(async (p) => ((await runsSpec(p)) ? p : null)))).filter(Boolean),
  );
  const best = fitting.find((offer) => running.has(offer.provider));
  if (!best) {
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
  return best.id;
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
