import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, lstatSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildExampleModel, CORPUS_PATH } from "../src/build.ts";
import { SeededRandom, sampleIndex } from "../src/sampling.ts";
import { countTrigrams, rowProbabilities, SMOOTHING_K } from "../src/trigram.ts";
import { encode, lastContext, VOCAB, vocabulary } from "../src/vocab.ts";
import {
  json,
  type Response,
  type RunningServer,
  request,
  runServerToExit,
  sseData,
  startServer,
  stopServer,
} from "./helpers.ts";

type Completion = {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: { index: number; text: string; finish_reason: string | null }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
};
type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

const vocab = vocabulary(VOCAB);
const counts = countTrigrams(vocab, await readFile(CORPUS_PATH, "utf8"));

/** The text the model should produce, computed from the counts without onnxruntime or the server. */
function expectedText(prompt: string, maxTokens: number, temperature: number, seed: number): string {
  const random = new SeededRandom(seed);
  let context = lastContext(vocab, encode(vocab, prompt));
  let text = "";
  for (let i = 0; i < maxTokens; i++) {
    const p = rowProbabilities(counts, vocab.size, context[0] * vocab.size + context[1], SMOOTHING_K);
    let id: number;
    if (temperature === 0) {
      id = p.indexOf(Math.max(...p));
    } else {
      id = sampleIndex(
        p.map((x) => x ** (1 / temperature)),
        random.next(),
      );
    }
    text += vocab.chars[id];
    context = [context[1], id];
  }
  return text;
}

/** Leaves a socket file with no server behind it, as a killed server would. */
async function leaveStaleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, [
    "-e",
    `require("node:net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`,
  ]);
  await new Promise((resolve) => child.once("exit", resolve));
}

let dir: string;
let modelFile: string;
let socket: string;
let cacheHome: string;
let sha256: string;
let server: RunningServer | undefined;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "model-server-"));
  modelFile = join(dir, "model.onnx");
  socket = join(dir, "s.sock");
  cacheHome = join(dir, "home");
  ({ sha256 } = await buildExampleModel(modelFile));
  await leaveStaleSocket(socket);
  assert.ok(lstatSync(socket).isSocket(), "a stale socket file is in the way");
  server = await startServer(["--model", modelFile, "--socket", socket], {
    env: {
      ...process.env,
      HOME: cacheHome,
      XDG_CACHE_HOME: join(cacheHome, ".cache"),
      ORT_DISABLE_TELEMETRY: undefined,
    },
  });
});

after(async () => {
  await stopServer(server);
  await rm(dir, { recursive: true, force: true });
});

const post = (body: unknown) => request(socket, "POST", "/v1/completions", body);

async function complete(body: Record<string, unknown>): Promise<Completion> {
  const response = await post(body);
  assert.equal(response.status, 200, response.text);
  assert.match(String(response.headers["content-type"]), /^application\/json/);
  return json<Completion>(response);
}

describe("model server over a Unix socket", () => {
  it("replaced the stale socket file it found, and printed one JSON ready line", () => {
    assert.ok(lstatSync(socket).isSocket());
    assert.equal(server?.ready.ready, true);
    assert.equal(server?.ready.socket, socket);
    assert.equal(server?.ready.sha256, sha256);
  });

  it("GET /health: ok, with the model and the SHA-256 of its file", async () => {
    const response = await request(socket, "GET", "/health");
    assert.equal(response.status, 200);
    assert.deepEqual(json(response), { status: "ok", model: "plasma-trigram", vocab_size: vocab.size, sha256 });
  });

  it("GET /v1/models: an OpenAI-style list with the one model", async () => {
    const body = json<{ object: string; data: { id: string; object: string }[] }>(
      await request(socket, "GET", "/v1/models"),
    );
    assert.equal(body.object, "list");
    assert.deepEqual(
      body.data.map((m) => [m.id, m.object]),
      [["plasma-trigram", "model"]],
    );
  });

  it("POST /v1/completions: the same seed gives the same text, the text the counts predict", async () => {
    const body = { model: "plasma-trigram", prompt: "The market ", max_tokens: 40, temperature: 1, seed: 1234 };
    const first = await complete(body);
    const second = await complete(body);
    const text = first.choices[0]?.text ?? "";
    assert.equal(second.choices[0]?.text, text);
    assert.equal(text, expectedText("The market ", 40, 1, 1234));
    assert.notEqual(first.id, second.id);
    assert.equal(first.object, "text_completion");
    assert.equal(first.model, "plasma-trigram");
    assert.ok(Math.abs(first.created - Date.now() / 1000) < 60);
    assert.deepEqual(
      first.choices.map((c) => [c.index, c.finish_reason]),
      [[0, "length"]],
    );
    assert.deepEqual(first.usage, { prompt_tokens: 11, completion_tokens: 40, total_tokens: 51 });
    for (const char of text) assert.ok(VOCAB.includes(char), `${JSON.stringify(char)} is in the vocabulary`);
  });

  it("different seeds give different texts; no seed still works", async () => {
    const texts = new Set<string>();
    for (const seed of [1, 2, 3])
      texts.add((await complete({ prompt: "gpu ", max_tokens: 32, seed })).choices[0]?.text ?? "");
    assert.equal(texts.size, 3);
    const unseeded = await complete({ prompt: "gpu " });
    assert.equal(Array.from(unseeded.choices[0]?.text ?? "").length, 16, "max_tokens defaults to 16");
    assert.deepEqual(unseeded.usage, { prompt_tokens: 4, completion_tokens: 16, total_tokens: 20 });
  });

  it("temperature 0 is greedy: the likeliest character each step, whatever the seed", async () => {
    const a = await complete({ prompt: "a provider ", max_tokens: 30, temperature: 0, seed: 1 });
    const b = await complete({ prompt: "a provider ", max_tokens: 30, temperature: 0, seed: 99 });
    assert.equal(a.choices[0]?.text, b.choices[0]?.text);
    assert.equal(a.choices[0]?.text, expectedText("a provider ", 30, 0, 0));
  });

  it("a lower temperature follows the sharpened distribution", async () => {
    const got = await complete({ prompt: "the stake ", max_tokens: 48, temperature: 0.6, seed: 77 });
    assert.equal(got.choices[0]?.text, expectedText("the stake ", 48, 0.6, 77));
  });

  it("an empty prompt starts from the start-of-text context", async () => {
    const got = await complete({ prompt: "", max_tokens: 20, seed: 5 });
    assert.equal(got.choices[0]?.text, expectedText("", 20, 1, 5));
    assert.equal(got.usage.prompt_tokens, 0);
  });

  it("concurrent requests each get their own seed's text", async () => {
    const seeds = [11, 12, 13, 14, 15, 16, 17, 18];
    const texts = await Promise.all(
      seeds.map(async (seed) => (await complete({ prompt: "voucher ", max_tokens: 24, seed })).choices[0]?.text),
    );
    assert.deepEqual(
      texts,
      seeds.map((seed) => expectedText("voucher ", 24, 1, seed)),
    );
  });

  it("stream: one SSE chunk per character, then [DONE]; together the non-streaming text", async () => {
    const body = { prompt: "validators ", max_tokens: 25, temperature: 0.8, seed: 2024 };
    const whole = (await complete(body)).choices[0]?.text;
    const response = await post({ ...body, stream: true });
    assert.equal(response.status, 200);
    assert.match(String(response.headers["content-type"]), /^text\/event-stream/);
    const events = sseData(response.text);
    assert.equal(events.at(-1), "[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Completion);
    const textChunks = chunks.filter((c) => c.choices[0]?.finish_reason === null);
    assert.equal(textChunks.length, 25);
    for (const chunk of textChunks) assert.equal(Array.from(chunk.choices[0]?.text ?? "").length, 1);
    assert.equal(chunks.map((c) => c.choices[0]?.text).join(""), whole);
    assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, "length");
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1, "every chunk carries the completion's id");
    assert.ok(chunks.every((c) => c.object === "text_completion" && c.model === "plasma-trigram"));
  });

  describe("bad requests get a 4xx with an OpenAI-style error that names the problem", () => {
    const cases: {
      name: string;
      send: () => Promise<Response>;
      status: number;
      param: string | null;
      message: RegExp;
    }[] = [
      { name: "not JSON", send: () => post("{prompt: hi"), status: 400, param: null, message: /not valid JSON/ },
      {
        name: "a JSON array",
        send: () => post([1, 2]),
        status: 400,
        param: null,
        message: /JSON object, not an array/,
      },
      {
        name: "no prompt",
        send: () => post({ max_tokens: 3 }),
        status: 400,
        param: "prompt",
        message: /'prompt' is required/,
      },
      {
        name: "a prompt that is not a string",
        send: () => post({ prompt: ["a", "b"] }),
        status: 400,
        param: "prompt",
        message: /'prompt' must be a string, not an array/,
      },
      {
        name: "max_tokens 0",
        send: () => post({ prompt: "a", max_tokens: 0 }),
        status: 400,
        param: "max_tokens",
        message: /'max_tokens' is 0, out of range: use an integer from 1 to 512/,
      },
      {
        name: "max_tokens 513",
        send: () => post({ prompt: "a", max_tokens: 513 }),
        status: 400,
        param: "max_tokens",
        message: /from 1 to 512/,
      },
      {
        name: "max_tokens as a string",
        send: () => post({ prompt: "a", max_tokens: "16" }),
        status: 400,
        param: "max_tokens",
        message: /'max_tokens' must be an integer from 1 to 512, not the string "16"/,
      },
      {
        name: "max_tokens 2.5",
        send: () => post({ prompt: "a", max_tokens: 2.5 }),
        status: 400,
        param: "max_tokens",
        message: /must be an integer/,
      },
      {
        name: "temperature -0.1",
        send: () => post({ prompt: "a", temperature: -0.1 }),
        status: 400,
        param: "temperature",
        message: /'temperature' is -0.1, out of range: use a number from 0/,
      },
      {
        name: "temperature as a string",
        send: () => post({ prompt: "a", temperature: "hot" }),
        status: 400,
        param: "temperature",
        message: /must be a number from 0 to 2/,
      },
      {
        name: "a fractional seed",
        send: () => post({ prompt: "a", seed: 1.5 }),
        status: 400,
        param: "seed",
        message: /'seed' must be an integer/,
      },
      {
        name: "stream as a string",
        send: () => post({ prompt: "a", stream: "yes" }),
        status: 400,
        param: "stream",
        message: /'stream' must be true or false/,
      },
      {
        name: "an unsupported parameter",
        send: () => post({ prompt: "a", top_p: 0.9 }),
        status: 400,
        param: "top_p",
        message: /Unsupported parameter 'top_p'.*Remove 'top_p'/,
      },
      {
        name: "another model",
        send: () => post({ prompt: "a", model: "gpt-4" }),
        status: 404,
        param: "model",
        message: /'gpt-4' does not exist.*Use "plasma-trigram"/,
      },
      {
        name: "an unknown path",
        send: () => request(socket, "GET", "/v1/chat/completions"),
        status: 404,
        param: null,
        message: /Unknown path \/v1\/chat\/completions.*POST \/v1\/completions/,
      },
      {
        name: "GET on /v1/completions",
        send: () => request(socket, "GET", "/v1/completions"),
        status: 405,
        param: null,
        message: /GET is not allowed on \/v1\/completions: use POST/,
      },
      {
        name: "a body over 1 MiB",
        send: () => post({ prompt: "x".repeat(1024 * 1024 + 1) }),
        status: 413,
        param: null,
        message: /limit is 1048576/,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const response = await c.send();
        assert.equal(response.status, c.status, response.text);
        assert.match(String(response.headers["content-type"]), /^application\/json/);
        const { error } = json<ErrorBody>(response);
        assert.equal(error.type, "invalid_request_error");
        assert.equal(error.param, c.param);
        assert.match(error.message, c.message);
        assert.doesNotMatch(response.text, /\n\s+at |\.ts:\d+/, "no stack trace");
      });
    }

    it("405 names the allowed method; the server is still healthy after all of them", async () => {
      const response = await request(socket, "DELETE", "/health");
      assert.equal(response.status, 405);
      assert.equal(response.headers.allow, "GET");
      assert.equal((await request(socket, "GET", "/health")).status, 200);
    });
  });

  it("left no onnxruntime telemetry files in its home directory", async () => {
    assert.equal(existsSync(cacheHome) ? (await readdir(cacheHome, { recursive: true })).length : 0, 0);
  });
});

describe("server start-up and shutdown", () => {
  it("reads PLASMA_MODEL and PLASMA_SERVE_SOCKET; SIGTERM exits 0 and removes the socket", async () => {
    const envSocket = join(dir, "env.sock");
    const envServer = await startServer([], {
      env: { ...process.env, PLASMA_MODEL: modelFile, PLASMA_SERVE_SOCKET: envSocket },
    });
    try {
      assert.equal(envServer.ready.socket, envSocket);
      assert.equal((await request(envSocket, "GET", "/health")).status, 200);
      envServer.child.kill("SIGTERM");
      assert.deepEqual(await envServer.exited, { code: 0, signal: null });
      assert.equal(existsSync(envSocket), false);
    } finally {
      await stopServer(envServer);
    }
  });

  it("refuses a socket path held by a live server", async () => {
    const result = await runServerToExit(["--model", modelFile, "--socket", socket]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /another server is listening on .*s\.sock/);
    assert.equal((await request(socket, "GET", "/health")).status, 200, "the running server is untouched");
  });

  it("refuses to replace a file that is not a socket", async () => {
    const notSocket = join(dir, "not-a-socket");
    await writeFile(notSocket, "keep me");
    const result = await runServerToExit(["--model", modelFile, "--socket", notSocket]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /exists and is not a socket/);
    assert.equal(await readFile(notSocket, "utf8"), "keep me");
  });

  it("says what is missing: no model, no socket, an unreadable model", async () => {
    const env = { ...process.env, PLASMA_MODEL: undefined, PLASMA_SERVE_SOCKET: undefined };
    const noModel = await runServerToExit(["--socket", join(dir, "x.sock")], env);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /no model file: pass --model FILE\.onnx or set PLASMA_MODEL/);
    const noSocket = await runServerToExit(["--model", modelFile], env);
    assert.equal(noSocket.code, 2);
    assert.match(noSocket.stderr, /no socket path/);
    const notOnnx = join(dir, "corpus.onnx");
    await writeFile(notOnnx, "the market opens at dawn\n");
    const bad = await runServerToExit(["--model", notOnnx, "--socket", join(dir, "y.sock")], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /cannot load the model: .*corpus\.onnx is not an ONNX model file/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
  });
});
