// The node connects to a service job's socket from the host, as root. A job that puts a link there must not
// get the node to talk to another socket on the host (the Docker engine's, another lease's server, …).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connectJobSocket, createWorkArea, JobSocketAgent, runSandboxed, type WorkArea } from "@plasma/runtime";

describe("connecting to a job's socket", () => {
  let hostDir: string;
  let hostSocket: string;
  let host: Server;
  let hostConnections = 0;
  let jobDir: string;
  let area: WorkArea;

  before(async () => {
    // A host socket only root may reach, as /var/run/docker.sock is.
    hostDir = mkdtempSync(join(tmpdir(), "plasma-host-sock-"));
    hostSocket = join(hostDir, "engine.sock");
    host = createServer((c) => {
      hostConnections++;
      c.end("HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\nhost secret");
    });
    await new Promise<void>((resolve) => host.listen(hostSocket, resolve));
    jobDir = mkdtempSync(join(tmpdir(), "plasma-job-sock-"));
    area = createWorkArea(jobDir, 64 * 1024 ** 2);
  });
  after(() => {
    host.close();
    area.remove();
    rmSync(jobDir, { recursive: true, force: true });
    rmSync(hostDir, { recursive: true, force: true });
  });

  const plant = (command: string) =>
    runSandboxed({
      workDir: area.path,
      command: ["/bin/sh", "-c", command],
      env: {},
      network: "none",
      gpus: [],
      timeoutSeconds: 10,
    });

  it("refuses a link the job put in place of its socket, and the host socket sees nothing", async () => {
    const planted = await plant(`ln -sf ${hostSocket} /work/serve.sock`);
    assert.equal(planted.exitCode, 0);
    const socket = connectJobSocket(join(area.path, "serve.sock"));
    const error = await new Promise<Error>((resolve) => socket.once("error", resolve));
    assert.match(error.message, /is a symbolic link, not the job's socket/);
    const viaHttp = await new Promise<string>((resolve) => {
      const req = request(
        { socketPath: join(area.path, "serve.sock"), agent: new JobSocketAgent(), path: "/_ping" },
        (res) => resolve(`answered ${res.statusCode}`),
      );
      req.on("error", (e) => resolve(`refused: ${e.message}`));
      req.end();
    });
    assert.match(viaHttp, /^refused:/);
    assert.equal(hostConnections, 0, "the node connected to the host's socket");
    // Control: a plain connection (what the gateway made before) follows the link to the host's socket.
    const plain = await new Promise<string>((resolve) => {
      const req = request({ socketPath: join(area.path, "serve.sock"), path: "/_ping" }, (res) =>
        resolve(`answered ${res.statusCode}`),
      );
      req.on("error", (e) => resolve(`refused: ${e.message}`));
      req.end();
    });
    assert.equal(plain, "answered 200");
    assert.equal(hostConnections, 1);
  });

  it("refuses a file that is not a socket", async () => {
    await plant("rm -f /work/serve.sock; echo not-a-socket > /work/serve.sock");
    const error = await new Promise<Error>((resolve) =>
      connectJobSocket(join(area.path, "serve.sock")).once("error", resolve),
    );
    assert.match(error.message, /is not a socket/);
  });

  it("connects to a socket the job really listens on", async () => {
    let answer: (text: string) => void = () => undefined;
    const replied = new Promise<string>((resolve) => (answer = resolve));
    let connected = false;
    const served = runSandboxed({
      workDir: area.path,
      command: [
        "python3",
        "-c",
        "import os, socket\ntry: os.unlink('/work/serve.sock')\nexcept FileNotFoundError: pass\ns = socket.socket(socket.AF_UNIX)\ns.bind('/work/serve.sock')\ns.listen(1)\nprint('listening', flush=True)\nc, _ = s.accept()\nc.sendall(b'from the job')\nc.close()",
      ],
      env: {},
      network: "none",
      gpus: [],
      timeoutSeconds: 20,
      onStdout: () => {
        if (connected) return; // one connection, however the job's output is split
        connected = true;
        const socket = connectJobSocket(join(area.path, "serve.sock"));
        let got = "";
        socket.on("data", (c) => (got += c.toString()));
        socket.on("error", (e) => (got = `error: ${e.message}`));
        socket.on("close", () => answer(got));
      },
    });
    // The job may end before the node has read the answer: wait for both.
    const [reply, result] = await Promise.all([replied, served]);
    assert.equal(result.exitCode, 0);
    assert.equal(reply, "from the job");
  });
});
