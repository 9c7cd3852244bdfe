// `npm run bench`: gas of every lease lifecycle step and of a whole lease, and the latency from
// sending `openLease` to a watcher seeing `LeaseOpened`, against a plain XPL transfer's receipt
// latency measured in the same run (the baseline).
import {
  approveXpl,
  cancelLease,
  completeLease,
  createOffer,
  drawVerification,
  openLease,
  type PlasmaClient,
  registerProvider,
  settleLease,
  stake,
  startLease,
  stopLease,
  transferXpl,
  watchLeaseOpened,
} from "@plasma/sdk";
import { createTestClient, type Hex, http, keccak256, parseEther, toHex } from "viem";
import { startTestNet } from "../packages/sdk/test/helpers.ts";

const LATENCY_SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50);

const net = await startTestNet();
const client = net.as("client");
const provider = net.as("provider1");
const test = createTestClient({ mode: "anvil", transport: http(net.devnet.deployment.rpcUrl) });

async function gasOf(c: PlasmaClient, hash: Hex): Promise<bigint> {
  return (await c.public.getTransactionReceipt({ hash })).gasUsed;
}

try {
  await registerProvider(provider, { endpoint: "http://127.0.0.1:8700" });
  await stake(provider, { amount: parseEther("100000") });
  const { offerId } = await createOffer(provider, {
    gpuModel: "H100",
    vramGb: 80,
    gpuCount: 1000,
    pricePerGpuSecond: 10n ** 12n,
    region: "eu",
  });
  const spec = keccak256(toHex("spec"));
  const result = keccak256(toHex("result"));

  let verificationGasRatio = 0;
  // Gas: the first lease pays for first-time storage (fee accumulators); report the steady state too.
  const rows: [string, bigint, bigint][] = [];
  const life = async (label: string, verification: "none" | "exact" = "none") => {
    const opened = await openLease(client, { offerId, gpus: 1, maxSeconds: 3600, specHash: spec, verification });
    const open = opened.receipt.gasUsed;
    const start = await gasOf(provider, await startLease(provider, { leaseId: opened.leaseId }));
    await test.increaseTime({ seconds: 120 });
    const complete = await gasOf(
      provider,
      (await completeLease(provider, { leaseId: opened.leaseId, resultHash: result })).hash,
    );
    return { label, open, start, complete, leaseId: opened.leaseId };
  };
  const permitLife = await life("first lease (permit, cold storage)");
  await approveXpl(client, { spender: client.addresses.computeMarket, amount: parseEther("1000000") });
  const warmLife = await life("steady state (allowance)");
  for (const l of [permitLife, warmLife]) {
    rows.push([`${l.label}: openLease`, l.open, 0n]);
    rows.push([`${l.label}: startLease`, l.start, 0n]);
    rows.push([`${l.label}: completeLease`, l.complete, 0n]);
    rows.push([`${l.label}: open + start + complete`, l.open + l.start + l.complete, 250_000n]);
  }
  // A verified lease: fee and collateral at open, payout locked at completion, then the sampling draw
  // (anyone sends it; here it is not sampled, so the draw also releases the payout).
  await life("verified lease, warm-up");
  const verified = await life("verified lease (exact)", "exact");
  await test.mine({ blocks: 1 });
  const draw = await gasOf(client, await drawVerification(client, BigInt(verified.leaseId)));
  const verifiedTotal = verified.open + verified.start + verified.complete + draw;
  const plainTotal = warmLife.open + warmLife.start + warmLife.complete;
  rows.push([`${verified.label}: openLease`, verified.open, 0n]);
  rows.push([`${verified.label}: completeLease`, verified.complete, 0n]);
  rows.push([`${verified.label}: draw (not sampled, releases)`, draw, 0n]);
  rows.push([`${verified.label}: open + start + complete + draw`, verifiedTotal, 0n]);
  verificationGasRatio = Number(verifiedTotal) / Number(plainTotal);
  const settled = await openLease(client, { offerId, gpus: 1, maxSeconds: 3600 });
  await startLease(provider, { leaseId: settled.leaseId });
  await test.increaseTime({ seconds: 60 });
  rows.push([
    "settle (provider, mid-lease)",
    await gasOf(provider, (await settleLease(provider, { leaseId: settled.leaseId })).hash),
    0n,
  ]);
  const stopped = await openLease(client, { offerId, gpus: 1, maxSeconds: 3600 });
  await startLease(provider, { leaseId: stopped.leaseId });
  rows.push([
    "stopLease (client)",
    await gasOf(client, (await stopLease(client, { leaseId: stopped.leaseId })).hash),
    0n,
  ]);
  const noShow = await openLease(client, { offerId, gpus: 1, maxSeconds: 3600 });
  await test.increaseTime({ seconds: 601 });
  rows.push([
    "cancelLease (no-show, with slash)",
    await gasOf(client, (await cancelLease(client, { leaseId: noShow.leaseId })).hash),
    0n,
  ]);
  const transfer = await transferXpl(client, { to: provider.account?.address as Hex, amount: 1n });
  rows.push(["baseline: XPL transfer", await gasOf(client, transfer), 0n]);

  console.log("\nGas per lifecycle step");
  console.log("step".padEnd(62), "gas".padStart(9), "  goal");
  for (const [name, gas, goal] of rows) {
    const verdict = goal === 0n ? "" : gas <= goal ? `  ≤ ${goal} ✔` : `  > ${goal} ✖`;
    console.log(name.padEnd(62), gas.toString().padStart(9), verdict);
  }
  console.log(
    `verified lease (exact, not sampled) vs plain lease, whole life: ${verificationGasRatio.toFixed(2)}× the gas`,
  );

  // Latency: openLease sent → LeaseOpened delivered to a WebSocket watcher, vs a transfer's receipt.
  const me = provider.account?.address as Hex;
  const seenAt = new Map<bigint, number>();
  let waiting: { leaseCount: number; resolve: () => void } | undefined;
  const unwatch = watchLeaseOpened(provider, {
    provider: me,
    onLease: (lease) => {
      seenAt.set(lease.leaseId, performance.now());
      if (waiting && seenAt.size >= waiting.leaseCount) waiting.resolve();
    },
  });
  const watcherMs: number[] = [];
  const receiptMs: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t0 = performance.now();
    await transferXpl(client, { to: me, amount: 1n });
    receiptMs.push(performance.now() - t0);

    const target = seenAt.size + 1;
    const seen = new Promise<void>((resolve) => {
      waiting = { leaseCount: target, resolve };
    });
    const t1 = performance.now();
    const opened = await openLease(client, { offerId, gpus: 1, maxSeconds: 60 });
    await seen;
    watcherMs.push((seenAt.get(opened.leaseId) ?? Number.NaN) - t1);
  }
  unwatch();
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
  };
  console.log(`\nLatency over ${LATENCY_SAMPLES} samples (ms)`);
  console.log("measure".padEnd(62), "p50".padStart(8), "p95".padStart(8));
  console.log(
    "baseline: XPL transfer sent → receipt".padEnd(62),
    pct(receiptMs, 50).toFixed(1).padStart(8),
    pct(receiptMs, 95).toFixed(1).padStart(8),
  );
  console.log(
    "openLease sent → LeaseOpened seen by watcher".padEnd(62),
    pct(watcherMs, 50).toFixed(1).padStart(8),
    pct(watcherMs, 95).toFixed(1).padStart(8),
  );
  console.log(
    "ratio (watcher / baseline)".padEnd(62),
    (pct(watcherMs, 50) / pct(receiptMs, 50)).toFixed(2).padStart(8),
    (pct(watcherMs, 95) / pct(receiptMs, 95)).toFixed(2).padStart(8),
  );
} finally {
  await net.stop();
}
