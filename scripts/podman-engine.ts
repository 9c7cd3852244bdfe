// Starts a local Docker-compatible engine (Podman's API service) by hand: `node scripts/podman-engine.ts`,
// then run the Docker runtime's tests with the DOCKER_HOST it prints. Ctrl-C stops it and removes its
// directory. (`npm test` starts one by itself when no engine answers: scripts/engine/.)
import { PodmanEngineError, startPodmanEngine } from "./engine/podmanEngine.ts";

try {
  const engine = await startPodmanEngine();
  console.log(
    `engine started (pid ${engine.pid}, files in ${engine.dir}); use it with:\n  export DOCKER_HOST=${engine.dockerHost}\nCtrl-C stops it.`,
  );
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => void engine.stop().then(() => process.exit(0)));
} catch (error) {
  if (!(error instanceof PodmanEngineError)) throw error;
  console.error(`podman engine: ${error.message}`);
  process.exit(1);
}
