import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resultEntries } from "@plasma/runtime";
import { getLease, getVerification, VERIFICATION_STAGE_TEXT } from "@plasma/sdk";
import { fetchProviderOutputs, reexecuteLease } from "@plasma/validator";
import { compareOutputs } from "@plasma/verify";
import type { Command } from "commander";
import { withContext } from "../action.ts";
import { fields } from "../output.ts";
import { parsePositiveInteger } from "../units.ts";

/** Work area of a re-run whose spec names no disk size (as a provider's default). */
const DEFAULT_VERIFY_DISK_BYTES = 10 * 1024 ** 3;

export function registerVerifyCommand(program: Command): void {
  program
    .command("verify <leaseId>")
    .description("re-run a lease's job here, as a validator would, and compare with the provider's outputs")
    .option("--work-dir <dir>", "where to re-run and keep both output sets (default: a temporary folder)")
    .option(
      "--memory <gb>",
      "memory limit of the re-run when the spec names none (GB)",
      (v) => parsePositiveInteger(v, "--memory"),
      4,
    )
    .action(
      withContext("client", async (ctx, idText: string, o: { workDir?: string; memory: number }) => {
        const leaseId = BigInt(parsePositiveInteger(idText, "lease id"));
        const lease = await getLease(ctx.client, leaseId);
        const root = o.workDir ?? mkdtempSync(join(tmpdir(), `plasma-verify-${leaseId}-`));
        const mine = await reexecuteLease({
          client: ctx.client,
          leaseId,
          workRoot: join(root, "mine"),
          memoryBytes: o.memory * 1024 ** 3,
          diskBytes: DEFAULT_VERIFY_DISK_BYTES,
          gpus: [],
        });
        const providerDir = join(root, "provider");
        const theirs = await fetchProviderOutputs(ctx.client, lease, null, providerDir);
        // A lease with mode none is compared exactly: that is what a result hash promises.
        const spec = mine.spec.verification.mode === "none" ? { mode: "exact" as const } : mine.spec.verification;
        const verdict = await compareOutputs(
          spec,
          { dir: providerDir, manifest: theirs },
          { dir: mine.workDir, manifest: resultEntries(mine.manifest) },
        );
        const onChain = lease.verification === "none" ? null : await getVerification(ctx.client, leaseId);
        ctx.out.result(
          { leaseId, verdict, reexecution: { dir: mine.workDir, resultHash: mine.resultHash }, onChain },
          () =>
            [
              `${verdict.match ? "✔" : "✖"} ${verdict.summary}`,
              fields([
                ["lease", `${leaseId} (verification ${lease.verification})`],
                [
                  "re-run",
                  `${mine.spec.command.join(" ")} → exit ${mine.run.exitCode}, ${(mine.run.durationMs / 1000).toFixed(1)} s`,
                ],
                ["your outputs", mine.workDir],
                ["provider's outputs", providerDir],
                ...(onChain
                  ? ([["on chain", `${onChain.stage}: ${VERIFICATION_STAGE_TEXT[onChain.stage]}`]] as [
                      string,
                      string,
                    ][])
                  : []),
              ]),
            ].join("\n"),
        );
        if (!verdict.match) process.exitCode = 1;
      }),
    );
}
