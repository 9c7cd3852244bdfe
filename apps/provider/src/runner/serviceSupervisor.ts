import { request } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { JobSocketAgent, type RunResult } from "@plasma/runtime";

/** How a service lease's server is watched. */
export type HealthPolicy = {
  /** GET this path over the server's socket; 200 means it can take requests. */
  path: string;
  /** How long a (re)started server may take to answer its first health check. */
  startupSeconds: number;
  /** Restarts after a crash or a hang before giving up. */
  maxRestarts: number;
  /** Between checks of a healthy server (default 2 s). */
  intervalMs?: number;
  /** How long one check may take (default 2 s). */
  timeoutMs?: number;
  /** Failed checks in a row after which a healthy server counts as hung and is restarted (default 3). */
  failuresBeforeRestart?: number;
};

/** How a supervised service ended. */
export type ServiceEnd = { last: RunResult; restarts: number; gaveUp: boolean };

/** Health checks open a connection each (a check must see a server that is up now). */
const probeAgent = new JobSocketAgent();

/**
 * Whether the server on `socketPath` (in the job's work area, never followed through a link) answers `path`
 * with 200 within `timeoutMs`.
 */
export function probeHealth(socketPath: string, path: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, agent: probeAgent, path, method: "GET", timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

/**
 * Keeps a model server running for the life of a service lease: starts it, knows when it is ready (its
 * health check answers), restarts it when it crashes or stops answering, with a growing pause between
 * restarts, and gives up after `maxRestarts`. Ends when `stop` fires or it gives up.
 */
export function superviseService(o: {
  socketPath: string;
  health: HealthPolicy;
  /** Runs the server once; resolves when its process has exited. */
  run: (signal: AbortSignal) => Promise<RunResult>;
  stop: AbortSignal;
  log: (text: string) => void;
}): { readonly ready: boolean; readonly restarts: number; done: Promise<ServiceEnd> } {
  let ready = false;
  let restarts = 0;
  const intervalMs = o.health.intervalMs ?? 2_000;
  const failuresBeforeRestart = o.health.failuresBeforeRestart ?? 3;

  /** Checks the server until its process exits; aborts the attempt when it never comes up or hangs. */
  async function watch(attempt: AbortController, exited: AbortSignal) {
    const startBy = Date.now() + o.health.startupSeconds * 1000;
    let failures = 0;
    while (!exited.aborted) {
      const ok = await probeHealth(o.socketPath, o.health.path, o.health.timeoutMs);
      if (exited.aborted) return;
      if (ok) {
        if (!ready) o.log(`the model server is ready (GET ${o.health.path} answered 200)`);
        ready = true;
        failures = 0;
      } else if (!ready && Date.now() > startBy) {
        o.log(`the model server did not answer GET ${o.health.path} within ${o.health.startupSeconds}s: restarting it`);
        attempt.abort();
        return;
      } else if (ready && ++failures >= failuresBeforeRestart) {
        o.log(`the model server stopped answering its health check (${failures} failures in a row): restarting it`);
        ready = false;
        attempt.abort();
        return;
      }
      // Poll quickly until the server is up, then at the steady interval; wake at once if the process exits.
      await delay(ready ? intervalMs : 200, undefined, { signal: exited }).catch(() => undefined);
    }
  }

  async function loop(): Promise<ServiceEnd> {
    for (;;) {
      const attempt = new AbortController();
      const onStop = () => attempt.abort();
      o.stop.addEventListener("abort", onStop, { once: true });
      if (o.stop.aborted) attempt.abort();
      const exited = new AbortController();
      const watching = watch(attempt, exited.signal);
      const last = await o.run(attempt.signal).finally(() => {
        exited.abort();
        ready = false;
        o.stop.removeEventListener("abort", onStop);
      });
      await watching;
      if (o.stop.aborted) return { last, restarts, gaveUp: false };
      if (restarts >= o.health.maxRestarts) {
        o.log(`the model server failed ${restarts + 1} times: giving up (maxRestarts ${o.health.maxRestarts})`);
        return { last, restarts, gaveUp: true };
      }
      restarts++;
      const pauseMs = Math.min(10_000, 500 * 2 ** (restarts - 1));
      o.log(
        `the model server ${last.aborted ? "was stopped" : `exited (code ${last.exitCode ?? last.signal})`}; restart ${restarts} of ${o.health.maxRestarts} in ${(pauseMs / 1000).toFixed(1)}s`,
      );
      await delay(pauseMs, undefined, { signal: o.stop }).catch(() => undefined);
      if (o.stop.aborted) return { last, restarts, gaveUp: false };
    }
  }

  return {
    get ready() {
      return ready;
    },
    get restarts() {
      return restarts;
    },
    done: loop(),
  };
}
