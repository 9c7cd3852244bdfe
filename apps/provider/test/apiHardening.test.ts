import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  createPlasmaClient,
  type Devnet,
  getJobStatus,
  getLease,
  hashJobSpec,
  listOffers,
  openLease,
  type PlasmaClient,
  ProviderApiError,
  parseJobSpec,
  postHardwareChallenge,
  signRequest,
  stakeValidator,
  startDevnet,
  submitJobSpec,
  uploadJobInput,
} from "@plasma/sdk";
import { type Address, type Hex, parseEther } from "viem";
import { loadProviderConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { type ProviderNode, startProviderNode } from "../src/service.ts";

// A full collection after every few MiB sent: the memory measured is what is still referenced, not garbage.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const MiB = 1024 * 1024;
/** Requests one address may make per minute in this test's node (other tests stay well below it). */
const REQUESTS_PER_MINUTE = 100;

type Answer = {
  status: number;
  /** The gateway's error code (x-plasma-error), read from the headers: the body may be cut off by the close. */
  code: string | null;
  body: { error?: { code: string; message: string; hint?: string } } | undefined;
  /** Body bytes the client had handed to its socket when the answer's headers arrived. */
  sent: number;
};

/**
 * Sends `total` body bytes in 1 MiB pieces, each only once the socket has taken the last one (backpressure),
 * and stops sending as soon as the server answers: `sent` tells how much of the body the server waited for.
 */
function sendBody(
  url: string,
  o: {
    method: string;
    total: number;
    headers?: Record<string, string>;
    chunked?: boolean;
    /** The body's bytes (default: zeros). */
    source?: Buffer;
    localAddress?: string;
    /** Called after each piece is handed to the socket. */
    onPiece?: (sent: number) => void;
  },
): Promise<Answer> {
  const zeros = Buffer.alloc(MiB);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(
      url,
      {
        method: o.method,
        agent: false,
        ...(o.localAddress ? { localAddress: o.localAddress } : {}),
        headers: {
          "content-type": "application/octet-stream",
          ...(o.chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(o.total) }),
          ...o.headers,
        },
      },
      (res) => {
        answered = true;
        const sentAtAnswer = sent;
        const parts: Buffer[] = [];
        const done = () => {
          let body: Answer["body"];
          try {
            body = JSON.parse(Buffer.concat(parts).toString("utf8"));
          } catch {
            body = undefined;
          }
          const code = res.headers["x-plasma-error"];
          resolve({
            status: res.statusCode ?? 0,
            code: typeof code === "string" ? code : null,
            body,
            sent: sentAtAnswer,
          });
          req.destroy();
        };
        res.on("data", (d: Buffer) => parts.push(d));
        res.on("end", done);
        res.on("error", done);
        res.on("aborted", done);
      },
    );
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && sent < o.total) {
        const size = Math.min(MiB, o.total - sent);
        const piece = o.source ? o.source.subarray(sent, sent + size) : zeros.subarray(0, size);
        sent += size;
        const more = req.write(piece);
        o.onPiece?.(sent);
        if (!more) {
          req.once("drain", pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe("provider API hardening: bodies, signatures, rate limits", () => {
  let devnet: Devnet;
  let node: ProviderNode;
  let client: PlasmaClient;
  let stranger: PlasmaClient;
  let leaseId: bigint;
  let dataDir: string;
  /** The input uploaded in the streaming test: large, and unique to this run. */
  const big = Buffer.alloc(192 * MiB, 0x5a);
  randomBytes(64).copy(big);
  const bigSha256 = createHash("sha256").update(big).digest("hex");
  const small = "a small input, sent with the SDK";
  const api = () => ({ client, endpoint: node.url, leaseId });

  before(async () => {
    devnet = await startDevnet();
    const key = (name: string) => devnet.deployment.devAccounts?.[name]?.privateKey as Hex;
    dataDir = mkdtempSync(join(tmpdir(), "plasma-api-"));
    node = await startProviderNode({
      config: loadProviderConfig(undefined, { dataDir, port: 0, requestsPerMinute: REQUESTS_PER_MINUTE }),
      deployment: devnet.deployment,
      privateKey: key("provider1"),
      logger: createLogger("warn"),
    });
    client = createPlasmaClient({ deployment: devnet.deployment, account: key("client") });
    stranger = createPlasmaClient({ deployment: devnet.deployment, account: key("provider2") });
    const provider = createPlasmaClient({ deployment: devnet.deployment, account: key("provider1") }).account
      ?.address as Address;
    const [offer] = await listOffers(client, { provider });
    assert.ok(offer, "the node published an offer");
    // Three inputs, one never sent: the job waits for its inputs for the whole test and never runs.
    const spec = parseJobSpec({
      version: 1,
      command: ["true"],
      inputs: [
        { path: "big.bin", sha256: bigSha256 },
        { path: "small.txt", sha256: createHash("sha256").update(small).digest("hex") },
        { path: "never.txt", sha256: "0".repeat(64) },
      ],
    });
    ({ leaseId } = await openLease(client, {
      offerId: offer.id,
      gpus: 1,
      maxSeconds: 3600,
      specHash: hashJobSpec(spec),
    }));
    // The node starts the lease on chain when it sees it; then it takes the spec.
    for (let i = 0; (await getLease(client, leaseId)).status !== "running"; i++) {
      assert.ok(i < 300, "the node starts the lease within 30 s");
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await submitJobSpec(api(), spec)).state, "awaiting-inputs");
  });

  after(async () => {
    await node?.stop();
    for (const c of [client, stranger]) await c?.close();
    await devnet?.stop();
  });

  it("answers unsigned requests with 96 MiB bodies from their headers, before the bodies are sent", async (t) => {
    const lease = `${node.url}/v1/leases/${leaseId}`;
    const uploadPath = `/v1/leases/${leaseId}/inputs/big.bin`;
    // Signed, but not by the lease's client: refused from the headers too.
    const foreign = await signRequest(stranger, {
      leaseId,
      method: "PUT",
      path: uploadPath,
      bodySha256: `0x${bigSha256}`,
    });
    const attacks = [
      { method: "PUT", url: `${lease}/inputs/big.bin` },
      { method: "PUT", url: `${lease}/inputs/big.bin`, headers: foreign },
      { method: "PUT", url: `${lease}/inputs/big.bin`, chunked: true },
      { method: "POST", url: `${lease}/stop` },
      { method: "POST", url: `${lease}/stop`, chunked: true },
      { method: "POST", url: `${lease}/serve/v1/completions`, chunked: true },
      { method: "POST", url: `${node.url}/v1/hardware/challenges`, chunked: true },
    ];
    const total = 96 * MiB;
    const answers = await Promise.all(attacks.map((a) => sendBody(a.url, { ...a, total })));
    for (const [i, answer] of answers.entries()) {
      const what = `${attacks[i]?.method} ${attacks[i]?.url}${attacks[i]?.chunked ? " (chunked)" : ""}`;
      t.diagnostic(`${what}: ${answer.status} ${answer.code} after ${(answer.sent / MiB).toFixed(0)} MiB sent`);
      assert.ok([401, 403, 404, 413].includes(answer.status), `${what}: answered ${answer.status}`);
      assert.ok(answer.code, `${what}: names its error in x-plasma-error`);
      assert.ok(
        answer.sent <= 32 * MiB,
        `${what}: answered after ${answer.sent / MiB} MiB of ${total / MiB} MiB; it must not wait for the body`,
      );
    }
    const upload = answers[0];
    assert.equal(upload?.status, 401, "an unsigned upload is refused for its missing signature");
    assert.equal(upload?.code, "unsigned");
    assert.deepEqual([answers[1]?.status, answers[1]?.code], [403, "not-client"]);
  });

  it("refuses a body other than the one signed: read whole when small, streamed and discarded when an upload", async () => {
    const specPath = `/v1/leases/${leaseId}/spec`;
    const swapped = await fetch(`${node.url}${specPath}`, {
      method: "POST",
      headers: await signRequest(client, { leaseId, method: "POST", path: specPath, body: "version: 1" }),
      body: "version: 1\ncommand: [sh]",
    });
    assert.equal(swapped.status, 400);
    const { error } = (await swapped.json()) as { error: { code: string; message: string; hint: string } };
    assert.equal(error.code, "body-mismatch");
    assert.match(error.hint, /x-plasma-body-sha256/);
    // never.txt is declared with a sha256 no body has: the signature matches the spec, the bytes cannot.
    const path = `/v1/leases/${leaseId}/inputs/never.txt`;
    const headers = await signRequest(client, { leaseId, method: "PUT", path, bodySha256: `0x${"0".repeat(64)}` });
    const stored = () => readdirSync(join(dataDir, "artifacts"), { recursive: true }).map(String).sort();
    const before = stored();
    const answer = await sendBody(`${node.url}${path}`, { method: "PUT", total: 3 * MiB, headers });
    assert.deepEqual([answer.status, answer.code], [400, "body-mismatch"]);
    assert.match(answer.body?.error?.message ?? "", /its sha256 is [0-9a-f]{64}, not 0{64}/);
    assert.deepEqual(stored(), before, "nothing of it is stored, not even a temporary file");
  });

  it("refuses a signed request to which a query string was added, and accepts one whose query was signed", async () => {
    const path = `/v1/leases/${leaseId}`;
    const plain = await fetch(`${node.url}${path}`, {
      headers: await signRequest(client, { leaseId, method: "GET", path }),
    });
    assert.equal(plain.status, 200);
    const added = await fetch(`${node.url}${path}?x=1`, {
      headers: await signRequest(client, { leaseId, method: "GET", path }),
    });
    assert.ok([401, 403].includes(added.status), `answered ${added.status}`);
    const refusal = (await added.json()) as { error: { code: string; message: string } };
    assert.match(refusal.error.message, /query/, "the refusal says what the signature must cover");
    const signedQuery = await fetch(`${node.url}${path}?x=1`, {
      headers: await signRequest(client, { leaseId, method: "GET", path: `${path}?x=1` }),
    });
    assert.equal(signedQuery.status, 200, "a query the client signed is accepted");
  });

  it("streams a 192 MiB upload to disk: the node never holds the body in memory", async (t) => {
    const path = `/v1/leases/${leaseId}/inputs/big.bin`;
    const headers = await signRequest(client, { leaseId, method: "PUT", path, body: big });
    gc();
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const answer = await sendBody(`${node.url}${path}`, {
      method: "PUT",
      total: big.length,
      source: big,
      headers,
      onPiece: (sent) => {
        if (sent % (8 * MiB) !== 0) return;
        gc();
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
      },
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    t.diagnostic(`memory held while receiving grew by at most ${(peak / MiB).toFixed(1)} MiB`);
    assert.ok(
      peak < 48 * MiB,
      `memory held while receiving grew by ${Math.round(peak / MiB)} MiB for a ${big.length / MiB} MiB body`,
    );
    const stored = join(dataDir, "artifacts", bigSha256.slice(0, 2), bigSha256);
    assert.ok(existsSync(stored), "the upload is in the artifact store under its sha256");
    assert.equal(statSync(stored).size, big.length);
    // The SDK's own upload still works, and the job now waits only for the input never sent.
    const status = await uploadJobInput(api(), "small.txt", new TextEncoder().encode(small));
    assert.deepEqual(status.missingInputs, ["never.txt"]);
  });

  it("limits requests per client address, with a clear 429", async () => {
    const healthz = () =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        request(`${node.url}/healthz`, { localAddress: "127.0.0.2", agent: false }, (res) => {
          let body = "";
          res.on("data", (d) => {
            body += d;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        })
          .on("error", reject)
          .end();
      });
    for (let i = 0; i < REQUESTS_PER_MINUTE; i++) assert.equal((await healthz()).status, 200, `request ${i + 1}`);
    const limited = await healthz();
    assert.equal(limited.status, 429);
    const { error } = JSON.parse(limited.body) as { error: { code: string; message: string; hint: string } };
    assert.equal(error.code, "rate-limited");
    assert.match(error.message, new RegExp(`${REQUESTS_PER_MINUTE} requests per minute`));
    assert.match(error.hint, /Retry in \d+ s/);
    assert.equal((await getJobStatus(api())).state, "awaiting-inputs", "other clients are not limited");
  });

  it("refuses a validator's challenge signed for another provider (a relay), and takes one signed for it", async () => {
    const key = devnet.deployment.devAccounts?.validator?.privateKey as Hex;
    const validator = createPlasmaClient({ deployment: devnet.deployment, account: key });
    try {
      await stakeValidator(validator, parseEther("10000"));
      const own = createPlasmaClient({
        deployment: devnet.deployment,
        account: devnet.deployment.devAccounts?.provider1?.privateKey as Hex,
      }).account?.address as Address;
      const other = createPlasmaClient({
        deployment: devnet.deployment,
        account: devnet.deployment.devAccounts?.provider2?.privateKey as Hex,
      }).account?.address as Address;
      const validatorApi = { client: validator, endpoint: node.url, leaseId: 0n };
      // What a dishonest provider would forward here: a challenge the validator signed for it, not for this node.
      await assert.rejects(postHardwareChallenge(validatorApi, other, { id: "relayed" }), (error: unknown) => {
        assert.ok(error instanceof ProviderApiError, String(error));
        assert.equal(error.code, "wrong-provider");
        assert.equal(error.status, 400);
        return true;
      });
      // Signed for this node, the request passes authentication and the provider check (the body is then judged).
      await assert.rejects(postHardwareChallenge(validatorApi, own, { id: "malformed" }), (error: unknown) => {
        assert.ok(error instanceof ProviderApiError, String(error));
        assert.notEqual(error.code, "wrong-provider");
        assert.notEqual(error.status, 401);
        assert.notEqual(error.status, 403);
        return true;
      });
    } finally {
      await validator.close();
    }
  });
});
