// Runs the server the way a provider does: under bubblewrap, with only node, the server's src/
// directory and the onnxruntime packages from modelServerFiles() mounted, no network, a clean
// environment. Skipped where bubblewrap cannot run.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readlinkSync, realpathSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildExampleModel, modelServerFiles } from "../src/index.ts";
import { json, type RunningServer, request, startServer, stopServer } from "./helpers.ts";

const bwrapWorks =
  spawnSync("bwrap", ["--unshare-all", "--ro-bind", "/", "/", "--", "/bin/true"], { stdio: "ignore" }).status === 0;

const APP = "/srv/app";

function sandboxCommand(modelFile: string, socketDir: string): string[] {
  const files = modelServerFiles();
  const args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"];
  for (const path of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    if (!existsSync(path)) continue;
    if (lstatSync(path).isSymbolicLink()) args.push("--symlink", readlinkSync(path), path);
    else args.push("--ro-bind", path, path);
  }
  if (existsSync("/etc/ld.so.cache")) args.push("--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache");
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
  args.push("--ro-bind", realpathSync(process.execPath), "/opt/node/bin/node");
  args.push("--ro-bind", files.serverDir, `${APP}/src`);
  for (const { name, path } of files.nodeModules) args.push("--ro-bind", path, `${APP}/node_modules/${name}`);
  args.push("--ro-bind", modelFile, "/srv/model.onnx", "--bind", socketDir, "/run/plasma");
  args.push("--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp");
  args.push(
    "--",
    "/opt/node/bin/node",
    `${APP}/src/server.ts`,
    "--model",
    "/srv/model.onnx",
    "--socket",
    "/run/plasma/s.sock",
  );
  return args;
}

describe("modelServerFiles", () => {
  it("modelServerFiles() names the src directory, its entry and the two onnxruntime packages", () => {
    const files = modelServerFiles();
    assert.equal(files.serverEntry, join(files.serverDir, "server.ts"));
    assert.ok(existsSync(files.serverEntry));
    assert.deepEqual(
      files.nodeModules.map((m) => m.name),
      ["onnxruntime-node", "onnxruntime-common"],
    );
    for (const { path } of files.nodeModules) assert.ok(existsSync(join(path, "package.json")), path);
  });
});

describe("the server in a bubblewrap sandbox with only modelServerFiles() mounted", {
  skip: !bwrapWorks && "bwrap cannot run here",
}, () => {
  let dir: string;
  let server: RunningServer | undefined;
  let sha256: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "model-server-sandbox-"));
    const modelFile = join(dir, "model.onnx");
    ({ sha256 } = await buildExampleModel(modelFile));
    await mkdir(join(dir, "sock"));
    server = await startServer([], { command: sandboxCommand(modelFile, join(dir, "sock")) });
  });

  after(async () => {
    await stopServer(server);
    await rm(dir, { recursive: true, force: true });
  });

  it("starts, loads the model and answers through the socket in the bound directory", async () => {
    assert.equal(server?.ready.socket, "/run/plasma/s.sock");
    const socket = join(dir, "sock", "s.sock");
    const health = await request(socket, "GET", "/health");
    assert.equal(health.status, 200);
    assert.equal(json(health).sha256, sha256);
    const completion = await request(socket, "POST", "/v1/completions", { prompt: "the ", max_tokens: 12, seed: 9 });
    assert.equal(completion.status, 200, completion.text);
    const text = json<{ choices: { text: string }[] }>(completion).choices[0]?.text ?? "";
    assert.equal(Array.from(text).length, 12);
  });
});
