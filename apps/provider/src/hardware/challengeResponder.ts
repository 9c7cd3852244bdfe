import {
  type CommittedRun,
  type HardwareChallenge,
  type OpenedRow,
  openRows,
  resolveHardwareClass,
  runCpuChallenge,
  runGpuChallenge,
  validateChallenge,
} from "@plasma/verify";
import { ApiError } from "../api/errors.ts";

/**
 * The provider's side of a proof-of-GPU challenge: run the seeded workload on this node's hardware (the GPU
 * runner when it has GPUs, the CPU runner otherwise), commit to the outputs, then open the rows the validator
 * picks. One challenge at a time: a second one waits for its turn with a 429.
 */
export type ChallengeResponder = ReturnType<typeof createChallengeResponder>;

export function createChallengeResponder(o: { gpuCount: number; offeredModels: () => Promise<string[]> }) {
  const runs = new Map<string, { challenge: HardwareChallenge; run: CommittedRun }>();
  let busy = false;

  return {
    async commit(body: unknown): Promise<{ challengeId: string; root: string; computeMs: number; runner: string }> {
      let challenge: HardwareChallenge;
      try {
        challenge = validateChallenge(body as HardwareChallenge);
      } catch (error) {
        throw new ApiError(
          400,
          "invalid-challenge",
          `The hardware challenge is not valid: ${(error as Error).message}`,
        );
      }
      const cls = resolveHardwareClass(challenge.gpuModel).id;
      const models = await o.offeredModels();
      if (!models.some((m) => safeClass(m) === cls)) {
        throw new ApiError(
          400,
          "not-offered",
          `This node offers ${models.join(", ") || "nothing"}, not ${challenge.gpuModel}.`,
          "Challenge one of its offers.",
        );
      }
      if (busy)
        throw new ApiError(429, "busy", "This node is running another hardware challenge.", "Retry in a minute.");
      busy = true;
      try {
        const run =
          o.gpuCount > 0 && cls !== "cpu" ? await runGpuChallenge(challenge) : await runCpuChallenge(challenge);
        runs.set(challenge.id, { challenge, run });
        // Keep only the latest few: an unopened challenge is the validator's loss, not the node's memory.
        for (const id of [...runs.keys()].slice(0, -4)) runs.delete(id);
        return { challengeId: challenge.id, root: run.root, computeMs: run.computeMs, runner: run.runner };
      } finally {
        busy = false;
      }
    },
    open(challengeId: string, nonce: unknown): OpenedRow[] {
      const entry = runs.get(challengeId);
      if (!entry) throw new ApiError(404, "unknown-challenge", `No committed run for challenge ${challengeId}.`);
      if (typeof nonce !== "string" || !/^0x[0-9a-f]{64}$/i.test(nonce))
        throw new ApiError(400, "invalid-nonce", "The nonce must be 32 bytes of hex (0x…).");
      runs.delete(challengeId); // one opening per commitment
      return openRows(entry.challenge, entry.run, nonce);
    },
  };
}

function safeClass(model: string): string | null {
  try {
    return resolveHardwareClass(model).id;
  } catch {
    return null;
  }
}
