import { existsSync, readFileSync } from "node:fs";
import { PlasmaError } from "@plasma/sdk";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** One offer the node keeps published. Omitted fields come from the detected hardware. */
const offerSchema = z
  .object({
    gpuModel: z.string().min(1).max(64).optional(),
    vramGb: z.number().int().positive().optional(),
    gpus: z.number().int().positive().optional(),
    pricePerGpuHour: z.string().regex(/^\d+(\.\d{1,18})?$/, "must be an XPL amount such as 2.5"),
    /** What a request to a service lease's endpoint costs, on top of the GPU time; "0" lets GPU time pay. */
    pricePerRequest: z
      .string()
      .regex(/^\d+(\.\d{1,18})?$/, "must be an XPL amount such as 0.001")
      .default("0"),
    region: z.string().max(64).default(""),
  })
  .strict();

/** The provider node's configuration file (YAML or JSON); command-line flags override it. */
export const providerConfigSchema = z
  .object({
    /** Where the node keeps its database, artifacts and job directories. */
    dataDir: z.string().min(1),
    /** Address and port the HTTP API listens on. */
    host: z.string().default("127.0.0.1"),
    port: z.number().int().min(0).max(65_535).default(8700),
    /** The URL clients use to reach the API (published on chain); defaults to http://host:port. */
    publicUrl: z.url().optional(),
    /** XPL to keep staked; the node tops its stake up to this. */
    stake: z
      .string()
      .regex(/^\d+(\.\d{1,18})?$/)
      .default("1000"),
    offers: z
      .array(offerSchema)
      .min(1)
      .default([{ pricePerGpuHour: "1", pricePerRequest: "0", region: "" }]),
    /** Memory limit of a job that names none, in GiB. */
    defaultJobMemoryGb: z.number().positive().default(4),
    /** Size of the work area (/work) of a job that names none, in GiB. */
    defaultJobDiskGb: z.number().positive().default(10),
    /** Free space the node keeps on its data disk: leases that would take it below are refused, in GiB. */
    minFreeDiskGb: z.number().nonnegative().default(2),
    /** Most output a job may write to its log, in MiB; past that it is dropped (the log says so). */
    maxJobLogMb: z.number().positive().default(64),
    /** How long a started lease waits for its spec and inputs. */
    specTimeoutSeconds: z.number().int().positive().default(300),
    /** Runtimes offered to jobs: the bubblewrap sandbox, and Docker where an engine runs. */
    runtimes: z
      .array(z.enum(["sandbox", "docker"]))
      .min(1)
      .refine((r) => new Set(r).size === r.length, "must not repeat a runtime")
      .default(["sandbox"]),
    /** The Docker engine's socket; DOCKER_HOST or /var/run/docker.sock when unset. */
    dockerSocket: z.string().min(1).optional(),
    /** Per-request payments: how often vouchers are redeemed on chain, and the least worth a transaction. */
    payments: z
      .object({
        redeemEverySeconds: z.number().int().positive().max(86_400).default(60),
        redeemMinimumXpl: z
          .string()
          .regex(/^\d+(\.\d{1,18})?$/, "must be an XPL amount such as 1")
          .default("1"),
      })
      .strict()
      .default({ redeemEverySeconds: 60, redeemMinimumXpl: "1" }),
    /** Requests one client address may make to the API per minute; more are answered 429. */
    requestsPerMinute: z.number().int().positive().default(6000),
    /** Attributes published with the provider record. */
    attributes: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export type ProviderConfig = z.infer<typeof providerConfigSchema>;

/** The configuration file is missing or invalid. */
export class ProviderConfigError extends PlasmaError {
  override name = "ProviderConfigError";
}

/** Reads a config file (optional) and applies overrides; names every invalid field. */
export function loadProviderConfig(path: string | undefined, overrides: Record<string, unknown>): ProviderConfig {
  let fromFile: Record<string, unknown> = {};
  if (path) {
    if (!existsSync(path))
      throw new ProviderConfigError(`The provider config ${path} does not exist.`, {
        metaMessages: ["Create it, or start without --config."],
      });
    try {
      fromFile = (parseYaml(readFileSync(path, "utf8")) ?? {}) as Record<string, unknown>;
    } catch (error) {
      throw new ProviderConfigError(
        `The provider config ${path} is not YAML or JSON: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  }
  const merged = { ...fromFile, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const parsed = providerConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`);
    throw new ProviderConfigError(`The provider config${path ? ` ${path}` : ""} is not valid.`, {
      details: problems.map((p) => `  - ${p}`).join("\n"),
    });
  }
  return parsed.data;
}
