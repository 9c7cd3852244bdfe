import { verificationManagerAbi } from "@plasma/contracts";
import {
  getLease,
  getVerification,
  type PlasmaClient,
  revealSalt,
  type Verification,
  type VerificationStage,
} from "@plasma/sdk";
import type { Address, Hex } from "viem";
import type { Logger } from "../logger.ts";

/**
 * Opens the provider's result commitments when a validator has committed to its own result: the only
 * moment the salt may be public. Watches the verification manager's `ResultCommitted` events, and on start
 * catches up on the given leases (a restart must not miss a window: missing it counts as a wrong result).
 */
export function createSaltRevealer(o: {
  client: PlasmaClient;
  provider: Address;
  saltOf: (leaseId: string) => Hex;
  logger: Logger;
}) {
  const inFlight = new Set<string>();

  async function revealIfAsked(leaseId: bigint, known?: Verification): Promise<VerificationStage | null> {
    const id = leaseId.toString();
    if (inFlight.has(id)) return null;
    inFlight.add(id);
    try {
      const v = known ?? (await getVerification(o.client, leaseId));
      if (v.stage !== "committed") return v.stage;
      const lease = await getLease(o.client, leaseId);
      if (lease.provider.toLowerCase() !== o.provider.toLowerCase()) return v.stage;
      await revealSalt(o.client, leaseId, o.saltOf(id));
      o.logger.info({ leaseId: id }, "a validator committed: revealed the result salt");
      return "revealed";
    } catch (error) {
      o.logger.warn({ leaseId: id, err: error }, "could not reveal the result salt");
      return null;
    } finally {
      inFlight.delete(id);
    }
  }

  let unwatch: (() => void) | null = null;
  return {
    revealIfAsked,
    /** Reveals for `leaseIds` that wait for it now, then follows new commitments. */
    async start(leaseIds: bigint[]): Promise<void> {
      for (const id of leaseIds) await revealIfAsked(id);
      unwatch = o.client.events.watchContractEvent({
        address: o.client.addresses.verificationManager,
        abi: verificationManagerAbi,
        eventName: "ResultCommitted",
        onLogs: (logs) => {
          for (const log of logs) if (log.args.leaseId !== undefined) void revealIfAsked(log.args.leaseId);
        },
        onError: (error) => o.logger.warn({ err: error }, "verification watcher error"),
      });
    },
    stop(): void {
      unwatch?.();
      unwatch = null;
    },
  };
}
