import { join } from "node:path";
import { computeMarketAbi } from "@plasma/contracts";
import { followJob, getLease, stopLease } from "@plasma/sdk";
import type { Command } from "commander";
import { withContext } from "../action.ts";
import { signer } from "../context.ts";
import { describeLeaseEnd, downloadVerifiedResults, providerApiFor } from "../jobClient.ts";
import { table } from "../output.ts";
import { formatDuration, formatTime, parsePositiveInteger, xpl } from "../units.ts";

const leaseIdOf = (text: string) => BigInt(parsePositiveInteger(text, "lease id"));

export function registerJobCommands(program: Command): void {
  program
    .command("jobs")
    .description("your leases (as a client), newest first")
    .action(
      withContext("client", async (ctx) => {
        const logs = await ctx.client.public.getContractEvents({
          address: ctx.client.addresses.computeMarket,
          abi: computeMarketAbi,
          eventName: "LeaseOpened",
          args: { client: signer(ctx) },
          fromBlock: BigInt(ctx.deployment.deployedAtBlock),
        });
        const leases = await Promise.all(logs.map((l) => getLease(ctx.client, l.args.leaseId as bigint)));
        leases.sort((a, b) => Number(b.id - a.id));
        ctx.out.result({ leases }, () =>
          leases.length === 0
            ? "No leases yet: run a job with `plasma run -- python3 -c \"print('hi')\"`."
            : table(
                ["lease", "status", "gpus", "paid", "started", "duration"],
                leases.map((l) => [
                  l.id.toString(),
                  l.status === "ended" ? l.endReason : l.status,
                  l.gpus,
                  xpl(l.paid),
                  formatTime(l.startedAt),
                  l.endedAt && l.startedAt ? formatDuration(l.endedAt - l.startedAt) : "-",
                ]),
              ),
        );
      }),
    );

  program
    .command("logs <leaseId>")
    .description("follow a job's logs until it ends")
    .action(
      withContext("client", async (ctx, id: string) => {
        const { api } = await providerApiFor(ctx.client, leaseIdOf(id));
        const final = await followJob(api, (event) => {
          if (event.type === "log") (event.stream === "stdout" ? process.stdout : process.stderr).write(event.text);
        });
        if (ctx.out.json) ctx.out.result(final, () => "");
      }),
    );

  program
    .command("results <leaseId>")
    .description("download a lease's outputs and check them against the result hash on chain")
    .option("--out <dir>", "where to save them (default: ./plasma-results/lease-N)")
    .action(
      withContext("client", async (ctx, id: string, o: { out?: string }) => {
        const { api, lease } = await providerApiFor(ctx.client, leaseIdOf(id));
        const dir = o.out ?? join("plasma-results", `lease-${id}`);
        const outputs = await downloadVerifiedResults(api, lease, dir);
        ctx.out.result({ leaseId: id, dir, resultHash: lease.resultHash, outputs }, () =>
          [
            `Lease ${id} (${describeLeaseEnd(lease)}): ${outputs.length} files verified against ${lease.resultHash}, saved in ${dir}`,
            ...outputs.map((e) => `  ${e.path}  ${e.size} bytes`),
          ].join("\n"),
        );
      }),
    );

  program
    .command("stop <leaseId>")
    .description("stop a running job: ends the lease on chain, pays the seconds used, refunds the rest")
    .action(
      withContext("client", async (ctx, id: string) => {
        const end = await stopLease(ctx.client, { leaseId: leaseIdOf(id) });
        ctx.out.result(
          { leaseId: id, ...end },
          () => `Lease ${id} stopped: paid ${xpl(end.paid)}, refunded ${xpl(end.refund)} (tx ${end.hash})`,
        );
      }),
    );
}
