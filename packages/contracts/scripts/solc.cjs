#!/usr/bin/env node
// A native-solc stand-in for forge: answers `--version` and `--standard-json`
// with the npm `solc` package, so forge never downloads a compiler.
const solc = require("solc");

const args = process.argv.slice(2);
if (args.includes("--version")) {
  // forge parses the last line: "Version: 0.8.30+commit.73712a01.Emscripten.clang"
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}
if (!args.includes("--standard-json")) {
  process.stderr.write(`solc wrapper: only --version and --standard-json are supported (got: ${args.join(" ")})\n`);
  process.exit(2);
}
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const fs = require("node:fs");
  const path = require("node:path");
  const input = Buffer.concat(chunks).toString("utf8");
  // forge passes include/base paths as flags; resolve imports against them.
  const roots = [process.cwd()];
  for (let i = 0; i < args.length; i++) {
    if (["--base-path", "--include-path", "--allow-paths"].includes(args[i]) && args[i + 1]) {
      for (const p of args[i + 1].split(",")) roots.push(path.resolve(p));
    }
  }
  const findImports = (importPath) => {
    for (const root of [""].concat(roots)) {
      const candidate = root ? path.join(root, importPath) : importPath;
      if (path.isAbsolute(candidate) && fs.existsSync(candidate)) {
        return { contents: fs.readFileSync(candidate, "utf8") };
      }
    }
    return { error: `File not found: ${importPath}` };
  };
  process.stdout.write(solc.compile(input, { import: findImports }));
});
