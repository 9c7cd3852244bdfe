import {
  createOffer,
  getOffer,
  getProvider,
  listOffers,
  type PlasmaClient,
  registerProvider,
  setRequestPrice,
  stake,
  updateOffer,
  updateProvider,
} from "@plasma/sdk";
import { type Address, parseEther } from "viem";
import type { ProviderConfig } from "../config.ts";
import type { Gpu } from "../hardware/nvidiaSmi.ts";
import type { Logger } from "../logger.ts";

/** An offer as the node wants it on chain. */
export type DesiredOffer = {
  gpuModel: string;
  vramGb: number;
  gpuCount: number;
  pricePerGpuSecond: bigint;
  pricePerRequest: bigint;
  region: string;
};

/**
 * The offers this node should publish: the config's, with blanks filled from the hardware. A node
 * without GPUs offers its CPU cores honestly, under the model name `cpu`.
 */
export function desiredOffers(
  config: ProviderConfig,
  gpus: Gpu[],
  cpu: { cores: number; memoryGb: number },
): DesiredOffer[] {
  const first = gpus[0];
  return config.offers.map((o) => ({
    gpuModel: o.gpuModel ?? first?.model ?? "cpu",
    vramGb: o.vramGb ?? first?.vramGb ?? Math.max(1, Math.floor(cpu.memoryGb / Math.max(1, cpu.cores))),
    gpuCount: o.gpus ?? (gpus.length > 0 ? gpus.length : cpu.cores),
    pricePerGpuSecond: parseEther(o.pricePerGpuHour) / 3600n,
    pricePerRequest: parseEther(o.pricePerRequest),
    region: o.region,
  }));
}

/** Registers the node, tops up its stake and makes its on-chain offers match the config. */
export async function syncProviderOnChain(o: {
  client: PlasmaClient;
  provider: Address;
  endpoint: string;
  attributes: string;
  stakeXpl: string;
  offers: DesiredOffer[];
  logger: Logger;
}): Promise<bigint[]> {
  const record = await getProvider(o.client, o.provider);
  if (!record.registered) await registerProvider(o.client, { endpoint: o.endpoint, attributes: o.attributes });
  else if (record.endpoint !== o.endpoint || record.attributes !== o.attributes)
    await updateProvider(o.client, { endpoint: o.endpoint, attributes: o.attributes });
  const wanted = parseEther(o.stakeXpl);
  if (record.stake < wanted) await stake(o.client, { amount: wanted - record.stake });
  const existing = await listOffers(o.client, { provider: o.provider, includeInactive: true });
  const kept: bigint[] = [];
  for (const want of o.offers) {
    const match = existing.find(
      (e) =>
        e.gpuModel === want.gpuModel && e.vramGb === want.vramGb && e.region === want.region && !kept.includes(e.id),
    );
    if (!match) {
      const { offerId } = await createOffer(o.client, want);
      if (want.pricePerRequest > 0n)
        await setRequestPrice(o.client, { offerId, pricePerRequest: want.pricePerRequest });
      o.logger.info(
        {
          offerId: offerId.toString(),
          ...want,
          pricePerGpuSecond: want.pricePerGpuSecond.toString(),
          pricePerRequest: want.pricePerRequest.toString(),
        },
        "offer published",
      );
      kept.push(offerId);
      continue;
    }
    kept.push(match.id);
    const gpuCount = Math.max(want.gpuCount, match.gpusInUse);
    if (match.pricePerGpuSecond !== want.pricePerGpuSecond || match.gpuCount !== gpuCount || !match.active) {
      await updateOffer(o.client, {
        offerId: match.id,
        pricePerGpuSecond: want.pricePerGpuSecond,
        gpuCount,
        active: true,
      });
      o.logger.info({ offerId: match.id.toString() }, "offer updated");
    }
    if (match.pricePerRequest !== want.pricePerRequest) {
      await setRequestPrice(o.client, { offerId: match.id, pricePerRequest: want.pricePerRequest });
      o.logger.info({ offerId: match.id.toString() }, "request price updated");
    }
  }
  for (const stale of existing.filter((e) => e.active && !kept.includes(e.id))) {
    await updateOffer(o.client, {
      offerId: stale.id,
      pricePerGpuSecond: stale.pricePerGpuSecond,
      gpuCount: stale.gpuCount,
      active: false,
    });
    o.logger.info({ offerId: stale.id.toString() }, "offer no longer in the config: deactivated");
  }
  return kept;
}

/**
 * Takes the node's offers off the market when it stops cleanly, so that no client opens a lease that
 * nobody will start. Price and GPU count stay; running leases go on; the next start reactivates them
 * ({@link syncProviderOnChain}). Offers already inactive are left alone.
 * @returns The offers it deactivated.
 */
export async function deactivateOffers(o: {
  client: PlasmaClient;
  offerIds: bigint[];
  logger: Logger;
}): Promise<bigint[]> {
  const deactivated: bigint[] = [];
  for (const offerId of o.offerIds) {
    const offer = await getOffer(o.client, offerId);
    if (!offer.active) continue;
    await updateOffer(o.client, {
      offerId,
      pricePerGpuSecond: offer.pricePerGpuSecond,
      gpuCount: offer.gpuCount,
      active: false,
    });
    deactivated.push(offerId);
  }
  if (deactivated.length > 0)
    o.logger.info({ offers: deactivated.map(String) }, "node stopping: offers deactivated until it starts again");
  return deactivated;
}
