// `network: egress` means the public internet and nothing else. Each egress job gets a network namespace of
// its own, joined to the host by a veth pair and NATed out; an nftables table on the host drops whatever the
// job sends to the host itself (its loopback services, the node's API, the chain's RPC) and to every
// non-public range (private, carrier-grade NAT, link-local such as cloud metadata, multicast), to the
// networks the host itself is on, and IPv6;
// refused at once (a TCP reset or an ICMP error), so the job fails fast instead of waiting for a timeout.
// The job cannot change these rules: they live outside its namespaces and it has no capabilities.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { networkInterfaces } from "node:os";

/** Host interface names of job veths start with this (the rules match on it); Linux allows 15 characters. */
const VETH_PREFIX = "plj";
/** Each job gets a /30 of this /16: the host's end .1, the job's .2. */
const SUBNET = "10.213.0.0/16";
const SLOTS = 16_384;
const TABLE = "plasma_egress";

/** Destinations an egress job never reaches (besides the host itself). */
export const EGRESS_DENIED_RANGES = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "168.63.129.16/32", // a cloud's host agent (Azure), public but answering only its own machines
] as const;

/** Public resolvers an egress job uses: the host's may sit on loopback or a private address it cannot reach. */
export const EGRESS_NAMESERVERS = ["1.1.1.1", "8.8.8.8"];

const NFT = "/usr/sbin/nft";
const IP = "/usr/sbin/ip";
const inUse = new Set<number>();
let rulesLoaded = false;

/** A job's own network namespace with a NATed route out. */
export type EgressNetwork = {
  /** Path to enter with `nsenter --net=…`. */
  namespacePath: string;
  /** A resolv.conf for the job, naming public resolvers. */
  resolvConf: string;
  remove(): void;
};

/** The egress network cannot be set up on this host. */
export class EgressUnavailableError extends Error {
  override name = "EgressUnavailableError";
}

const run = (command: string, args: string[], input?: string) => {
  const result = spawnSync(command, args, { encoding: "utf8", input });
  if (result.status !== 0)
    throw new EgressUnavailableError(
      `${command.split("/").pop()} ${args.join(" ")}: ${(result.stderr || result.error?.message || `exit ${result.status}`).trim()}`,
    );
};

/** Why this host cannot isolate egress jobs, or undefined when it can. */
export function egressUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "the node is not root (a job's own network namespace and NAT need root)";
  if (!existsSync(IP)) return "`ip` is missing (apt-get install iproute2)";
  if (!existsSync(NFT)) return "`nft` is missing (apt-get install nftables)";
  return undefined;
}

/**
 * The networks the host is on (its addresses' prefixes, e.g. a datacenter's public /24 with its neighbours,
 * gateway and management controllers), which an egress job must not reach either.
 */
function hostNetworks(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([name]) => name !== "lo" && !name.startsWith(VETH_PREFIX))
    .flatMap(([, addresses]) => addresses ?? [])
    .filter((a) => a.family === "IPv4" && !a.internal && a.cidr)
    .map((a) => networkOf(a.cidr as string));
}

/** `192.0.2.2/24` → `192.0.2.0/24`. */
function networkOf(cidr: string): string {
  const [address, bits] = cidr.split("/");
  const prefix = Number(bits);
  const value = (address ?? "").split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const mask = prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix);
  const network = Number(BigInt(value) & BigInt(mask));
  return `${[24, 16, 8, 0].map((shift) => (network >>> shift) & 255).join(".")}/${prefix}`;
}

/** The host's rules, loaded once per process (replacing any older copy atomically). */
function loadRules() {
  if (rulesLoaded) return;
  const denied = [...EGRESS_DENIED_RANGES, ...hostNetworks()].join(", ");
  run(
    NFT,
    ["-f", "-"],
    `table inet ${TABLE}
delete table inet ${TABLE}
table inet ${TABLE} {
  chain input {
    type filter hook input priority -10; policy accept;
    iifname "${VETH_PREFIX}*" meta l4proto tcp reject with tcp reset
    iifname "${VETH_PREFIX}*" reject
  }
  chain forward {
    type filter hook forward priority -10; policy accept;
    iifname "${VETH_PREFIX}*" meta nfproto ipv6 reject
    iifname "${VETH_PREFIX}*" ip daddr { ${denied} } meta l4proto tcp reject with tcp reset
    iifname "${VETH_PREFIX}*" ip daddr { ${denied} } reject
    oifname "${VETH_PREFIX}*" ct state established,related accept
    oifname "${VETH_PREFIX}*" drop
  }
  chain postrouting {
    type nat hook postrouting priority 100; policy accept;
    ip saddr ${SUBNET} oifname != "${VETH_PREFIX}*" masquerade
  }
}
`,
  );
  writeFileSync("/proc/sys/net/ipv4/ip_forward", "1");
  rulesLoaded = true;
}

/**
 * Creates a job's network namespace `plasma-job-<slot>`: a veth pair (`plj<slot>h` on the host), the job's
 * address in 10.213.0.0/16, a default route through the host, IPv6 off, and the host's rules in place.
 * @throws EgressUnavailableError where the host cannot do it (not root, no nftables, …).
 */
export function createEgressNetwork(resolvConfPath: string): EgressNetwork {
  const unavailable = egressUnavailable();
  if (unavailable) throw new EgressUnavailableError(unavailable);
  loadRules();
  let slot = 0;
  while (inUse.has(slot) || existsSync(`/run/netns/plasma-job-${slot}`)) {
    slot++;
    if (slot >= SLOTS) throw new EgressUnavailableError(`more than ${SLOTS} egress jobs at once on this node`);
  }
  inUse.add(slot);
  const name = `plasma-job-${slot}`;
  const hostIf = `${VETH_PREFIX}${slot}h`;
  const base = slot * 4;
  const address = (n: number) => `10.213.${Math.floor((base + n) / 256)}.${(base + n) % 256}`;
  const remove = () => {
    spawnSync(IP, ["netns", "del", name]); // takes the veth pair with it
    inUse.delete(slot);
  };
  try {
    run(IP, ["netns", "add", name]);
    run(IP, ["link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", name]);
    run(IP, ["addr", "add", `${address(1)}/30`, "dev", hostIf]);
    run(IP, ["link", "set", hostIf, "up"]);
    const inside = (...args: string[]) => run(IP, ["-n", name, ...args]);
    inside("addr", "add", `${address(2)}/30`, "dev", "eth0");
    inside("link", "set", "lo", "up");
    inside("link", "set", "eth0", "up");
    inside("route", "add", "default", "via", address(1));
    run(IP, ["netns", "exec", name, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6"]);
  } catch (error) {
    remove();
    throw error;
  }
  writeFileSync(resolvConfPath, EGRESS_NAMESERVERS.map((ns) => `nameserver ${ns}\n`).join(""));
  return { namespacePath: `/run/netns/${name}`, resolvConf: resolvConfPath, remove };
}
