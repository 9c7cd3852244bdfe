import { computeMarketAbi } from "@plasma/contracts";
import { type LeaseOpenedEvent, type PlasmaClient, watchLeaseOpened, watchMarketEvents } from "@plasma/sdk";
import type { Address } from "viem";
import type { Logger } from "../logger.ts";
import type { ProviderDb } from "../state/db.ts";

export type LeaseWatcherHandlers = {
  onLeaseOpened(lease: LeaseOpenedEvent): Promise<void>;
  onLeaseEnded(leaseId: bigint, reason: number): void;
};

const CURSOR = "lastLeaseBlock";

/**
 * Delivers this provider's new leases: first those opened while the node was down (from the last
 * block it saw, so a restart misses nothing), then live ones through a subscription.
 */
export function createLeaseWatcher(
  o: {
    client: PlasmaClient;
    provider: Address;
    db: ProviderDb;
    logger: Logger;
    fromBlock: bigint;
  } & LeaseWatcherHandlers,
) {
  let unwatch: (() => void)[] = [];
  let queue = Promise.resolve();
  const handle = (lease: LeaseOpenedEvent) => {
    // One at a time and in order: each lease's start transaction uses the next nonce.
    queue = queue
      .then(() => o.onLeaseOpened(lease))
      .then(() => o.db.setMeta(CURSOR, lease.blockNumber.toString()))
      .catch((error) => o.logger.error({ err: error, leaseId: lease.leaseId.toString() }, "could not take a lease"));
    return queue;
  };
  return {
    async start() {
      const from = BigInt(o.db.getMeta(CURSOR) ?? o.fromBlock.toString());
      // Subscribe first, then catch up: a lease opened in between is seen twice and taken once.
      unwatch.push(
        watchLeaseOpened(o.client, {
          provider: o.provider,
          onLease: (l) => void handle(l),
          onError: (e) => o.logger.warn({ err: e }, "lease subscription error"),
        }),
      );
      unwatch.push(
        watchMarketEvents(o.client, {
          onEvent: (e) => {
            if (e.eventName === "LeaseEnded" && String(e.args.provider).toLowerCase() === o.provider.toLowerCase()) {
              o.onLeaseEnded(e.args.leaseId as bigint, Number(e.args.reason));
            }
          },
        }),
      );
      const missed = await o.client.public.getContractEvents({
        address: o.client.addresses.computeMarket,
        abi: computeMarketAbi,
        eventName: "LeaseOpened",
        args: { provider: o.provider },
        fromBlock: from,
        toBlock: "latest",
      });
      for (const log of missed) {
        await handle({
          ...(log.args as Omit<LeaseOpenedEvent, "blockNumber" | "transactionHash">),
          blockNumber: log.blockNumber,
          transactionHash: log.transactionHash,
        });
      }
    },
    async stop() {
      for (const u of unwatch) u();
      unwatch = [];
      await queue;
    },
  };
}
