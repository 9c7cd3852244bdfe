import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { Address, Hex } from "viem";
import type { PlasmaClient } from "../clients/createPlasmaClient.ts";
import { PlasmaError } from "../errors/base.ts";
import { canonicalJobSpec, type JobSpec, parseJobSpec } from "../spec/jobSpec.ts";
import { signRequest } from "./signing.ts";

/** The provider answered with an error, or could not be reached. */
export class ProviderApiError extends PlasmaError {
  override name = "ProviderApiError";
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string, hint?: string, cause?: unknown) {
    super(message, { metaMessages: hint ? [hint] : [], retryable: status === 0 || status >= 500, cause });
    this.status = status;
    this.code = code;
  }
}

/** A job as its provider reports it. */
export type JobStatus = {
  leaseId: string;
  state: "opened" | "awaiting-spec" | "awaiting-inputs" | "starting" | "running" | "finishing" | "done" | "failed";
  missingInputs: string[];
  exitCode: number | null;
  timedOut: boolean;
  memoryExceeded: boolean;
  error: string | null;
  startedAt: number | null;
  endedAt: number | null;
  /** For a service lease: whether its model server answers its health check, and how often it was restarted. */
  service?: { ready: boolean; restarts: number } | undefined;
};

/** One output file, as listed in the manifest whose hash is on chain. */
export type OutputEntry = { path: string; size: number; sha256: string };

/** What the provider's log stream delivers. */
export type LogEvent =
  | { type: "log"; stream: "stdout" | "stderr" | "system"; text: string }
  | { type: "status"; status: JobStatus }
  | { type: "end"; status: JobStatus };

/** Where a lease's job lives: the provider's endpoint and the client that may talk to it. */
export type ProviderApi = { client: PlasmaClient; endpoint: string; leaseId: bigint };

async function call(
  api: ProviderApi,
  method: string,
  path: string,
  body?: Uint8Array | string,
  contentType?: string,
  signal?: AbortSignal,
): Promise<Response> {
  const url = new URL(path, api.endpoint);
  // Signs the target exactly as it is sent (the provider checks the path and the query string).
  const headers = await signRequest(api.client, {
    leaseId: api.leaseId,
    method,
    path: `${url.pathname}${url.search}`,
    ...(body === undefined ? {} : { body }),
  });
  if (contentType) headers["content-type"] = contentType;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body as Uint8Array<ArrayBuffer> | string | undefined,
      signal: signal ?? null,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ProviderApiError(
      0,
      "unreachable",
      `Cannot reach the provider at ${api.endpoint}.`,
      "It may be down; the lease can be stopped or cancelled on chain.",
      error,
    );
  }
  if (!response.ok) {
    const text = await response.text();
    let parsed: { error?: { code?: string; message?: string; hint?: string } } = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: report the text
    }
    throw new ProviderApiError(
      response.status,
      parsed.error?.code ?? `http-${response.status}`,
      parsed.error?.message ?? `The provider answered ${response.status}: ${text.slice(0, 200)}`,
      parsed.error?.hint,
    );
  }
  return response;
}

const leasePath = (api: ProviderApi, rest = "") => `/v1/leases/${api.leaseId}${rest}`;

/** Sends the job spec; the provider checks its hash against the lease's `specHash`. */
export async function submitJobSpec(api: ProviderApi, spec: JobSpec): Promise<JobStatus> {
  return (
    await call(api, "POST", leasePath(api, "/spec"), canonicalJobSpec(spec), "application/json")
  ).json() as Promise<JobStatus>;
}

/** Uploads one input file; the provider checks its sha256 against the spec. */
export async function uploadJobInput(api: ProviderApi, path: string, bytes: Uint8Array): Promise<JobStatus> {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return (
    await call(api, "PUT", leasePath(api, `/inputs/${encoded}`), bytes, "application/octet-stream")
  ).json() as Promise<JobStatus>;
}

/** The job's current state. */
export async function getJobStatus(api: ProviderApi): Promise<JobStatus> {
  return (await call(api, "GET", leasePath(api))).json() as Promise<JobStatus>;
}

/** Asks the provider to stop the job (the client can also stop the lease on chain). */
export async function stopJob(api: ProviderApi): Promise<JobStatus> {
  return (await call(api, "POST", leasePath(api, "/stop"), "")).json() as Promise<JobStatus>;
}

/** The output manifest, and for a verified lease the salt that opens the provider's on-chain commitment. */
export async function getOutputManifest(api: ProviderApi): Promise<{ outputs: OutputEntry[]; salt: Hex | null }> {
  const body = (await (await call(api, "GET", leasePath(api, "/outputs"))).json()) as {
    outputs: OutputEntry[];
    salt?: Hex | null;
  };
  return { outputs: body.outputs, salt: body.salt ?? null };
}

/** The job spec the provider received (for the lease's client, or the validator assigned to re-run it). */
export async function getJobSpec(api: ProviderApi): Promise<JobSpec> {
  const body = await (await call(api, "GET", leasePath(api, "/spec"))).json();
  return parseJobSpec(body, `of lease ${api.leaseId} from its provider`);
}

/** Downloads one input file of the job (client, or assigned validator). */
export async function downloadInput(api: ProviderApi, path: string): Promise<Uint8Array> {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return new Uint8Array(await (await call(api, "GET", leasePath(api, `/inputs/${encoded}`))).arrayBuffer());
}

/**
 * The path of a hardware-challenge route for `provider`: the signed query string names the provider, so a
 * provider cannot relay a validator's signed challenge to another (that would answer it for it).
 */
const challengePath = (provider: Address, rest = "") => `/v1/hardware/challenges${rest}?provider=${provider}`;

/**
 * Sends a proof-of-GPU challenge to `provider` (validators only; `api.leaseId` must be 0: it is about no
 * lease) and returns its commitment.
 */
export async function postHardwareChallenge(
  api: ProviderApi,
  provider: Address,
  challenge: unknown,
): Promise<{ challengeId: string; root: string; computeMs: number; runner: string }> {
  const body = JSON.stringify(challenge);
  return (await call(api, "POST", challengePath(provider), body, "application/json")).json() as Promise<{
    challengeId: string;
    root: string;
    computeMs: number;
    runner: string;
  }>;
}

/** Asks the provider to open the rows a nonce picks from its committed challenge run. */
export async function openHardwareChallenge(
  api: ProviderApi,
  provider: Address,
  challengeId: string,
  nonce: string,
): Promise<unknown> {
  const body = JSON.stringify({ nonce });
  const path = challengePath(provider, `/${encodeURIComponent(challengeId)}/open`);
  return ((await (await call(api, "POST", path, body, "application/json")).json()) as { rows: unknown }).rows;
}

/** Downloads one output file. */
export async function downloadOutput(api: ProviderApi, path: string): Promise<Uint8Array> {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return new Uint8Array(await (await call(api, "GET", leasePath(api, `/outputs/${encoded}`))).arrayBuffer());
}

/**
 * Follows the job's logs and status (server-sent events) until it ends.
 * @returns The final status.
 */
export async function followJob(
  api: ProviderApi,
  onEvent: (event: LogEvent) => void,
  signal?: AbortSignal,
): Promise<JobStatus> {
  const response = await call(api, "GET", leasePath(api, "/logs"), undefined, undefined, signal);
  let final: JobStatus | undefined;
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      const data = JSON.parse(message.data) as Record<string, unknown>;
      const event = { type: message.event ?? "log", ...data } as LogEvent;
      if (event.type === "end") final = event.status;
      onEvent(event);
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (final) break;
    }
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ProviderApiError(
      0,
      "stream-broken",
      `The connection to the provider at ${api.endpoint} broke while the job ran.`,
      `The provider may have crashed; check the lease with \`plasma lease status ${api.leaseId}\`.`,
      error,
    );
  }
  if (!final)
    throw new ProviderApiError(
      0,
      "stream-closed",
      "The provider closed the log stream before the job ended.",
      `Follow it again with \`plasma logs ${api.leaseId}\`.`,
    );
  return final;
}
