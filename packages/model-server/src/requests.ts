// Validation of the OpenAI-style request bodies, with errors that name the problem and the fix.
// Server-side module: no imports.

export const DEFAULT_MAX_TOKENS = 16;
export const MAX_MAX_TOKENS = 512;
export const DEFAULT_TEMPERATURE = 1;
export const MAX_TEMPERATURE = 2;
/** The largest request body the server reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A request the server refuses: an HTTP status and an OpenAI-style error body. */
export class RequestError extends Error {
  readonly status: number;
  readonly param: string | null;
  readonly code: string | null;
  readonly type: string;

  constructor(status: number, message: string, param: string | null = null, code: string | null = null) {
    super(message);
    this.name = "RequestError";
    this.status = status;
    this.param = param;
    this.code = code;
    this.type = "invalid_request_error";
  }

  /** The JSON body OpenAI clients understand: {"error": {message, type, param, code}}. */
  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** A validated completion request. `seed` is undefined when the client gave none. */
export type CompletionRequest = {
  model: string | undefined;
  prompt: string;
  maxTokens: number;
  temperature: number;
  seed: number | undefined;
  stream: boolean;
};

const FIELDS = ["model", "prompt", "max_tokens", "temperature", "seed", "stream"];

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number") return `the number ${value}`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Parses a request body as JSON, or throws a 400 that says the body is not JSON. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestError(
      400,
      'The request body is not valid JSON. Send a JSON object such as {"prompt": "the market", "max_tokens": 16} with Content-Type: application/json.',
    );
  }
}

/** Checks a POST /v1/completions body and fills in the defaults. */
export function parseCompletionRequest(body: unknown, modelId: string): CompletionRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new RequestError(
      400,
      `The request body must be a JSON object, not ${describe(body)}. Send {"prompt": "...", "max_tokens": 16}.`,
    );
  }
  const fields = body as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!FIELDS.includes(name)) {
      throw new RequestError(
        400,
        `Unsupported parameter '${name}': this server accepts only ${FIELDS.join(", ")}. Remove '${name}' from the request.`,
        name,
      );
    }
  }

  const { model, prompt, max_tokens, temperature, seed, stream } = fields;
  if (model !== undefined && model !== null) {
    if (typeof model !== "string") {
      throw new RequestError(
        400,
        `'model' must be a string, not ${describe(model)}. Use "${modelId}" or leave it out.`,
        "model",
      );
    }
    if (model !== modelId) {
      throw new RequestError(
        404,
        `The model '${model}' does not exist on this server. Use "${modelId}" (see GET /v1/models) or leave 'model' out.`,
        "model",
        "model_not_found",
      );
    }
  }
  if (prompt === undefined || prompt === null) {
    throw new RequestError(400, `'prompt' is required: send it as a string, e.g. {"prompt": "the market"}.`, "prompt");
  }
  if (typeof prompt !== "string") {
    throw new RequestError(
      400,
      `'prompt' must be a string, not ${describe(prompt)}. Send one prompt per request as a string.`,
      "prompt",
    );
  }

  let maxTokens = DEFAULT_MAX_TOKENS;
  if (max_tokens !== undefined && max_tokens !== null) {
    if (typeof max_tokens !== "number" || !Number.isInteger(max_tokens)) {
      throw new RequestError(
        400,
        `'max_tokens' must be an integer from 1 to ${MAX_MAX_TOKENS}, not ${describe(max_tokens)}.`,
        "max_tokens",
      );
    }
    if (max_tokens < 1 || max_tokens > MAX_MAX_TOKENS) {
      throw new RequestError(
        400,
        `'max_tokens' is ${max_tokens}, out of range: use an integer from 1 to ${MAX_MAX_TOKENS} (one token is one character).`,
        "max_tokens",
      );
    }
    maxTokens = max_tokens;
  }

  let temp = DEFAULT_TEMPERATURE;
  if (temperature !== undefined && temperature !== null) {
    if (typeof temperature !== "number" || !Number.isFinite(temperature)) {
      throw new RequestError(
        400,
        `'temperature' must be a number from 0 to ${MAX_TEMPERATURE}, not ${describe(temperature)}.`,
        "temperature",
      );
    }
    if (temperature < 0 || temperature > MAX_TEMPERATURE) {
      throw new RequestError(
        400,
        `'temperature' is ${temperature}, out of range: use a number from 0 (always the likeliest character) to ${MAX_TEMPERATURE}.`,
        "temperature",
      );
    }
    temp = temperature;
  }

  let seedValue: number | undefined;
  if (seed !== undefined && seed !== null) {
    if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
      throw new RequestError(
        400,
        `'seed' must be an integer between -(2^53-1) and 2^53-1, not ${describe(seed)}. Leave it out for a random seed.`,
        "seed",
      );
    }
    seedValue = seed;
  }

  if (stream !== undefined && stream !== null && typeof stream !== "boolean") {
    throw new RequestError(400, `'stream' must be true or false, not ${describe(stream)}.`, "stream");
  }

  return {
    model: typeof model === "string" ? model : undefined,
    prompt,
    maxTokens,
    temperature: temp,
    seed: seedValue,
    stream: stream === true,
  };
}
