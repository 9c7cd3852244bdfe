#!/usr/bin/env node
// Launcher for the `plasma` CLI. The CLI is TypeScript run by Node.js 24 (type stripping); the
// project brings Node.js 24 as the npm package node-linux-<arch>, so whatever `node` started this
// file, the CLI itself runs on Node.js 24.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const entry = fileURLToPath(new URL("../src/main.ts", import.meta.url));

if (Number(process.versions.node.split(".")[0]) >= 24) {
  await import(pathToFileURL(entry).href);
} else {
  const arch = process.arch;
  let node24;
  try {
    node24 = join(
      dirname(createRequire(import.meta.url).resolve(`node-${process.platform}-${arch}/package.json`)),
      "bin",
      "node",
    );
  } catch {
    console.error(
      `error: plasma needs Node.js 24; this is ${process.version} and node-${process.platform}-${arch} is not installed.\n` +
        "  hint: run `npm install` in the project root, or install Node.js 24.",
    );
    process.exit(2);
  }
  const child = spawn(node24, [entry, ...process.argv.slice(2)], { stdio: "inherit" });
  // Ctrl-C reaches the child through the terminal; let it shut down cleanly and report its status.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}
