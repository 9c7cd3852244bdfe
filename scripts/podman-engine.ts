// Starts a local Docker-compatible engine (Podman's API service) for the Docker runtime's tests on a
// host without Docker: `node scripts/podman-engine.ts`, then run the tests with the DOCKER_HOST it
// prints. Needs Debian's podman, runc and busybox-static. It uses runc, cgroupfs and vfs storage,
// which also work inside containers such as CI machines; its config stays in a temporary directory.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const missing = ["podman", "runc", "busybox"].filter((b) => spawnSync("sh", ["-c", `command -v ${b}`]).status !== 0);
if (missing.length) {
  console.error(`missing: ${missing.join(", ")}; install with: apt-get install -y podman runc busybox-static`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), "plasma-podman-"));
writeFileSync(
  join(dir, "containers.conf"),
  // Explicit ulimits: some sandboxes refuse raising them, which is podman's default.
  `[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n`,
);
writeFileSync(
  join(dir, "storage.conf"),
  `[storage]\ndriver = "vfs"\nrunroot = "${dir}/run"\ngraphroot = "${dir}/storage"\n`,
);
const socket = join(dir, "engine.sock");
const service = spawn("podman", ["system", "service", "--time=0", `unix://${socket}`], {
  env: {
    ...process.env,
    CONTAINERS_CONF: join(dir, "containers.conf"),
    CONTAINERS_STORAGE_CONF: join(dir, "storage.conf"),
  },
  stdio: "inherit",
});
console.log(
  `engine started (pid ${service.pid}); use it with:\n  export DOCKER_HOST=unix://${socket}\nCtrl-C stops it.`,
);
process.on("SIGINT", () => service.kill("SIGTERM"));
service.on("exit", (code) => process.exit(code ?? 0));
