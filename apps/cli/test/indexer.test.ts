// `plasma indexer`: the indexer, API and web app for any deployment, as its own process.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { BIN, type Dev, plasma, startDev, tempHome } from "./harness.ts";

describe("plasma indexer", () => {
  let dev: Dev;
  before(async () => {
    dev = await startDev(tempHome(), "0", ["--no-provider", "--no-validator", "--no-web"]);
  });
  after(async () => {
    if (dev.process.exitCode === null) await dev.stop();
  });

  it("indexes the deployment and serves the API and the web app until Ctrl-C", async () => {
    const child = spawn(process.execPath, [BIN, "indexer", "--port", "0"], {
      env: { ...process.env, PLASMA_HOME: dev.home, DATABASE_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    let api: string | undefined;
    let web: string | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      web ??= line.match(/web app +(http:\/\/\S+)\//)?.[1];
      api ??= line.match(/HTTP API +(http:\/\/\S+\/api\/v1)/)?.[1];
      if (line.includes("Press Ctrl-C")) break;
    }
    assert.ok(api && web, "it printed both URLs");
    const network = (await (await fetch(`${api}/network`)).json()) as { chainId: number };
    assert.equal(network.chainId, 31337);
    const stats = (await (await fetch(`${api}/stats`)).json()) as { providers: number };
    assert.equal(stats.providers, 0, "a fresh devnet has no providers yet");
    assert.match(await (await fetch(`${web}/`)).text(), /<div id="root">/);
    child.kill("SIGINT");
    assert.equal(await exited, 0);
  });

  it("says what to fix when the PostgreSQL server is not there", async () => {
    const run = await plasma(dev.home, ["indexer", "--port", "0"], {
      DATABASE_URL: "postgres://plasma@127.0.0.1:1/plasma",
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Cannot connect to the PostgreSQL server at 127\.0\.0\.1:1 \(DATABASE_URL\)/);
    assert.match(run.stderr, /unset DATABASE_URL to use the embedded database/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  });

  it("needs a deployment", async () => {
    const run = await plasma(tempHome(), ["indexer"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No Plasma deployment found/);
  });
});
