// A throwaway PostgreSQL server from Debian's packages (installed by `npm install`'s setup): its own
// cluster in a temp directory, on a free port, stopped and deleted by `stop()`. PostgreSQL refuses to
// run as root, so as root the server runs as the `postgres` user.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** The newest installed PostgreSQL's bin directory, if any. */
export function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb")));
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest ? join(root, newest, "bin") : undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export type PostgresServer = { url: string; stop(): Promise<void> };

export async function startPostgres(bin: string): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), "plasma-pg-"));
  const user =
    process.getuid?.() === 0
      ? {
          uid: Number(execFileSync("id", ["-u", "postgres"]).toString()),
          gid: Number(execFileSync("id", ["-g", "postgres"]).toString()),
        }
      : {};
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  execFileSync(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "plasma", "--no-sync"], {
    stdio: "ignore",
    ...user,
  });
  const port = await freePort();
  const server: ChildProcess = spawn(
    join(bin, "postgres"),
    ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
    { stdio: ["ignore", "ignore", "pipe"], ...user },
  );
  const exited = new Promise((resolve) => server.once("exit", resolve));
  // Ready when it says so on its log (stderr), not after a guessed delay.
  await new Promise<void>((resolve, reject) => {
    let log = "";
    createInterface({ input: server.stderr as NodeJS.ReadableStream }).on("line", (line) => {
      log += `${line}\n`;
      if (line.includes("ready to accept connections")) resolve();
    });
    server.once("exit", (code) => reject(new Error(`postgres exited (${code}) before it was ready:\n${log}`)));
  });
  return {
    url: `postgres://plasma@127.0.0.1:${port}/postgres`,
    async stop() {
      server.kill("SIGINT"); // fast shutdown
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
