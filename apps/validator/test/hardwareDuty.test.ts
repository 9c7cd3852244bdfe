import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hardwareChecksAbi } from "@plasma/contracts";
import { createLogger, loadProviderConfig, type ProviderNode, startProviderNode } from "@plasma/provider";
import {
  createPlasmaClient,
  type Devnet,
  getHardwareReports,
  listOffers,
  type PlasmaClient,
  startDevnet,
} from "@plasma/sdk";
import type { Hex } from "viem";
import { startValidatorNode, type ValidatorNode } from "../src/index.ts";
import { until } from "./devnetHelpers.ts";

describe("validator nodes' hardware-check duty", () => {
  let devnet: Devnet;
  let provider: ProviderNode;
  let client: PlasmaClient;
  const validators: ValidatorNode[] = [];

  before(async () => {
    devnet = await startDevnet();
    const accounts = devnet.deployment.devAccounts ?? {};
    const dir = mkdtempSync(join(tmpdir(), "plasma-hardware-duty-"));
    provider = await startProviderNode({
      config: loadProviderConfig(undefined, {
        dataDir: join(dir, "provider"),
        port: 0,
        offers: [{ pricePerGpuHour: "36", region: "local" }],
        stake: "5000",
      }),
      deployment: devnet.deployment,
      privateKey: accounts.provider2?.privateKey as Hex,
      logger: createLogger("warn"),
    });
    for (const name of ["validator", "builder"]) {
      validators.push(
        await startValidatorNode({
          deployment: devnet.deployment,
          privateKey: accounts[name]?.privateKey as Hex,
          dataDir: join(dir, name),
          logger: createLogger("warn", 2, "plasma-validator"),
          mineWhenIdle: true,
          tickMs: 300,
          hardwareChecks: { challenge: { targetSeconds: 0.5, allowanceMs: 5_000 }, recheckAfterSeconds: 86_400 },
        }),
      );
    }
    client = createPlasmaClient({ deployment: devnet.deployment });
  });

  after(async () => {
    for (const v of validators) await v.stop();
    await provider?.stop();
    await client?.close();
    await devnet?.stop();
  });

  it("requests a check of an offer never checked, and only the drawn validator runs and reports it", async () => {
    const [offer] = await listOffers(client, { includeFailedHardware: true });
    assert.ok(offer);
    const [report] = await until("the offer's first hardware report", async () => {
      const reports = await getHardwareReports(client, offer.id);
      return reports.length > 0 ? reports : undefined;
    });
    assert.ok(report);
    assert.equal(report.passed, true, "the provider answered the small challenge in time");
    const assigned = await client.public.getContractEvents({
      address: client.addresses.hardwareChecks,
      abi: hardwareChecksAbi,
      eventName: "CheckAssigned",
      fromBlock: 0n,
    });
    assert.equal(assigned.length, 1, "one validator drawn: the other node's request was refused, not duplicated");
    assert.equal(report.validator, assigned[0]?.args.validator, "the report comes from the validator drawn");
    const reporter = validators.find((v) => v.address === report.validator);
    assert.ok(reporter, "one of the two nodes");
    assert.equal(
      (await reporter.metrics.registry.getSingleMetricAsString("plasma_validator_hardware_checks_total")).includes(
        'passed="yes"} 1',
      ),
      true,
    );
  });
});
