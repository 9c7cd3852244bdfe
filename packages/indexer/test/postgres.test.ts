// The same schema, migrations and queries on a PostgreSQL server (DATABASE_URL) as on embedded PGlite:
// both index the same devnet to the same rows, roll back the same reorg, and answer the API alike.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import { createTestClient, http } from "viem";
import { startTestNet, type TestNet } from "../../sdk/test/helpers.ts";
import { createApiServer } from "../src/api/server.ts";
import { type Database, openDatabase } from "../src/db/database.ts";
import { migrate } from "../src/db/migrate.ts";
import { catchUp, chainSyncFor, dump, freshIndex } from "./helpers.ts";
import { type PostgresServer, postgresBin, startPostgres } from "./postgresServer.ts";
import { seedMarket, seedNetwork } from "./scenario.ts";

const bin = postgresBin();

describe("PostgreSQL (DATABASE_URL)", {
  skip: bin ? false : "no PostgreSQL installed (npm install adds Debian's postgresql)",
}, () => {
  let net: TestNet;
  let server: PostgresServer;
  let pg: Database;

  before(async () => {
    [net, server] = await Promise.all([startTestNet(), startPostgres(bin as string)]);
    await seedMarket(net);
    await seedNetwork(net);
    pg = await openDatabase({ url: server.url });
    assert.equal(pg.engine, "postgres");
    // Every migration there is, in name order, on a fresh server.
    const all = readdirSync(join(import.meta.dirname, "..", "migrations"))
      .filter((f) => f.endsWith(".sql"))
      .sort();
    assert.ok(all.length > 0);
    assert.deepEqual(await migrate(pg), all);
    assert.deepEqual(await migrate(pg), [], "migrations apply once");
  });
  after(async () => {
    await pg?.close();
    await server?.stop();
    await net?.stop();
  });

  it("indexes the devnet to exactly the rows PGlite holds, and answers the API alike", async () => {
    await catchUp(chainSyncFor(pg, net.devnet.deployment));
    const lite = await freshIndex(net.devnet.deployment);
    assert.deepEqual(await dump(pg), await dump(lite));
    const answers = async (db: Database) => {
      const app = await createApiServer({
        db,
        deployment: net.devnet.deployment,
        status: () => ({ block: 0, headBlock: 0, syncedAt: 0, lastError: null }),
        logger: pino({ level: "silent" }),
      });
      const urls = [
        "/api/v1/offers?sort=-price",
        "/api/v1/gpu-models",
        "/api/v1/supply?points=5",
        "/api/v1/stats",
        "/api/v1/proposals",
        "/api/v1/leases/1",
      ];
      const bodies = await Promise.all(urls.map(async (url) => (await app.inject({ url })).json()));
      await app.close();
      return bodies;
    };
    assert.deepEqual(await answers(pg), await answers(lite));
    await lite.close();
  });

  it("rolls back a reorg the same way", async () => {
    const testClient = createTestClient({ mode: "anvil", transport: http(net.devnet.deployment.rpcUrl) });
    await testClient.request({ method: "anvil_reorg" as never, params: [2, []] as never });
    const rounds = await catchUp(chainSyncFor(pg, net.devnet.deployment));
    assert.ok(
      rounds.some((r) => r.rolledBackTo !== undefined),
      "the reorg was seen",
    );
    const lite = await freshIndex(net.devnet.deployment);
    assert.deepEqual(await dump(pg), await dump(lite));
    await lite.close();
  });
});
