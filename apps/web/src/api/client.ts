// The one way the app talks to the indexer's HTTP API: GET /api/v1/…, JSON back, and on failure an
// error carrying the API's own message (it names the problem and the fix), so pages can show it as is.

import type { ApiErrorBody } from "@plasma/indexer/api-types";

/** Query parameters; empty, null and undefined values are left out of the URL. */
export type QueryParams = Record<string, string | number | boolean | null | undefined>;

/** A failed API call: `status` 0 when the API could not be reached at all. */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  readonly code: string;

  constructor(message: string, status: number, code: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const PREFIX = "/api/v1";

/** Builds "/api/v1/path?a=1&b=2" from a path and parameters. */
export function apiUrl(path: string, params: QueryParams = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    search.set(key, String(value));
  }
  const query = search.toString();
  return `${PREFIX}${path}${query ? `?${query}` : ""}`;
}

function isApiErrorBody(body: unknown): body is ApiErrorBody {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string";
}

/** GETs an API path and returns its JSON; throws an {@link ApiError} on network failure or non-2xx. */
export async function apiGet<T>(path: string, params?: QueryParams, signal?: AbortSignal): Promise<T> {
  const url = apiUrl(path, params);
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" }, signal: signal ?? null });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError("The Plasma API cannot be reached. Check that the indexer is running.", 0, "unreachable");
  }
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    if (isApiErrorBody(body)) throw new ApiError(body.error.message, response.status, body.error.code);
    throw new ApiError(
      `The API answered ${response.status} ${response.statusText} for ${url}.`,
      response.status,
      "http",
    );
  }
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(`The API answered ${url} with something that is not JSON.`, response.status, "bad_json");
  }
}
