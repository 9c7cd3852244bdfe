import {
  createOffer,
  createPlasmaClient,
  type DevAccountName,
  type Devnet,
  type PlasmaClient,
  registerProvider,
  stake,
  startDevnet,
} from "@plasma/sdk";
import { createTestClient, http, parseEther } from "viem";

/** A fresh devnet plus a client per dev account, for one test file. */
export type TestNet = {
  devnet: Devnet;
  as(name: DevAccountName): PlasmaClient;
  /** Moves the chain's clock forward and mines a block. */
  warp(seconds: number): Promise<void>;
  /** Current chain time. */
  now(): Promise<number>;
  stop(): Promise<void>;
};

export async function startTestNet(): Promise<TestNet> {
  const devnet = await startDevnet({ port: 0 });
  const clients = new Map<DevAccountName, PlasmaClient>();
  const testClient = createTestClient({ mode: "anvil", transport: http(devnet.deployment.rpcUrl) });
  const accounts = devnet.deployment.devAccounts ?? {};
  return {
    devnet,
    as(name) {
      let client = clients.get(name);
      if (!client) {
        const key = accounts[name]?.privateKey as `0x${string}`;
        client = createPlasmaClient({ deployment: devnet.deployment, account: key, pollingInterval: 50 });
        clients.set(name, client);
      }
      return client;
    },
    async warp(seconds) {
      await testClient.increaseTime({ seconds });
      await testClient.mine({ blocks: 1 });
    },
    async now() {
      const client = createPlasmaClient({ deployment: devnet.deployment });
      return Number((await client.public.getBlock()).timestamp);
    },
    async stop() {
      await Promise.all([...clients.values()].map((c) => c.close()));
      await devnet.stop();
    },
  };
}

/** Resolves with the first value `subscribe` delivers, or rejects after `ms` (a guard, not a wait). */
export function firstEvent<T>(subscribe: (deliver: (value: T) => void) => () => void, ms = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no event within ${ms} ms`));
    }, ms);
    const unsubscribe = subscribe((value) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

/** Registers dev account `name` as a provider at `endpoint`, stakes 5000 XPL and publishes one H100 offer. */
export async function publishOffer(
  net: TestNet,
  name: DevAccountName,
  p: { endpoint: string; attributes?: string; gpuCount: number; pricePerGpuSecond: bigint },
): Promise<bigint> {
  const provider = net.as(name);
  await registerProvider(provider, { endpoint: p.endpoint, ...(p.attributes ? { attributes: p.attributes } : {}) });
  await stake(provider, { amount: parseEther("5000") });
  const { offerId } = await createOffer(provider, {
    gpuModel: "H100",
    vramGb: 80,
    gpuCount: p.gpuCount,
    pricePerGpuSecond: p.pricePerGpuSecond,
    region: "eu",
  });
  return offerId;
}
