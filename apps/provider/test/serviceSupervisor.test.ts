import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runSandboxed } from "@plasma/runtime";
import { probeHealth, superviseService } from "../src/runner/serviceSupervisor.ts";

// A model server stand-in that is a real server in the real sandbox: Python's HTTP server on a Unix socket,
// which can be told to crash (exit) or hang (stop answering anything).
const SERVER = `
import http.server, os, socketserver, sys, time
path = "/work/s.sock"
if os.path.exists(path): os.unlink(path)
starts = int(open("/work/starts").read()) + 1 if os.path.exists("/work/starts") else 1
open("/work/starts", "w").write(str(starts))
if os.environ.get("FAIL_AT_START"): sys.exit(3)
class Handler(http.server.BaseHTTPRequestHandler):
    def address_string(self): return "gateway"
    def log_message(self, *args): pass
    def do_GET(self):
        if self.path == "/crash": os._exit(1)
        if self.path == "/hang": time.sleep(3600)
        body = str(starts).encode()
        self.send_response(200); self.send_header("content-length", str(len(body))); self.end_headers()
        self.wfile.write(body)
class Server(socketserver.UnixStreamServer):
    pass
Server(path, Handler).serve_forever()
`;

function get(socketPath: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, timeout: 500 }, (res) => {
      let body = "";
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve(body));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** Waits for a condition of the supervisor, checking every 50 ms. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function start(options: { maxRestarts?: number; env?: Record<string, string> } = {}) {
  const workDir = mkdtempSync(join(tmpdir(), "plasma-svc-"));
  writeFileSync(join(workDir, "server.py"), SERVER);
  const socketPath = join(workDir, "s.sock");
  const stop = new AbortController();
  const logs: string[] = [];
  const service = superviseService({
    socketPath,
    health: {
      path: "/health",
      startupSeconds: 5,
      maxRestarts: options.maxRestarts ?? 3,
      intervalMs: 100,
      timeoutMs: 300,
    },
    stop: stop.signal,
    log: (text) => logs.push(text),
    run: (signal) =>
      runSandboxed({
        workDir,
        command: ["python3", "server.py"],
        env: options.env ?? {},
        network: "none",
        gpus: [],
        timeoutSeconds: 60,
        signal,
      }),
  });
  return { service, socketPath, stop, logs };
}

describe("service supervisor: a model server kept up for its lease", () => {
  it("knows when the server is ready, restarts it after a crash, and stops it with the lease", async () => {
    const { service, socketPath, stop, logs } = start();
    await until("the server to be ready", () => service.ready);
    assert.equal(await get(socketPath, "/health"), "1", "the first start answers");
    await get(socketPath, "/crash").catch(() => undefined);
    await until("the restarted server to be ready", () => service.ready && service.restarts === 1);
    assert.equal(await get(socketPath, "/health"), "2", "a second process answers");
    assert.ok(
      logs.some((l) => /exited \(code 1\); restart 1 of 3/.test(l)),
      logs.join("\n"),
    );
    stop.abort();
    const end = await service.done;
    assert.equal(end.gaveUp, false);
    assert.equal(end.restarts, 1);
    assert.equal(end.last.aborted, true);
    assert.equal(await probeHealth(socketPath, "/health", 200), false, "nothing answers once the lease is over");
  });

  it("restarts a server that stops answering its health check", async () => {
    const { service, socketPath, stop, logs } = start();
    await until("the server to be ready", () => service.ready);
    get(socketPath, "/hang").catch(() => undefined);
    await until("the hung server to be replaced", () => service.ready && service.restarts === 1);
    assert.equal(await get(socketPath, "/health"), "2");
    assert.ok(
      logs.some((l) => /stopped answering its health check/.test(l)),
      logs.join("\n"),
    );
    stop.abort();
    await service.done;
  });

  it("gives up after maxRestarts when the server cannot start", async () => {
    const { service, logs } = start({ maxRestarts: 2, env: { FAIL_AT_START: "1" } });
    const end = await service.done;
    assert.equal(end.gaveUp, true);
    assert.equal(end.restarts, 2);
    assert.equal(end.last.exitCode, 3);
    assert.equal(service.ready, false);
    assert.ok(
      logs.some((l) => /failed 3 times: giving up/.test(l)),
      logs.join("\n"),
    );
  });
});
