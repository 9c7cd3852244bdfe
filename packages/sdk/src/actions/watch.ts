import { computeMarketAbi } from "@plasma/contracts";
import type { Address, Log } from "viem";
import type { PlasmaClient } from "../clients/createPlasmaClient.ts";
import { toPlasmaError } from "../errors/contract.ts";

/** A `LeaseOpened` event, decoded. */
export type LeaseOpenedEvent = {
  leaseId: bigint;
  provider: Address;
  client: Address;
  offerId: bigint;
  gpus: number;
  maxSeconds: number;
  pricePerGpuSecond: bigint;
  escrow: bigint;
  specHash: `0x${string}`;
  builder: Address;
  startBy: number;
  blockNumber: bigint;
  transactionHash: `0x${string}`;
};

/** Any market event, decoded, with its name. */
export type MarketEvent = {
  eventName: string;
  args: Record<string, unknown>;
  blockNumber: bigint;
  transactionHash: `0x${string}`;
};

/**
 * Calls `onLease` for every new lease, optionally only a given provider's or client's.
 * Uses an `eth_subscribe` subscription when the client has a WebSocket URL, else log polling.
 * @returns A function that stops watching.
 * @example const stop = watchLeaseOpened(client, { provider: me, onLease: (l) => console.log(l.leaseId) });
 */
export function watchLeaseOpened(
  client: PlasmaClient,
  p: {
    provider?: Address;
    client?: Address;
    onLease: (lease: LeaseOpenedEvent) => void;
    onError?: (error: unknown) => void;
  },
): () => void {
  return client.events.watchContractEvent({
    address: client.addresses.computeMarket,
    abi: computeMarketAbi,
    eventName: "LeaseOpened",
    args: { ...(p.provider ? { provider: p.provider } : {}), ...(p.client ? { client: p.client } : {}) },
    onLogs: (logs) => {
      for (const log of logs) {
        p.onLease({
          ...log.args,
          blockNumber: log.blockNumber,
          transactionHash: log.transactionHash,
        } as LeaseOpenedEvent);
      }
    },
    onError: (error) => p.onError?.(toPlasmaError(error, client.rpcUrl)),
  });
}

/**
 * Calls `onEvent` for every market event (lease opened, started, settled, ended, fees), optionally
 * of one lease only.
 * @returns A function that stops watching.
 */
export function watchMarketEvents(
  client: PlasmaClient,
  p: { leaseId?: bigint; onEvent: (event: MarketEvent) => void; onError?: (error: unknown) => void },
): () => void {
  return client.events.watchContractEvent({
    address: client.addresses.computeMarket,
    abi: computeMarketAbi,
    onLogs: (logs) => {
      for (const log of logs as (Log & { eventName: string; args: Record<string, unknown> })[]) {
        if (p.leaseId !== undefined && log.args.leaseId !== p.leaseId) continue;
        p.onEvent({
          eventName: log.eventName,
          args: log.args,
          blockNumber: log.blockNumber ?? 0n,
          transactionHash: log.transactionHash ?? "0x",
        });
      }
    },
    onError: (error) => p.onError?.(toPlasmaError(error, client.rpcUrl)),
  });
}
