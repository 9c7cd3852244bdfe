// Turns raw logs of the Plasma contracts into named events with JSON-safe arguments: the form they
// are stored in, so that live indexing and a rebuild from the events table apply the same input.
import {
  computeMarketAbi,
  hardwareChecksAbi,
  paymentChannelsAbi,
  plasmaGovernorAbi,
  protocolParametersAbi,
  providerRegistryAbi,
  rewardsDistributorAbi,
  timelockControllerAbi,
  validatorSetAbi,
  verificationManagerAbi,
  xplTokenAbi,
} from "@plasma/contracts";
import type { Deployment } from "@plasma/sdk";
import { type Abi, type Address, decodeEventLog, type Log } from "viem";

/** A stored argument: bigints become decimal strings, arrays stay arrays. */
export type JsonArg = string | number | boolean | JsonArg[];
export type EventArgs = Record<string, JsonArg>;

/** One decoded contract event, positioned in the chain. */
export type IndexedEvent = {
  blockNumber: number;
  logIndex: number;
  blockHash: string;
  txHash: string;
  timestamp: number;
  /** The deployment's name for the emitting contract, e.g. "computeMarket". */
  contract: string;
  name: string;
  args: EventArgs;
};

/** Each contract of a deployment with the ABI its events are decoded with. */
export const CONTRACT_ABIS: Record<keyof Deployment["contracts"], Abi> = {
  xplToken: xplTokenAbi,
  protocolParameters: protocolParametersAbi,
  providerRegistry: providerRegistryAbi,
  computeMarket: computeMarketAbi,
  rewardsDistributor: rewardsDistributorAbi,
  verificationManager: verificationManagerAbi,
  validatorSet: validatorSetAbi,
  hardwareChecks: hardwareChecksAbi,
  paymentChannels: paymentChannelsAbi,
  timelock: timelockControllerAbi,
  governor: plasmaGovernorAbi,
};

/** Every event type the contracts can emit, as "contract.Event". */
export function allEventTypes(): string[] {
  return Object.entries(CONTRACT_ABIS).flatMap(([contract, abi]) =>
    abi.filter((item) => item.type === "event").map((item) => `${contract}.${(item as { name: string }).name}`),
  );
}

/** Decodes the logs of one deployment; a log from an unknown address or with an unknown topic is an error. */
export function createDecoder(contracts: Deployment["contracts"]) {
  const byAddress = new Map<string, { contract: string; abi: Abi }>(
    Object.entries(contracts).map(([contract, address]) => [
      address.toLowerCase(),
      { contract, abi: CONTRACT_ABIS[contract as keyof Deployment["contracts"]] },
    ]),
  );
  return {
    addresses: Object.values(contracts) as Address[],
    decode(log: Log, timestamp: number): IndexedEvent {
      const source = byAddress.get(log.address.toLowerCase());
      if (!source) throw new Error(`Log from ${log.address}, which is not a Plasma contract of this deployment.`);
      const decoded = decodeEventLog({ abi: source.abi, data: log.data, topics: log.topics, strict: true });
      return {
        blockNumber: Number(log.blockNumber),
        logIndex: Number(log.logIndex),
        blockHash: log.blockHash as string,
        txHash: log.transactionHash as string,
        timestamp,
        contract: source.contract,
        name: String(decoded.eventName),
        args: toJson((decoded.args ?? {}) as Record<string, unknown>),
      };
    },
  };
}

function toJson(args: Record<string, unknown>): EventArgs {
  const out: EventArgs = {};
  for (const [key, value] of Object.entries(args)) out[key] = jsonArg(value);
  return out;
}

function jsonArg(value: unknown): JsonArg {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonArg);
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return String(value);
}
