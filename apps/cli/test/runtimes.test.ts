import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { testEngine } from "../../../packages/runtime/test/testImage.ts";
import { type Dev, plasma, startDev, startProvider, tempHome } from "./harness.ts";

const { skip, IMAGE, importTestImage } = await testEngine();

describe("runtimes: sandbox and Docker providers", () => {
  let dev: Dev;
  let home: string;
  let cwd: string;
  const processes: ChildProcess[] = [];
  before(async () => {
    home = tempHome();
    cwd = mkdtempSync(join(tmpdir(), "plasma-runtimes-"));
    dev = await startDev(home); // no built-in provider: each test starts the one it needs
  });
  after(async () => {
    for (const p of processes) p.kill("SIGKILL");
    if (dev.process.exitCode === null) await dev.stop();
  });

  const dockerSpec = () => {
    const file = join(cwd, "docker-job.yaml");
    writeFileSync(
      file,
      `version: 1\nruntime: docker\nimage: ${IMAGE}\ncommand: ["sh", "-c", "echo hello from a container; mkdir -p out; id -u > out/uid.txt"]\noutputs: ["out/"]\nresources: { gpus: 0 }\n`,
    );
    return file;
  };

  it("refuses to start a Docker node without an engine, saying what to do", async () => {
    const failed = await startProvider(home, ["--runtimes", "sandbox,docker"], {
      DOCKER_HOST: "unix:///nonexistent/docker.sock",
    }).then(
      () => assert.fail("the node started without an engine"),
      (error: Error & { code: number }) => error,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.message, /The docker runtime is enabled, but no Docker engine answers/);
    assert.match(failed.message, /remove docker from runtimes/);
    assert.doesNotMatch(failed.message, /\n\s+at /, "no stack trace");
  });

  it("sends a docker job only to a provider that runs Docker", async () => {
    const { process: provider } = await startProvider(home, ["--runtimes", "sandbox"]);
    processes.push(provider);
    const result = await plasma(home, ["run", dockerSpec()]);
    assert.equal(result.code, 2, "nothing was opened: the job does not fit the market");
    assert.match(result.stderr, /No offer that fits this job comes from a provider that runs docker jobs/);
    provider.kill("SIGINT");
    await new Promise((r) => provider.once("exit", r));
  });

  it("runs a docker job end to end and brings back verified outputs", { skip }, async () => {
    await importTestImage();
    const { process: provider } = await startProvider(home, ["--runtimes", "sandbox,docker"]);
    processes.push(provider);
    const result = await plasma(home, ["run", "--json", "--out", join(cwd, "results"), dockerSpec()]);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as { endReason: string; resultsDir: string; outputs: { path: string }[] };
    assert.equal(summary.endReason, "completed");
    assert.deepEqual(
      summary.outputs.map((o) => o.path).filter((p) => p.startsWith("out/")),
      ["out/uid.txt"],
    );
    assert.match(readFileSync(join(summary.resultsDir, ".plasma/logs.txt"), "utf8"), /hello from a container/);
  });
});
