// What a new user sees: `plasma dev` (chain, provider node, validator, indexer, web app), a job run
// with `plasma run`, then the printed web app URL in Chromium: the lease is there, and its client,
// connected with its dev account, lists the outputs from the provider with a signed request.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { type Dev, plasma, startDev, tempHome } from "../../cli/test/harness.ts";
import { launchChromium } from "./browser.ts";

const SHOTS = join(import.meta.dirname, "..", "test-results");

describe("the devnet's web app", () => {
  let dev: Dev;
  let browser: Browser;
  let webUrl: string;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dev = await startDev(tempHome(), "0", ["--provider-port", "0", "--no-validator"]);
    const url = dev.stdout.join("\n").match(/web app +(http:\/\/127\.0\.0\.1:\d+)\//)?.[1];
    assert.ok(url, "plasma dev printed the web app's URL");
    webUrl = url;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    if (dev && dev.process.exitCode === null) await dev.stop();
  });

  it("shows a job's lease and, to its client, the outputs the provider holds", async () => {
    const out = mkdtempSync(join(tmpdir(), "plasma-web-run-"));
    const run = await plasma(dev.home, [
      "run",
      "--out",
      out,
      "--",
      "python3",
      "-c",
      "print('hello from the web test')",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const leaseId = Number(`${run.stdout}\n${run.stderr}`.match(/lease (\d+) completed/)?.[1]);
    assert.ok(leaseId > 0, run.stdout);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => assert.fail(`page error: ${error.message}`));
    await page.goto(`${webUrl}/leases/${leaseId}`);
    await page.getByTestId("lease-timeline").waitFor();
    await page.locator("[data-testid=timeline-item][data-event=LeaseEnded]").waitFor();
    await page.getByTestId("connect-wallet").click();
    await page.getByTestId("connect-dev-client").click();
    await page.getByTestId("show-outputs").click();
    await page.getByTestId("output-manifest").waitFor();
    const paths = await page.getByTestId("output-entry").locator("td:first-child").allTextContents();
    assert.ok(paths.includes(".plasma/logs.txt"), `outputs: ${paths.join(", ")}`);
    await page.screenshot({ path: join(SHOTS, "devnet-lease-outputs.png"), fullPage: true });

    // Someone else's wallet is refused by the provider, and the page says so.
    const other = await browser.newPage();
    await other.goto(`${webUrl}/leases/${leaseId}`);
    await other.getByTestId("connect-wallet").click();
    await other.getByTestId("connect-dev-builder").click();
    await other.getByText("Connect the lease's client wallet").waitFor();
    await Promise.all([page.close(), other.close()]);
  });
});
