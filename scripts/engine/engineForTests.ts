// The engine the Docker runtime's tests use: the one at DOCKER_HOST (or /var/run/docker.sock) when
// it answers, else a Podman engine started for this run.
import { pingEngine } from "./engineRequest.ts";
import { startPodmanEngine } from "./podmanEngine.ts";

export type TestEngine =
  | { dockerHost: string | undefined; started: boolean; stop: () => Promise<void> }
  | { dockerHost: undefined; started: false; unavailable: string; stop: () => Promise<void> };

/**
 * Finds or starts a Docker-compatible engine for the tests; never throws: where none can start it
 * says why (the Docker tests then skip, printing that reason).
 * @example const engine = await engineForTests(); if (engine.dockerHost) process.env.DOCKER_HOST = engine.dockerHost;
 */
export async function engineForTests(): Promise<TestEngine> {
  const existing = process.env.DOCKER_HOST;
  const ping = await pingEngine(existing);
  if (ping.ok) return { dockerHost: existing, started: false, stop: async () => undefined };
  try {
    const engine = await startPodmanEngine();
    return { dockerHost: engine.dockerHost, started: true, stop: engine.stop };
  } catch (error) {
    return {
      dockerHost: undefined,
      started: false,
      unavailable: `no engine at ${existing ?? "/var/run/docker.sock"} (${ping.reason}) and Podman's could not start: ${(error as Error).message}`,
      stop: async () => undefined,
    };
  }
}
