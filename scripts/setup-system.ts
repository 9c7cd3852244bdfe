// Runs after `npm install`: installs the system packages Plasma needs (bubblewrap and the tools that
// confine a job: util-linux, e2fsprogs, iproute2, nftables; Chromium, for the web app's browser tests;
// PostgreSQL, for the indexer's tests on a server; Podman, runc and busybox, the engine and image of the
// Docker runtime's tests; mmdebstrap, which builds their Debian images)
// from Debian's packages when they are missing. Never fails the install: it says what is
// missing and how to add it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const NEEDED = [
  { binary: "/usr/bin/bwrap", pkg: "bubblewrap", why: "the job sandbox" },
  { binary: "/usr/bin/setpriv", pkg: "util-linux", why: "jobs under a uid of their own (setpriv, prlimit, nsenter)" },
  { binary: "/usr/sbin/mkfs.ext4", pkg: "e2fsprogs", why: "size-limited job work areas" },
  { binary: "/usr/sbin/ip", pkg: "iproute2", why: "egress jobs' own network namespaces" },
  { binary: "/usr/sbin/nft", pkg: "nftables", why: "egress jobs' firewall (public internet only)" },
  { binary: "/usr/bin/chromium", pkg: "chromium", why: "the web app's browser tests (Playwright)" },
  { binary: "/usr/bin/promtool", pkg: "prometheus", why: "promtool check metrics in the metrics tests" },
  { binary: "/usr/bin/podman", pkg: "podman", why: "a Docker-compatible engine for the Docker runtime's tests" },
  { binary: "/usr/bin/runc", pkg: "runc", why: "the OCI runtime that engine uses (runc works inside containers)" },
  { binary: "/bin/busybox", pkg: "busybox-static", why: "the Docker runtime tests' one-binary image" },
  {
    binary: "/usr/bin/mmdebstrap",
    pkg: "mmdebstrap",
    why: "test images (Debian with Python) built without a registry",
  },
  {
    binary: "/usr/bin/pg_ctlcluster",
    pkg: "postgresql",
    why: "the indexer's PostgreSQL tests (a throwaway server each)",
  },
];

const missing = NEEDED.filter((n) => !existsSync(n.binary));
if (process.platform !== "linux" || missing.length === 0) process.exit(0);

const packages = missing.map((m) => m.pkg);
const isRoot = process.getuid?.() === 0;
const hasApt = existsSync("/usr/bin/apt-get");
const sudo = !isRoot && spawnSync("sudo", ["-n", "true"]).status === 0 ? ["sudo", "-n"] : [];
if (!hasApt || (!isRoot && sudo.length === 0)) {
  console.warn(`plasma: missing ${packages.join(", ")} (${missing.map((m) => m.why).join(", ")}).`);
  console.warn(`plasma: install with: sudo apt-get install -y ${packages.join(" ")}`);
  process.exit(0);
}
console.log(`plasma: installing ${packages.join(", ")} from Debian's packages…`);
const run = (args: string[]) =>
  spawnSync(sudo[0] ?? args[0] ?? "", [...sudo.slice(1), ...(sudo.length ? args : args.slice(1))], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
const ok =
  run(["apt-get", "update", "-qq"]).status === 0 && run(["apt-get", "install", "-y", "-qq", ...packages]).status === 0;
if (!ok)
  console.warn(
    `plasma: could not install ${packages.join(", ")}; install them by hand: apt-get install -y ${packages.join(" ")}`,
  );
