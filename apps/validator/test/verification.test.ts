import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { verificationManagerAbi } from "@plasma/contracts";
import {
  createLogger,
  type JobRuntimes,
  loadProviderConfig,
  type ProviderNode,
  startProviderNode,
} from "@plasma/provider";
import {
  assignHardwareCheck,
  createPlasmaClient,
  type Devnet,
  disputeHardwareCheck,
  followJob,
  getHardwareCheck,
  getHardwareCheckState,
  getHardwareReports,
  getLease,
  getProvider,
  getReputation,
  getValidator,
  getVerification,
  hashJobSpec,
  type JobSpec,
  listOffers,
  openLease,
  type PlasmaClient,
  ProviderApiError,
  parseJobSpec,
  reportHardwareCheck,
  requestHardwareCheck,
  requestValidatorExit,
  startDevnet,
  submitJobSpec,
} from "@plasma/sdk";
import { type Address, createTestClient, type Hex, http, parseEther } from "viem";
import {
  HardwareCheckNotAssignedError,
  runHardwareCheck,
  startValidatorNode,
  type ValidatorNode,
} from "../src/index.ts";
import { setParameterAsGovernance, until } from "./devnetHelpers.ts";

/** Test-only dishonest runtime: runs the job, then replaces its result with garbage. */
const corrupting = (inner: JobRuntimes): JobRuntimes => ({
  ...inner,
  async run(leaseId, spec, options) {
    const result = await inner.run(leaseId, spec, options);
    writeFileSync(join(options.workDir, "out", "result.txt"), "garbage, not computed");
    return result;
  },
});

describe("verification on a devnet: honest and cheating providers, three validators", () => {
  let devnet: Devnet;
  let client: PlasmaClient;
  const providers: ProviderNode[] = [];
  const validators: ValidatorNode[] = [];
  let honest: Address;
  let cheater: Address;
  let providerKey: Hex;
  const leases = { honest: [] as bigint[], cheater: [] as bigint[] };
  const P = 5_000n; // 50 %

  before(async () => {
    devnet = await startDevnet();
    await setParameterAsGovernance(devnet, "samplingRateBps", P);
    const accounts = devnet.deployment.devAccounts ?? {};
    const key = (name: string) => accounts[name]?.privateKey as `0x${string}`;
    honest = accounts.provider2?.address as Address;
    providerKey = key("provider2");
    cheater = accounts.provider1?.address as Address;
    const logs = mkdtempSync(join(tmpdir(), "plasma-verify-"));
    for (const [name, wrap] of [
      ["provider2", undefined],
      ["provider1", corrupting],
    ] as const) {
      const dataDir = join(logs, name);
      providers.push(
        await startProviderNode({
          config: loadProviderConfig(undefined, {
            dataDir,
            port: 0,
            offers: [{ pricePerGpuHour: "36", region: name }],
            stake: "5000",
          }),
          deployment: devnet.deployment,
          privateKey: key(name),
          logger: createLogger("warn"),
          ...(wrap ? { wrapRuntimes: wrap } : {}),
        }),
      );
    }
    // Three: a dispute needs the first validator and a committee of two more (never the lease's parties).
    for (const name of ["validator", "builder", "deployer"]) {
      validators.push(
        await startValidatorNode({
          deployment: devnet.deployment,
          privateKey: key(name),
          dataDir: join(logs, name),
          logger: createLogger("warn", 2, "plasma-validator"),
          mineWhenIdle: true,
          tickMs: 300,
          hardwareChecks: false, // the proof-of-GPU test drives its checks itself
        }),
      );
    }
    client = createPlasmaClient({ deployment: devnet.deployment, account: key("client") });
  });

  after(async () => {
    for (const v of validators) await v.stop();
    for (const p of providers) await p.stop();
    await client?.close();
    await devnet?.stop();
  });

  const EXACT_JOB = (n: number) =>
    `import os, time; time.sleep(1.2); os.makedirs('out', exist_ok=True); open('out/result.txt','w').write(str(sum(i*i for i in range(${n}))))`;
  // Numeric outputs that differ run to run in the 9th digit, as GPU kernels' may: equal within atol only.
  const NOISY_JOB = (n: number) =>
    `import os, time, json, random; time.sleep(1.2); os.makedirs('out', exist_ok=True); json.dump({'loss': [${n} / 7 + random.random() * 1e-9, 0.5], 'step': ${n}}, open('out/metrics.json', 'w'))`;

  /** Runs a job that takes over a second (so the lease has a value) and writes a result. */
  async function runJob(
    provider: Address,
    n: number,
    verification: { mode: "exact" } | { mode: "tolerance"; atol: number; rtol: number } = { mode: "exact" },
  ): Promise<bigint> {
    const [offer] = await listOffers(client, { provider });
    assert.ok(offer, `an offer of ${provider}`);
    const spec: JobSpec = parseJobSpec({
      version: 1,
      command: ["python3", "-c", verification.mode === "exact" ? EXACT_JOB(n) : NOISY_JOB(n)],
      resources: { gpus: 1 },
      timeoutSeconds: 60,
      verification,
    });
    const opened = await openLease(client, {
      offerId: offer.id,
      gpus: 1,
      maxSeconds: 300,
      specHash: hashJobSpec(spec),
      verification: verification.mode,
    });
    const api = { client, endpoint: providers[provider === honest ? 0 : 1]?.url as string, leaseId: opened.leaseId };
    await until("the lease to start", async () =>
      (await getLease(client, opened.leaseId)).status === "running" ? true : undefined,
    );
    // The node may not have seen its start transaction mined yet: it says so, and takes the spec a moment later.
    await until("the provider to take the spec", async () => {
      try {
        return await submitJobSpec(api, spec);
      } catch (error) {
        if (error instanceof ProviderApiError && error.code === "lease-not-started") return undefined;
        throw error;
      }
    });
    await followJob(api, () => {});
    return opened.leaseId;
  }

  it("catches a share of the cheater's leases close to p, slashes and refunds each, and never an honest one", async (t) => {
    for (let i = 0; i < 20; i++) {
      leases.cheater.push(await runJob(cheater, 1000 + i));
      if (i < 8) leases.honest.push(await runJob(honest, 5000 + i));
    }
    const all = [...leases.cheater, ...leases.honest];
    const final = await until(
      "every verification to end",
      async () => {
        const vs = await Promise.all(all.map((id) => getVerification(client, id)));
        return vs.every((v) => ["released", "verified", "failed"].includes(v.stage)) ? vs : undefined;
      },
      240_000,
    );
    const outcome = new Map(final.map((v) => [v.leaseId, v.stage]));

    // No honest lease fails; every sampled cheater lease fails, every unsampled one is released.
    for (const id of leases.honest) assert.notEqual(outcome.get(id), "failed", `honest lease ${id}`);
    const caught = leases.cheater.filter((id) => outcome.get(id) === "failed");
    const released = leases.cheater.filter((id) => outcome.get(id) === "released");
    assert.equal(caught.length + released.length, leases.cheater.length, "a cheater's lease is caught or unsampled");
    // Binomial(20, 0.5): outside [2, 18] with probability 4e-5.
    assert.ok(caught.length >= 2 && caught.length <= 18, `caught ${caught.length} of 20 at p = 50 %`);
    t.diagnostic(`caught ${caught.length} of ${leases.cheater.length} corrupted leases at p = 50 %`);

    // Each caught lease refunded the client what it paid, and slashed the provider 10x the lease's value.
    const verifier = client.addresses.verificationManager;
    const logs = await client.public.getContractEvents({
      address: verifier,
      abi: verificationManagerAbi,
      eventName: "VerificationEnded",
      fromBlock: 0n,
    });
    const ended = new Map(logs.map((l) => [l.args.leaseId as bigint, l.args]));
    const openedLogs = await client.public.getContractEvents({
      address: verifier,
      abi: verificationManagerAbi,
      eventName: "VerificationOpened",
      fromBlock: 0n,
    });
    const lockedOf = new Map(openedLogs.map((l) => [l.args.leaseId as bigint, l.args.locked as bigint]));
    for (const id of caught) {
      const lease = await getLease(client, id);
      const e = ended.get(id);
      assert.ok(lease.paid > 0n, `lease ${id} has a value`);
      assert.equal(e?.refund, lease.paid, `lease ${id}: the client gets back what it paid`);
      const unlocked = lease.paid - (lockedOf.get(id) ?? 0n);
      assert.equal(
        e?.slashed,
        lease.paid * 10n + unlocked,
        `lease ${id}: 10x its value (+ what was not locked) slashed`,
      );
    }
    const repCheater = await getReputation(client, cheater);
    const repHonest = await getReputation(client, honest);
    assert.equal(repCheater.failed, caught.length);
    assert.equal(repCheater.disputesLost, caught.length, "every catch went through a second validator");
    assert.equal(repHonest.failed, 0);
    assert.equal((await getProvider(client, honest)).stake, parseEther("5000"), "the honest provider lost no stake");
    assert.equal(repHonest.completed, leases.honest.length);
    assert.equal(repHonest.verified + (leases.honest.length - repHonest.sampled), leases.honest.length);
  });

  it("tolerance mode: outputs that differ in the 9th digit are verified within atol, and the match is audited", async () => {
    // Every match audited here: the second validator commits blind, then judges the provider's outputs and the
    // first validator's (fetched only once its own commitment is on chain).
    await setParameterAsGovernance(devnet, "toleranceAuditBps", 10_000n);
    const tolerance = { mode: "tolerance" as const, atol: 1e-6, rtol: 0 };
    let verified = 0;
    for (let i = 0; i < 16 && verified < 1; i++) {
      const id = await runJob(honest, 100 + i, tolerance);
      const v = await until("the draw and any re-run", async () => {
        const s = await getVerification(client, id);
        return ["released", "verified", "failed"].includes(s.stage) ? s : undefined;
      });
      assert.notEqual(v.stage, "failed", `tolerance lease ${id}`);
      if (v.stage !== "verified") continue;
      verified += 1;
      assert.ok(v.audit && v.validator2, `lease ${id}: the match was audited by a second validator`);
      assert.ok(v.results[0] && v.results[1], "both published the outputs they committed to");
      for (const validator of [v.validator1, v.validator2]) {
        assert.equal((await getValidator(client, validator as Address)).disputesLost, 0, "nobody slashed");
      }
    }
    assert.equal(verified, 1, "one sampled tolerance lease was re-run, judged a match and audited");
    await setParameterAsGovernance(devnet, "toleranceAuditBps", 2_000n);
  });

  it("proof of GPU: only the drawn validator reports; a false failure is disputed, re-checked and overturned", async () => {
    // Two validators here: the third leaves the set, so the re-check goes to the one not disputed.
    const third = validators.pop() as ValidatorNode;
    await requestValidatorExit(third.client);
    await third.stop();
    const chain = createTestClient({ mode: "anvil", transport: http(devnet.deployment.rpcUrl) });
    const [offer] = await listOffers(client, { provider: honest });
    assert.ok(offer);
    const small = { targetSeconds: 0.5, allowanceMs: 5_000 };
    const node = (address: Address | null) =>
      validators.find((v) => v.address.toLowerCase() === address?.toLowerCase());
    /** Requests a check (anyone may) and draws its validator from the request block's hash. */
    const requestAndDraw = async () => {
      await requestHardwareCheck(client, offer.id);
      await assignHardwareCheck(client, offer.id);
      const check = await getHardwareCheckState(client, offer.id);
      assert.equal(check.stage, "assigned");
      const drawn = node(check.validator);
      assert.ok(drawn, `${check.validator} is one of the two validators`);
      return { drawn, other: validators.find((v) => v !== drawn) as ValidatorNode };
    };

    const first = await requestAndDraw();
    // A validator that was not drawn can neither run the check nor report it.
    await assert.rejects(
      runHardwareCheck(first.other.client, offer.id, { challenge: small }),
      HardwareCheckNotAssignedError,
    );
    await assert.rejects(
      reportHardwareCheck(first.other.client, offer.id, false),
      /is not the validator assigned to check offer/,
    );
    const passed = await runHardwareCheck(first.drawn.client, offer.id, { challenge: small });
    assert.equal(passed.verdict.passed, true, passed.verdict.reason);
    assert.equal((await getHardwareCheck(client, offer.id))?.failed, false);

    // A day on (the contract's MIN_CHECK_INTERVAL): a check against a deadline no hardware meets fails the offer.
    await chain.increaseTime({ seconds: 86_401 });
    await chain.mine({ blocks: 1 });
    const second = await requestAndDraw();
    const slow = await runHardwareCheck(second.drawn.client, offer.id, {
      challenge: { ...small, allowanceMs: 0, slack: 1e-6 },
    });
    assert.equal(slow.verdict.passed, false);
    assert.match(slow.verdict.reason, /too slow/);
    const check = await getHardwareCheck(client, offer.id);
    assert.equal(check?.failed, true);
    assert.equal(check?.reportHash, slow.reportHash);
    assert.equal((await listOffers(client, { provider: honest })).length, 0, "hidden by default");
    assert.equal((await listOffers(client, { provider: honest, includeFailedHardware: true })).length, 1);

    // The provider disputes: the other validator is drawn, re-checks, passes the offer; the false report is overturned.
    const provider = createPlasmaClient({ deployment: devnet.deployment, account: providerKey });
    await disputeHardwareCheck(provider, offer.id);
    await provider.close();
    await assignHardwareCheck(client, offer.id);
    const recheck = await getHardwareCheckState(client, offer.id);
    assert.equal(recheck.validator, second.other.address, "the re-check goes to the validator not disputed");
    const stakeBefore = (await getValidator(client, second.drawn.address)).stake;
    await runHardwareCheck(second.other.client, offer.id, { challenge: small });
    const history = await getHardwareReports(client, offer.id);
    assert.deepEqual(
      history.map((r) => [r.passed, r.verdict, r.recheck]),
      [
        [true, "standing", false],
        [false, "overturned", false],
        [true, "standing", true],
      ],
    );
    assert.ok(
      (await getValidator(client, second.drawn.address)).stake < stakeBefore,
      "the overturned report costs its validator a penalty",
    );
    assert.equal((await listOffers(client, { provider: honest })).length, 1, "listed again");
  });
});
