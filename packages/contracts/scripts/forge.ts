// Runs forge from its platform package and exits with forge's own exit code. The npm wrapper
// (`@foundry-rs/forge`'s bin.mjs, 1.7.1) never passes the child's code on, so a failing Solidity
// test would exit 0 through it: every script here calls this instead.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Path of the forge binary shipped by `@foundry-rs/forge-<platform>-<arch>` for this machine. */
export function forgeBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const platformPackage = `@foundry-rs/forge-${process.platform}-${arch}/package.json`;
  try {
    return join(dirname(createRequire(import.meta.url).resolve(platformPackage)), "bin", "forge");
  } catch {
    console.error(
      `error: no forge binary for ${process.platform}-${process.arch} (${platformPackage} is not installed).`,
    );
    console.error("  hint: run `npm install` in the project root; forge ships for Linux and macOS on x64 and arm64.");
    process.exit(2);
  }
}

if (import.meta.main) {
  const result = spawnSync(forgeBinary(), process.argv.slice(2), { stdio: "inherit" });
  if (result.error) {
    console.error(`error: could not run forge: ${result.error.message}`);
    process.exit(2);
  }
  // A signal-killed forge (status null) is a failure too.
  process.exit(result.status ?? 1);
}
