/** A challenge (or the parameters asked of createChallenge) is malformed or out of bounds. */
export class ChallengeError extends Error {
  override name = "ChallengeError";
}

/** The claimed GPU model is not in the class table; challenge it as "cpu" explicitly if you must. */
export class UnknownGpuClassError extends ChallengeError {
  override name = "UnknownGpuClassError";
  readonly model: string;
  constructor(model: string, known: readonly string[]) {
    super(
      `unknown GPU model "${model}": no throughput class for it (known: ${known.join(", ")}). ` +
        `Add it to the class table, or challenge the offer as "cpu" explicitly`,
    );
    this.model = model;
  }
}

/** What went wrong running the Python/PyTorch challenge runner. */
export type GpuRunnerErrorCode =
  | "python-not-found"
  | "torch-missing"
  | "no-cuda"
  | "bad-challenge"
  | "malformed-output"
  | "failed"
  | "timeout"
  | "aborted";

/** The GPU runner could not produce a commitment; `code` says why, `stderr` holds its last output. */
export class GpuRunnerError extends Error {
  override name = "GpuRunnerError";
  readonly code: GpuRunnerErrorCode;
  readonly stderr: string;
  constructor(code: GpuRunnerErrorCode, message: string, stderr = "") {
    super(message);
    this.code = code;
    this.stderr = stderr;
  }
}
