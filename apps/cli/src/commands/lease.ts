import {
  cancelLease,
  END_REASON_TEXT,
  getLease,
  getOffer,
  getVerification,
  type Lease,
  type LeaseEnd,
  openLease,
  settleLease,
  stopLease,
  VERIFICATION_STAGE_TEXT,
  type Verification,
} from "@plasma/sdk";
import type { Command } from "commander";
import { type Address, type Hex, isHex } from "viem";
import { resolveAddress } from "../accounts.ts";
import { withContext } from "../action.ts";
import type { Context } from "../context.ts";
import { fields, UsageError } from "../output.ts";
import {
  formatDuration,
  formatPricePerHour,
  formatTime,
  parseDuration,
  parsePositiveInteger,
  parsePricePerHour,
  xpl,
} from "../units.ts";

function leaseId(text: string): bigint {
  return BigInt(parsePositiveInteger(text, "lease id"));
}

function describeLease(l: Lease, now: number, v: Verification | null): string {
  const rows: [string, string | number][] = [
    ["lease", l.id.toString()],
    ["status", l.status + (l.status === "ended" ? ` (${l.endReason}: ${END_REASON_TEXT[l.endReason]})` : "")],
    ["offer", l.offerId.toString()],
    ["client", l.client],
    ["provider", l.provider],
    ["gpus", l.gpus],
    ["price", formatPricePerHour(l.pricePerGpuSecond)],
    ["paid for", formatDuration(l.maxSeconds)],
    ["escrow", `${xpl(l.totalEscrow)} total, ${xpl(l.escrow)} still held`],
    ["paid out", xpl(l.paid)],
  ];
  if (l.status === "open") {
    rows.push(["start by", `${formatTime(l.startBy)}${now > l.startBy ? " (passed: cancel it for a refund)" : ""}`]);
  }
  if (l.startedAt) rows.push(["started", formatTime(l.startedAt)]);
  if (l.status === "running") rows.push(["accrued", `${xpl(l.accrued)} unsettled`]);
  if (l.endedAt) rows.push(["ended", formatTime(l.endedAt)]);
  rows.push(["spec hash", l.specHash]);
  if (l.resultHash) rows.push(["result hash", l.resultHash]);
  if (l.builder) rows.push(["builder", l.builder]);
  rows.push(["verification", describeVerification(l, v)]);
  const validators = [v?.validator1, v?.validator2].filter((a): a is Address => Boolean(a));
  if (validators.length > 0) rows.push(["validators", validators.join(", ")]);
  return fields(rows);
}

function describeVerification(l: Lease, v: Verification | null): string {
  if (l.verification === "none") return "none (never sampled, no verification fee)";
  const mode = `${l.verification}, fee ${(l.verificationFeeBps / 100).toFixed(1)} %`;
  if (!v || v.stage === "none") return `${mode}; sampling happens when the lease completes`;
  const deadline = v.deadline > 0 ? ` (step due by ${formatTime(v.deadline)})` : "";
  return `${mode}; ${v.stage}: ${VERIFICATION_STAGE_TEXT[v.stage]}${deadline}`;
}

function describeEnd(id: bigint, end: LeaseEnd): string {
  const lines = [
    `Lease ${id} ended: ${END_REASON_TEXT[end.reason]}.`,
    `  paid ${xpl(end.paid)}, refunded ${xpl(end.refund)}`,
  ];
  if (end.penalty > 0n) {
    lines.push(
      `  provider penalty ${xpl(end.penalty)}: ${xpl(end.compensation)} paid to you, the rest to the treasury`,
    );
  }
  lines.push(`  tx ${end.hash}`);
  return lines.join("\n");
}

async function chainNow(ctx: Context): Promise<number> {
  return Number((await ctx.client.public.getBlock()).timestamp);
}

export function registerLeaseCommands(program: Command): void {
  const lease = program.command("lease").description("open, inspect, stop and cancel leases (as a client)");

  lease
    .command("open")
    .description("open a lease on an offer: pays price × GPUs × duration into escrow")
    .requiredOption("--offer <offerId>", "offer to lease (see `plasma market offers`)")
    .option("--gpus <count>", "number of GPUs", "1")
    .requiredOption("--duration <time>", "GPU time to pay for: 90s, 30m, 2h, 1d")
    .option("--max-price <xpl>", "refuse if the offer costs more than this, in XPL per GPU-hour")
    .option("--spec-hash <hash>", "canonical hash of the job spec (32 bytes hex)")
    .option("--builder <address>", "app that brought this lease (receives a share of the fee)")
    .action(
      withContext(
        "client",
        async (
          ctx,
          o: { offer: string; gpus: string; duration: string; maxPrice?: string; specHash?: string; builder?: string },
        ) => {
          if (o.specHash !== undefined && !(isHex(o.specHash) && o.specHash.length === 66)) {
            throw new UsageError(`--spec-hash ${o.specHash} is not a 32-byte hex hash.`, {
              metaMessages: ["Pass 0x followed by 64 hex digits."],
            });
          }
          const offerId = BigInt(parsePositiveInteger(o.offer, "--offer"));
          const gpus = parsePositiveInteger(o.gpus, "--gpus");
          const maxSeconds = parseDuration(o.duration);
          const offer = await getOffer(ctx.client, offerId);
          const result = await openLease(ctx.client, {
            offerId,
            gpus,
            maxSeconds,
            maxPricePerGpuSecond: o.maxPrice === undefined ? undefined : parsePricePerHour(o.maxPrice, "--max-price"),
            specHash: o.specHash as Hex | undefined,
            builder: o.builder === undefined ? undefined : resolveAddress(ctx, o.builder, "builder"),
          });
          ctx.out.result(
            {
              leaseId: result.leaseId,
              offerId,
              gpus,
              maxSeconds,
              escrow: result.escrow,
              startBy: result.startBy,
              tx: result.hash,
            },
            () =>
              [
                `Lease ${result.leaseId} opened: ${gpus} × ${offer.gpuModel} for ${formatDuration(maxSeconds)} at ${formatPricePerHour(offer.pricePerGpuSecond)}`,
                `  escrow ${xpl(result.escrow)}; the provider must start by ${formatTime(result.startBy)}`,
                `  follow it with: plasma lease status ${result.leaseId}`,
                `  tx ${result.hash}`,
              ].join("\n"),
          );
        },
      ),
    );

  lease
    .command("status <leaseId>")
    .description("show a lease: state, money, timeline, result")
    .action(
      withContext(undefined, async (ctx, id: string) => {
        const l = await getLease(ctx.client, leaseId(id));
        const [now, v] = await Promise.all([
          chainNow(ctx),
          l.verification === "none" ? null : getVerification(ctx.client, l.id),
        ]);
        ctx.out.result({ ...l, verificationStatus: v }, () => describeLease(l, now, v));
      }),
    );

  lease
    .command("stop <leaseId>")
    .description("stop a running lease: pay for the seconds used, get the rest back")
    .action(
      withContext("client", async (ctx, id: string) => {
        const end = await stopLease(ctx.client, { leaseId: leaseId(id) });
        ctx.out.result({ leaseId: leaseId(id), ...end }, () => describeEnd(leaseId(id), end));
      }),
    );

  lease
    .command("cancel <leaseId>")
    .description(
      "cancel a lease whose provider missed the start deadline: full refund plus a share of a bounded penalty",
    )
    .action(
      withContext("client", async (ctx, id: string) => {
        const end = await cancelLease(ctx.client, { leaseId: leaseId(id) });
        ctx.out.result({ leaseId: leaseId(id), ...end }, () => describeEnd(leaseId(id), end));
      }),
    );

  lease
    .command("settle <leaseId>")
    .description(
      "pay out what a running lease has accrued (provider or client); a verified lease is paid only through verification, and settling it after its result window ends it unpaid",
    )
    .action(
      withContext("provider1", async (ctx, id: string) => {
        const { hash, gross } = await settleLease(ctx.client, { leaseId: leaseId(id) });
        const after = await getLease(ctx.client, leaseId(id));
        const unpaid = after.verification !== "none" && after.status === "ended";
        ctx.out.result({ leaseId: leaseId(id), settled: gross, status: after.status, tx: hash }, () =>
          unpaid
            ? `Lease ${id} ran out without a result from its provider: ended with nothing paid, the whole escrow refunded to the client (tx ${hash})`
            : `Settled ${xpl(gross)} on lease ${id} (tx ${hash})`,
        );
      }),
    );
}
