import canonicalize from "canonicalize";
import { type Hex, sha256, stringToBytes } from "viem";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { PlasmaError } from "../errors/base.ts";

/**
 * The ONNX model server every provider lends its sandboxed jobs (read-only, under /opt/plasma, with Node.js on
 * PATH): `node SANDBOX_MODEL_SERVER --model model.onnx` serves a model uploaded as an input.
 */
export const SANDBOX_MODEL_SERVER = "/opt/plasma/model-server/server.ts";

/** Largest spec accepted, in bytes of JSON or YAML. */
export const MAX_SPEC_BYTES = 64 * 1024;

const SHA256 = /^[0-9a-f]{64}$/;

/** A path inside the job's work directory: relative, normalised, never escaping it. */
export const relativePath = z
  .string()
  .min(1, "must not be empty")
  .max(256, "must be at most 256 characters")
  .refine(
    (p) => !p.startsWith("/") && !p.startsWith("\\"),
    "must be relative to the job's work directory, not absolute",
  )
  .refine(
    (p) => !p.split(/[/\\]/).some((part) => part === ".."),
    "must not contain '..' (it would leave the work directory)",
  )
  .refine((p) => !/[\0\r\n]/.test(p), "must not contain NUL or line breaks")
  .refine(
    (p) => !p.split("/").some((part, i, parts) => part === "." || (part === "" && i < parts.length - 1)),
    "must be normalised (no '.' or empty segments)",
  );

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "must be a valid environment variable name");

const verification = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("exact") }).strict(),
  z
    .object({
      mode: z.literal("tolerance"),
      atol: z.number().nonnegative().max(1e6),
      rtol: z.number().nonnegative().max(1),
    })
    .strict(),
  z.object({ mode: z.literal("none") }).strict(),
]);

/**
 * How a service (a long-running model server) is run: it listens on the Unix socket named by
 * PLASMA_SERVE_SOCKET; the provider's gateway forwards the paid requests to it.
 */
const service = z
  .object({
    /** Answers 200 when the server can take requests; polled to know it is up, and to restart it when it hangs. */
    healthPath: z
      .string()
      .regex(/^\/[\x21-\x7e]{0,255}$/, "must be an absolute URL path such as /health")
      .default("/health"),
    /** How long the server may take to answer its first health check. */
    startupSeconds: z.number().int().min(1).max(3600).default(120),
    /** Restarts after a crash or a hang before the provider gives up and ends the lease. */
    maxRestarts: z.number().int().min(0).max(100).default(5),
  })
  .strict();

/** The job spec, version 1: what a client asks a provider to run. */
export const jobSpecSchema = z
  .object({
    version: z.literal(1),
    kind: z.enum(["batch", "service"]).default("batch"),
    runtime: z.enum(["sandbox", "docker"]).default("sandbox"),
    image: z.string().min(1).max(512).nullable().default(null),
    command: z.array(z.string().max(4096)).min(1, "must name a program to run").max(256),
    env: z.record(envName, z.string().max(8192)).default({}),
    resources: z
      .object({
        gpus: z.number().int().min(0).max(64).default(1),
        gpuModel: z.string().min(1).max(64).optional(),
        minVramGb: z.number().int().positive().max(4096).optional(),
        cpus: z.number().int().positive().max(1024).optional(),
        memoryGb: z.number().positive().max(4096).optional(),
        /** Size of the job's /work (inputs, outputs and scratch); the provider's default when absent. */
        diskGb: z.number().positive().max(65_536).optional(),
      })
      .strict()
      .default({ gpus: 1 }),
    inputs: z
      .array(
        z.object({ path: relativePath, sha256: z.string().regex(SHA256, "must be 64 lowercase hex digits") }).strict(),
      )
      .max(1000)
      .default([]),
    outputs: z.array(relativePath).max(100).default(["out/"]),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .default(3600),
    network: z.enum(["none", "egress"]).default("none"),
    /** How results are checked; defaults to `exact` for a batch job and `none` for a service. */
    verification: verification.optional(),
    service: service.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.kind === "service" && spec.verification && spec.verification.mode !== "none") {
      ctx.addIssue({
        code: "custom",
        path: ["verification", "mode"],
        message: "must be none for a service: a model server's answers cannot be re-executed after the lease",
      });
    }
    if (spec.kind === "batch" && spec.service) {
      ctx.addIssue({ code: "custom", path: ["service"], message: "is only for kind: service" });
    }
    if (spec.runtime === "docker" && !spec.image) {
      ctx.addIssue({ code: "custom", path: ["image"], message: "is required when runtime is docker" });
    }
    const seen = new Set<string>();
    for (const [i, input] of spec.inputs.entries()) {
      if (seen.has(input.path))
        ctx.addIssue({ code: "custom", path: ["inputs", i, "path"], message: `duplicates ${input.path}` });
      seen.add(input.path);
    }
  })
  .transform((spec) => ({
    ...spec,
    verification:
      spec.verification ?? (spec.kind === "service" ? { mode: "none" as const } : { mode: "exact" as const }),
    ...(spec.kind === "service" ? { service: spec.service ?? service.parse({}) } : {}),
  }));

/** A validated job spec, with defaults filled in. */
export type JobSpec = z.infer<typeof jobSpecSchema>;
/** What a person may write: defaults may be left out. */
export type JobSpecInput = z.input<typeof jobSpecSchema>;

/** The spec is invalid; `problems` names each field and what is wrong with it. */
export class JobSpecError extends PlasmaError {
  override name = "JobSpecError";
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`The job spec ${source} is not valid.`, {
      details: problems.map((p) => `  - ${p}`).join("\n"),
      metaMessages: ["See the job spec reference in the README (section 'The job spec')."],
    });
    this.problems = problems;
  }
}

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "");
  if (issue.code === "unrecognized_keys")
    return `${path ? `${path}: ` : ""}unknown field ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
  if (issue.code === "invalid_type" && issue.input === undefined) return `${path}: is required`;
  return `${path || "(spec)"}: ${issue.message}`;
}

/**
 * Validates a job spec object.
 * @param source Where it came from, for the error message (a file name).
 * @throws JobSpecError naming every invalid field.
 * @example const spec = parseJobSpec({ version: 1, command: ["python3", "train.py"] });
 */
export function parseJobSpec(value: unknown, source = "(inline)"): JobSpec {
  const result = jobSpecSchema.safeParse(value);
  if (!result.success) throw new JobSpecError(source, result.error.issues.map(describe));
  return result.data;
}

/**
 * Parses a job spec from JSON or YAML text (YAML is a superset of JSON).
 * @throws JobSpecError for oversized or unparseable text, or an invalid spec.
 */
export function parseJobSpecText(text: string, source = "(inline)"): JobSpec {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_SPEC_BYTES)
    throw new JobSpecError(source, [`(spec): is ${bytes} bytes; at most ${MAX_SPEC_BYTES} are allowed`]);
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 10 });
  } catch (error) {
    throw new JobSpecError(source, [`(spec): is neither JSON nor YAML: ${(error as Error).message.split("\n")[0]}`]);
  }
  return parseJobSpec(value, source);
}

/** The canonical JSON of a spec (RFC 8785): the bytes whose hash goes on chain. */
export function canonicalJobSpec(spec: JobSpec): string {
  const text = canonicalize(spec);
  if (text === undefined) throw new Error("a job spec always canonicalises");
  return text;
}

/**
 * The spec's canonical hash: sha256 of its RFC 8785 canonical JSON, with defaults filled in, so
 * that two specs that mean the same thing hash the same. This is the `specHash` of a lease.
 */
export function hashJobSpec(spec: JobSpec): Hex {
  return sha256(stringToBytes(canonicalJobSpec(spec)));
}
