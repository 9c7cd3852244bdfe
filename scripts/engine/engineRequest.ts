// A small client for a Docker-compatible Engine API (DOCKER_HOST: unix:// or tcp://), without
// dockerode: the test runner uses it before the workspace's packages are involved.
import { request } from "node:http";

/** Where DOCKER_HOST points (unset: the default Docker socket), as `http.request` options. */
export function engineAddress(dockerHost: string | undefined): { socketPath: string } | { host: string; port: number } {
  if (!dockerHost) return { socketPath: "/var/run/docker.sock" };
  if (dockerHost.startsWith("unix://")) return { socketPath: dockerHost.slice("unix://".length) };
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(dockerHost);
  if (tcp?.[1] && tcp[2]) return { host: tcp[1], port: Number(tcp[2]) };
  throw new Error(`DOCKER_HOST=${dockerHost} is neither unix:///path nor tcp://host:port; fix or unset it`);
}

/** Sends one request to the engine and resolves with its status and body (rejects if nothing answers). */
export function engineRequest(
  dockerHost: string | undefined,
  method: string,
  path: string,
  timeoutMs = 5000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ ...engineAddress(dockerHost), method, path, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from the engine within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** Whether an engine answers `GET /_ping` at DOCKER_HOST; if not, why. */
export async function pingEngine(
  dockerHost: string | undefined,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const { status } = await engineRequest(dockerHost, "GET", "/_ping");
    return status === 200 ? { ok: true } : { ok: false, reason: `GET /_ping answered ${status}` };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
