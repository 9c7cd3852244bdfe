// The web app in a real browser (Debian's Chromium driven by playwright-core) against a devnet with
// real market activity, indexed by the real indexer and served by the real API. Screenshots of every
// page land in apps/web/test-results/ (phone width too).
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type IndexerService, startIndexerService } from "@plasma/indexer";
import pino from "pino";
import type { Browser, Page } from "playwright-core";
import { seedMarket, seedNetwork } from "../../../packages/indexer/test/scenario.ts";
import { startTestNet, type TestNet } from "../../../packages/sdk/test/helpers.ts";
import { launchChromium } from "./browser.ts";

const WEB_DIR = join(import.meta.dirname, "..", "dist");
const SHOTS = join(import.meta.dirname, "..", "test-results");

describe("web app in Chromium", () => {
  let net: TestNet;
  let service: IndexerService;
  let browser: Browser;
  let seeded: Awaited<ReturnType<typeof seedMarket>>;

  before(async () => {
    assert.ok(existsSync(join(WEB_DIR, "index.html")), "The web app is not built: run `npm run build:web`.");
    mkdirSync(SHOTS, { recursive: true });
    net = await startTestNet();
    seeded = await seedMarket(net);
    await seedNetwork(net);
    service = await startIndexerService({
      deployment: net.devnet.deployment,
      logger: pino({ level: "warn" }),
      port: 0,
      webDir: WEB_DIR,
      pollMs: 100,
    });
    await service.indexer.waitForBlock(Number(await net.as("client").public.getBlockNumber()));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await net?.stop();
  });

  async function open(path: string, width = 1280): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.on("pageerror", (error) => assert.fail(`page error on ${path}: ${error.message}`));
    await page.goto(`${service.url}${path}`);
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it("market page: the offers, the cheapest H100, charts; filters and sort work", async () => {
    const page = await open("/");
    await page.getByTestId("offer-row").first().waitFor();
    assert.equal(await page.getByTestId("offer-row").count(), 3);
    await page.getByTestId("chart-price-index").waitFor();
    await page.getByTestId("chart-supply").waitFor();
    const cheapest = page.getByTestId("cheapest-h100");
    await cheapest.getByText("2.5", { exact: false }).first().waitFor();
    await shot(page, "market");

    await page.getByTestId("filter-gpu-model").selectOption("A100");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=offer-row]").length === 1);
    assert.equal(await page.getByTestId("offer-row").getAttribute("data-offer-id"), String(seeded.offers.a100));
    assert.match(page.url(), /gpuModel=A100/);

    await page.getByTestId("filter-gpu-model").selectOption("H100");
    await page.getByTestId("sort-select").selectOption("-price");
    await page.waitForFunction(
      (first) => document.querySelector("[data-testid=offer-row]")?.getAttribute("data-offer-id") === first,
      String(seeded.offers.h100b),
    );
    await page.close();
  });

  it("provider, lease and network pages render the indexed data", async () => {
    const provider1 = net.devnet.deployment.devAccounts?.provider1?.address as string;
    const page = await open(`/providers/${provider1}`);
    await page
      .getByTestId("provider-stake")
      .getByText("5,000", { exact: false })
      .or(page.getByTestId("provider-stake").getByText("5000", { exact: false }))
      .first()
      .waitFor();
    await shot(page, "provider");

    await page.goto(`${service.url}/leases/${seeded.leases.done}`);
    await page.getByTestId("lease-timeline").waitFor();
    const events = await page
      .getByTestId("timeline-item")
      .evaluateAll((items) => items.map((i) => i.getAttribute("data-event")));
    assert.deepEqual(events.slice(0, 2), ["LeaseOpened", "LeaseStarted"]);
    assert.ok(events.includes("LeaseEnded"));
    await shot(page, "lease");

    await page.goto(`${service.url}/network`);
    await page.getByTestId("proposal-row").first().waitFor();
    await page.getByText("Lower the protocol fee to 4 %").waitFor();
    await shot(page, "network");
    await page.close();
  });

  it("an unknown lease shows an error state with the API's message", async () => {
    const page = await open("/leases/999");
    await page.getByTestId("error").waitFor();
    assert.match((await page.getByTestId("error").textContent()) ?? "", /No lease 999/);
    await page.close();
  });

  it("opens a lease from the market page with a dev account, and the lease shows up", async () => {
    const page = await open("/");
    await page.getByTestId("connect-wallet").click();
    await page.getByTestId("connect-dev-client").click();
    await page.getByTestId("wallet-address").waitFor();
    const row = page.locator(`[data-testid=offer-row][data-offer-id="${seeded.offers.h100}"]`);
    await row.getByTestId("rent-button").click();
    await page.getByTestId("rent-gpus").fill("3");
    await page.getByTestId("rent-hours").fill("2");
    await page.getByTestId("rent-submit").click();
    await page.waitForURL(/\/leases\/\d+$/, { timeout: 30_000 });
    const leaseId = Number(page.url().split("/").at(-1));
    await page.getByTestId("lease-state").waitFor();
    const lease = await (await fetch(`${service.url}/api/v1/leases/${leaseId}`)).json();
    assert.equal(lease.client, net.devnet.deployment.devAccounts?.client?.address);
    assert.equal(lease.gpus, 3);
    assert.equal(lease.maxSeconds, 7200);
    assert.equal(lease.offerId, Number(seeded.offers.h100));
    await shot(page, "lease-opened");
    await page.close();
  });

  it("votes with an injected EIP-1193 wallet", async () => {
    const builder = net.devnet.deployment.devAccounts?.builder?.address as string;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // A minimal injected wallet: it forwards every request to anvil, which signs for its unlocked accounts.
    await page.addInitScript(
      ({ rpcUrl, account }) => {
        let id = 0;
        (window as unknown as { ethereum: unknown }).ethereum = {
          async request({ method, params }: { method: string; params?: unknown[] }) {
            if (method === "eth_requestAccounts" || method === "eth_accounts") return [account];
            const response = await fetch(rpcUrl, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }),
            });
            const body = await response.json();
            if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code });
            return body.result;
          },
          on() {},
          removeListener() {},
        };
      },
      { rpcUrl: net.devnet.deployment.rpcUrl, account: builder },
    );
    await page.goto(`${service.url}/network`);
    await page.getByTestId("connect-wallet").click();
    await page.getByTestId("connect-injected").click();
    await page.getByTestId("wallet-address").waitFor();
    await page.getByTestId("vote-against").first().click();
    const [proposal] = (await (await fetch(`${service.url}/api/v1/proposals`)).json()).proposals;
    for (;;) {
      const detail = await (await fetch(`${service.url}/api/v1/proposals/${proposal.id}`)).json();
      if (detail.votes.some((v: { voter: string; support: string }) => v.voter === builder && v.support === "against"))
        break;
      await service.indexer.waitForBlock(service.indexer.status().block + 1);
    }
    await page.close();
  });

  it("works at phone width", async () => {
    const page = await open("/", 375);
    await page.getByTestId("offer-row").first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the page is ${overflow}px wider than the phone's screen`);
    await shot(page, "market-phone");
    await page.close();
  });
});
