import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type Deployment, deploymentSchema } from "./deploymentSchema.ts";
import { DeploymentNotFoundError, InvalidDeploymentError } from "./errors/errors.ts";

export { type Deployment, deploymentSchema };

/**
 * Reads and validates a deployment file.
 * @param path The file written by `plasma dev` or `plasma deploy`.
 * @returns The deployment.
 * @example
 * const deployment = readDeployment(`${process.env.HOME}/.plasma/deployment.json`);
 */
export function readDeployment(path: string): Deployment {
  if (!existsSync(path)) throw new DeploymentNotFoundError(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new InvalidDeploymentError(path, "it is not JSON");
  }
  const parsed = deploymentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidDeploymentError(path, `${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  return parsed.data;
}

/**
 * Writes a deployment file atomically (a reader never sees half a file).
 * @param path Where to write.
 * @param deployment What to write; validated first.
 */
export function writeDeployment(path: string, deployment: Deployment): void {
  const valid = deploymentSchema.parse(deployment);
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}
