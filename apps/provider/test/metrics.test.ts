// The node's /metrics text passes Prometheus's own linter: `_total` only on counters.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { createMetrics } from "../src/metrics.ts";

const promtool = spawnSync("promtool", ["--version"]).status === 0;

describe("provider metrics", () => {
  it("names no gauge, histogram or summary with the counters' `_total` suffix", async () => {
    const { registry } = createMetrics();
    const wrong = (await registry.getMetricsAsJSON())
      .filter((m) => String(m.type) !== "counter" && m.name.endsWith("_total"))
      .map((m) => `${m.name} (${m.type})`);
    assert.deepEqual(wrong, []);
    // The process and Node.js metrics are still there, the active handles among them.
    assert.ok((await registry.getMetricsAsJSON()).some((m) => m.name === "plasma_provider_nodejs_active_handles"));
  });

  it("passes promtool check metrics", {
    skip: !promtool && "promtool is not installed (Debian: apt-get install prometheus)",
  }, async () => {
    const { registry } = createMetrics();
    const check = spawnSync("promtool", ["check", "metrics"], { input: await registry.metrics(), encoding: "utf8" });
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });
});
