import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hash,
  http,
  nonceManager,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
  webSocket,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Deployment } from "../deploymentSchema.ts";
import { toPlasmaError } from "../errors/contract.ts";
import { AccountRequiredError, TransactionRevertedError } from "../errors/errors.ts";

/** Options of {@link createPlasmaClient}. */
export type CreatePlasmaClientParameters = {
  /** The deployment to talk to (from `readDeployment`). */
  deployment: Deployment;
  /** RPC URL; defaults to the deployment's. */
  rpcUrl?: string | undefined;
  /** WebSocket URL for event subscriptions; defaults to the deployment's. Without one, watchers poll. */
  wsUrl?: string | undefined;
  /** Signer for writes: a viem account or a 0x-prefixed private key. Reads need none. */
  account?: Account | `0x${string}` | undefined;
  /** Poll interval (ms) for receipts and, without a WebSocket, for watchers. */
  pollingInterval?: number | undefined;
  /**
   * Where writes are signed and sent, when not by a local key: a browser wallet, `custom(window.ethereum)`
   * (EIP-1193), with `account` set to its address. Reads still go to `rpcUrl`.
   */
  walletTransport?: Transport | undefined;
};

/** A client for one Plasma deployment: viem clients plus the contract addresses. */
export type PlasmaClient = {
  deployment: Deployment;
  chain: Chain;
  rpcUrl: string;
  /** Reads and receipts, over HTTP with JSON-RPC batching. */
  public: PublicClient<Transport, Chain>;
  /** Event subscriptions: WebSocket (`eth_subscribe`) when available, else the HTTP client. */
  events: PublicClient<Transport, Chain>;
  /** Writes; undefined without an account. */
  wallet: WalletClient<Transport, Chain, Account> | undefined;
  account: Account | undefined;
  addresses: Deployment["contracts"];
  /** Closes WebSocket connections so the process can exit. */
  close(): Promise<void>;
};

/**
 * Creates a client for a Plasma deployment.
 * @param parameters The deployment, and optionally an account and endpoints.
 * @returns A {@link PlasmaClient} that the actions of this SDK take as their first argument.
 * @example
 * const client = createPlasmaClient({ deployment: readDeployment(path), account: "0xac09…" });
 * const offers = await listOffers(client, { gpuModel: "H100" });
 */
export function createPlasmaClient(parameters: CreatePlasmaClientParameters): PlasmaClient {
  const { deployment } = parameters;
  const rpcUrl = parameters.rpcUrl ?? deployment.rpcUrl;
  const wsUrl = parameters.wsUrl ?? deployment.wsUrl;
  const pollingInterval = parameters.pollingInterval ?? 250;
  const chain = defineChain({
    id: deployment.chainId,
    name: `Plasma (chain ${deployment.chainId})`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl], ...(wsUrl ? { webSocket: [wsUrl] } : {}) } },
  });
  const transport = http(rpcUrl, { batch: true, retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval }) as PublicClient<Transport, Chain>;
  // Remember whether the WebSocket was ever used, so that close() does not open one just to close it.
  const shared = wsUrl ? socketUsers(wsUrl) : undefined;
  let closed = false;
  let usedSocket = false;
  const markUsed = () => {
    if (shared && !usedSocket) shared.clients += 1;
    usedSocket = true;
  };
  const wsTransport = wsUrl
    ? (options: Parameters<ReturnType<typeof webSocket>>[0]) => {
        const t = webSocket(wsUrl, { retryCount: 0 })(options);
        const { request } = t;
        const { subscribe, getRpcClient } = t.value ?? {};
        // viem caches a socket per URL only once it is open: two first uses in different ticks would open two,
        // and the one that lost the cache would never be closed. So every use waits for one shared opening.
        const opened = async () => {
          if (closed) throw new Error("This Plasma client was closed.");
          markUsed();
          if (!getRpcClient || !shared) return;
          shared.opening ??= getRpcClient();
          await shared.opening;
          // Closed while the socket opened (a node stopped right after it started): subscribing now would
          // open a fresh socket that nobody closes.
          if (closed) throw new Error("This Plasma client was closed.");
        };
        t.request = (async (args: unknown) => {
          await opened();
          return (request as (a: unknown) => unknown)(args);
        }) as typeof request;
        if (t.value && subscribe) {
          t.value.subscribe = async (args) => {
            await opened();
            return subscribe(args);
          };
        }
        return t;
      }
    : undefined;
  const events = wsTransport
    ? (createPublicClient({ chain, transport: wsTransport, pollingInterval }) as PublicClient<Transport, Chain>)
    : publicClient;
  // The nonce manager lets one process send several transactions at once without nonce clashes.
  const account =
    typeof parameters.account === "string"
      ? privateKeyToAccount(parameters.account, { nonceManager })
      : parameters.account;
  const wallet = account
    ? createWalletClient({ chain, transport: parameters.walletTransport ?? transport, account, pollingInterval })
    : undefined;
  return {
    deployment,
    chain,
    rpcUrl,
    public: publicClient,
    events,
    wallet,
    account,
    addresses: deployment.contracts,
    async close() {
      if (!wsTransport || !shared || !usedSocket || closed) return;
      closed = true;
      // viem shares one socket per URL among all clients of a process (a devnet runs a provider and a
      // validator side by side): only the last client that used it closes it, or the others' would die.
      shared.clients -= 1;
      if (shared.clients > 0) return;
      shared.opening = undefined;
      sockets.delete(wsUrl as string);
      const transport = events.transport as unknown as { getRpcClient(): Promise<{ close(): void }> };
      const rpc = await transport.getRpcClient().catch(() => undefined);
      rpc?.close();
    },
  };
}

/** PlasmaClients of this process that used the WebSocket of a URL and have not closed. */
type SocketUsers = { clients: number; opening?: Promise<unknown> | undefined };
const sockets = new Map<string, SocketUsers>();
function socketUsers(url: string): SocketUsers {
  let entry = sockets.get(url);
  if (!entry) {
    entry = { clients: 0 };
    sockets.set(url, entry);
  }
  return entry;
}

/** Returns the client's wallet, or explains that the action needs an account. */
export function requireWallet(client: PlasmaClient, action: string): WalletClient<Transport, Chain, Account> {
  if (!client.wallet) throw new AccountRequiredError(action);
  return client.wallet;
}

/** The signing account's address. */
export function accountAddress(client: PlasmaClient, action: string): Address {
  return requireWallet(client, action).account.address;
}

/**
 * Sends a transaction built by `send`, waits for its receipt and fails loudly if it reverted.
 * Errors come back as Plasma errors (decoded contract errors, unreachable RPC).
 */
export async function transact(client: PlasmaClient, send: () => Promise<Hash>): Promise<TransactionReceipt> {
  try {
    const hash = await send();
    const receipt = await client.public.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new TransactionRevertedError(hash);
    return receipt;
  } catch (error) {
    throw toPlasmaError(error, client.rpcUrl);
  }
}

/**
 * Calls a contract function from the client's account and waits for it to be mined. The ABI
 * carries every Plasma error, so a revert comes back decoded.
 * @param action What is being done, for the "needs an account" error (e.g. "Opening a lease").
 */
export async function writeAndWait(
  client: PlasmaClient,
  action: string,
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[] },
): Promise<TransactionReceipt> {
  const wallet = requireWallet(client, action);
  return transact(client, async () => {
    const request = { address: call.address, abi: call.abi, functionName: call.functionName, args: call.args };
    const estimate = await client.public.estimateContractGas({ ...request, account: wallet.account } as never);
    return wallet.writeContract({ ...request, gas: withHeadroom(estimate) } as never);
  });
}

/**
 * The gas limit sent for an estimate. The market's gas depends on the block's time: a lease ended in
 * the second it started pays nobody, while one second later it pays the provider, the fee and the
 * builder share (up to three fresh storage slots, ~75k gas), so an estimate one block early runs short.
 * Unused gas is not charged, so the fixed margin costs nothing.
 */
function withHeadroom(estimate: bigint): bigint {
  // A verified lease's paid ending also locks its payout in verification and books the epoch's work (fresh
  // slots of their own), so the margin covers ~300k gas more than an estimate made a second too early.
  return estimate + estimate / 2n + 300_000n;
}

/** Runs a read and converts its errors to Plasma errors. */
export async function read<T>(client: PlasmaClient, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toPlasmaError(error, client.rpcUrl);
  }
}
