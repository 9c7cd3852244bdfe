// The HTTP API of the model server (node:http, no framework): GET /health, GET /v1/models and
// POST /v1/completions in the OpenAI style. Server-side module: imports only node builtins and
// modules that obey the same rule.

import { randomInt, randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { type Engine, generate } from "./engine.ts";
import {
  type CompletionRequest,
  MAX_BODY_BYTES,
  parseCompletionRequest,
  parseJsonBody,
  RequestError,
} from "./requests.ts";
import { encode } from "./vocab.ts";

const ROUTES: Record<string, string> = {
  "/health": "GET",
  "/v1/models": "GET",
  "/v1/completions": "POST",
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: RequestError, headers: Record<string, string> = {}): void {
  sendJson(res, error.status, error.body(), headers);
}

/** The body as text, or a 413 when it passes MAX_BODY_BYTES. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on("end", () => {
      if (tooLarge) {
        reject(
          new RequestError(
            413,
            `The request body is ${size} bytes; the limit is ${MAX_BODY_BYTES}. Send a shorter prompt (only its last two characters matter).`,
          ),
        );
      } else {
        resolve(Buffer.concat(chunks).toString("utf8"));
      }
    });
    req.on("error", reject);
  });
}

/** The request handler of a server for one loaded model. */
export function createHandler(engine: Engine, log: (line: string) => void = () => {}): RequestListener {
  const fingerprint = `fp_${engine.sha256.slice(0, 16)}`;

  async function completions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request: CompletionRequest = parseCompletionRequest(parseJsonBody(await readBody(req)), engine.modelId);
    const id = `cmpl-${randomUUID().replaceAll("-", "")}`;
    const created = Math.floor(Date.now() / 1000);
    const seed = request.seed ?? randomInt(0, 2 ** 47);
    const options = { maxTokens: request.maxTokens, temperature: request.temperature, seed };
    const base = { id, object: "text_completion", created, model: engine.modelId, system_fingerprint: fingerprint };

    if (!request.stream) {
      let text = "";
      for await (const char of generate(engine, request.prompt, options)) text += char;
      const promptTokens = encode(engine.vocab, request.prompt).length;
      const completionTokens = Array.from(text).length;
      sendJson(res, 200, {
        ...base,
        choices: [{ index: 0, text, logprobs: null, finish_reason: "length" }],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
      });
      return;
    }

    let closed = false;
    res.on("close", () => {
      closed = true;
    });
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const event = (data: unknown) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
    try {
      for await (const char of generate(engine, request.prompt, options)) {
        if (closed) return;
        event({ ...base, choices: [{ index: 0, text: char, logprobs: null, finish_reason: null }] });
      }
      event({ ...base, choices: [{ index: 0, text: "", logprobs: null, finish_reason: "length" }] });
      event("[DONE]");
    } catch (error) {
      log(`generation failed: ${(error as Error).message}`);
      event({
        error: {
          message: "The model failed while generating; try again.",
          type: "server_error",
          param: null,
          code: null,
        },
      });
    }
    res.end();
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://model").pathname;
    const method = ROUTES[path];
    if (method === undefined) {
      throw new RequestError(
        404,
        `Unknown path ${path}. This server serves GET /health, GET /v1/models and POST /v1/completions.`,
        null,
        "unknown_url",
      );
    }
    if (req.method !== method) {
      sendError(
        res,
        new RequestError(
          405,
          `${req.method} is not allowed on ${path}: use ${method} ${path}.`,
          null,
          "method_not_allowed",
        ),
        { allow: method },
      );
      return;
    }
    if (path === "/health") {
      sendJson(res, 200, { status: "ok", model: engine.modelId, vocab_size: engine.vocab.size, sha256: engine.sha256 });
    } else if (path === "/v1/models") {
      sendJson(res, 200, {
        object: "list",
        data: [{ id: engine.modelId, object: "model", created: 0, owned_by: "plasma" }],
      });
    } else {
      await completions(req, res);
    }
  }

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof RequestError) {
        if (!res.headersSent) sendError(res, error);
        else res.end();
        return;
      }
      log(`internal error on ${req.method} ${req.url}: ${(error as Error)?.message ?? String(error)}`);
      if (!res.headersSent) {
        sendJson(res, 500, {
          error: {
            message: "The server failed to handle the request; try again.",
            type: "server_error",
            param: null,
            code: null,
          },
        });
      } else {
        res.end();
      }
    });
  };
}
