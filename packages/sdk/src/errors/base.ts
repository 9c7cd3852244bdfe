/** Options shared by every Plasma error. */
export type PlasmaErrorOptions = {
  /** Longer explanation: the values involved. */
  details?: string | undefined;
  /** What to do about it, one line each. */
  metaMessages?: string[] | undefined;
  /** Whether the same call may succeed if retried later (network trouble), or never will. */
  retryable?: boolean | undefined;
  cause?: unknown;
};

/**
 * The one base error of the SDK: a short message a user can read, details, hints, and whether
 * retrying can help. Every failure the SDK reports is a subclass with a fixed `name`.
 */
export class PlasmaError extends Error {
  override name = "PlasmaError";
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: string[];
  readonly retryable: boolean;

  constructor(shortMessage: string, options: PlasmaErrorOptions = {}) {
    const lines = [shortMessage];
    if (options.details) lines.push("", options.details);
    if (options.metaMessages?.length) lines.push("", ...options.metaMessages);
    super(lines.join("\n"), options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.metaMessages = options.metaMessages ?? [];
    this.retryable = options.retryable ?? false;
  }
}
