// Debian's Chromium for the browser tests, installed by `npm install` (scripts/setup-system.ts).
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const CHROMIUM = process.env.PLASMA_CHROMIUM ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: \`npm install\` installs Debian's chromium package.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    // --no-sandbox: CI runs as root, where Chromium's own sandbox cannot start. The rest keep it from
    // reaching for the network (there is none here), which would slow every start.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
