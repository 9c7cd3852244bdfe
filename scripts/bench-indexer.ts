// Part of `npm run bench`: offer search through the HTTP API with 10,000 providers in the database
// (BENCH_INDEXER_PROVIDERS; two offers each, across 6 GPU models and 5 regions), against the same
// searches over 100 providers in the same run. Requests go over real HTTP to the API server, one at a
// time; the mix is what the market page sends: a GPU model or not, a price cap or not, a sort, a page.
// PGlite (embedded) unless DATABASE_URL names a PostgreSQL server.
import { createApiServer, migrate, openDatabase } from "@plasma/indexer";
import { type Deployment, startDevnet } from "@plasma/sdk";
import pino from "pino";

const PROVIDERS = Number(process.env.BENCH_INDEXER_PROVIDERS ?? 10_000);
const REQUESTS = Number(process.env.BENCH_INDEXER_REQUESTS ?? 2_000);
const MODELS = ["H100", "H200", "A100", "L40S", "RTX 4090", "B200"];
const SORTS = ["price", "-price", "reputation", "-reputation", "vram", "-free", "newest"];

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;

/** A deterministic pseudo-random sequence, so both databases get the same request mix. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function searches(count: number): string[] {
  const random = mulberry32(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)] as T;
  return Array.from({ length: count }, () => {
    const q = new URLSearchParams();
    if (random() < 0.7) q.set("gpuModel", pick(MODELS));
    if (random() < 0.4) q.set("maxPricePerGpuHour", (1 + random() * 3).toFixed(2));
    if (random() < 0.2) q.set("minReputation", "0.5");
    if (random() < 0.3) q.set("minFreeGpus", "1");
    q.set("sort", pick(SORTS));
    q.set("offset", String(Math.floor(random() * 5) * 20));
    return `/api/v1/offers?${q}`;
  });
}

/** A database with `providers` registered providers and two offers each, filled with set-based SQL. */
async function seeded(providers: number) {
  const db = await openDatabase({ url: process.env.DATABASE_URL });
  if (db.engine === "postgres") {
    await db.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
  }
  await migrate(db);
  await db.query(
    `INSERT INTO providers (address, endpoint, registered_at, stake, completed, sampled, verified, failed, reputation)
     SELECT '0x' || lpad(to_hex(i), 40, '0'), 'https://p' || i || '.example', 1700000000 + i,
       (1000 + (i * 37) % 9000)::numeric * 1e18, i % 50, i % 7, i % 5, i % 3, ((i % 5) + 1)::float8 / ((i % 5) + (i % 3) + 2)
     FROM generate_series(1, $1::int) AS i`,
    [providers],
  );
  await db.query(
    `INSERT INTO offers (id, provider, gpu_model, gpu_model_key, vram_gb, gpu_count, gpus_in_use, price_per_gpu_second,
       region, region_key, created_at)
     SELECT n, '0x' || lpad(to_hex((n + 1) / 2), 40, '0'), m.model, lower(m.model), m.vram, 1 + n % 8, n % 3,
       ((0.8 + (n * 7919 % 1000) / 300.0) * 1e18 / 3600)::numeric(78, 0), r.region, r.region, 1700000000 + n
     FROM generate_series(1, $1::int * 2) AS n,
       LATERAL (SELECT (ARRAY['H100','H200','A100','L40S','RTX 4090','B200'])[1 + n % 6] AS model,
                       (ARRAY[80, 141, 40, 48, 24, 192])[1 + n % 6] AS vram) m,
       LATERAL (SELECT (ARRAY['eu','us','asia','sa','af'])[1 + n % 5] AS region) r`,
    [providers],
  );
  await db.exec("ANALYZE");
  return db;
}

async function measure(providers: number, deployment: Deployment, urls: string[]) {
  const db = await seeded(providers);
  const app = await createApiServer({
    db,
    deployment,
    status: () => ({ block: 0, headBlock: 0, syncedAt: 0, lastError: null }),
    logger: pino({ level: "silent" }),
  });
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  for (const url of urls.slice(0, 100)) await (await fetch(base + url)).arrayBuffer(); // warm up
  const latencies: number[] = [];
  for (const url of urls) {
    const started = performance.now();
    const response = await fetch(base + url);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    latencies.push(performance.now() - started);
  }
  await app.close();
  await db.close();
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), max: Math.max(...latencies) };
}

// The API needs a deployment to describe; a devnet gives a real one (nothing is read from it).
const devnet = await startDevnet({ port: 0 });
try {
  const urls = searches(REQUESTS);
  const engine = process.env.DATABASE_URL ? "PostgreSQL" : "PGlite";
  const small = await measure(100, devnet.deployment, urls);
  const large = await measure(PROVIDERS, devnet.deployment, urls);
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  console.log(`\nOffer search over HTTP (${engine}, ${REQUESTS} requests one at a time, same mix for both)`);
  console.log(`  100 providers       p50 ${ms(small.p50)}  p99 ${ms(small.p99)}  max ${ms(small.max)}`);
  console.log(`  ${PROVIDERS} providers  p50 ${ms(large.p50)}  p99 ${ms(large.p99)}  max ${ms(large.max)}`);
  console.log(
    `  p99 ratio ${(large.p99 / small.p99).toFixed(2)}x; target p99 < 50 ms: ${large.p99 < 50 ? "met" : "MISSED"}`,
  );
} finally {
  await devnet.stop();
}
