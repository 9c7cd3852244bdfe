/** An API failure with an HTTP status, a stable code, and a hint for the caller. */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;
  /** Machine-readable facts for the caller (e.g. what a payment channel owes). */
  readonly details: Record<string, string> | undefined;
  constructor(status: number, code: string, message: string, hint?: string, details?: Record<string, string>) {
    super(message);
    this.status = status;
    this.code = code;
    this.hint = hint;
    this.details = details;
  }
}
