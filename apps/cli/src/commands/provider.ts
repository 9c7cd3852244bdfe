import {
  createOffer,
  getBacking,
  getLockedCollateral,
  getOffer,
  getProtocolParameters,
  getProvider,
  getReputation,
  getVerifiedExposure,
  listOffers,
  type Offer,
  registerProvider,
  requestUnstake,
  setCommission,
  stake,
  updateOffer,
  updateProvider,
  withdrawStake,
} from "@plasma/sdk";
import type { Command } from "commander";
import { resolveAddress } from "../accounts.ts";
import { withContext } from "../action.ts";
import { signer } from "../context.ts";
import { fields, table, UsageError } from "../output.ts";
import {
  formatDuration,
  formatPricePerHour,
  formatTime,
  parsePositiveInteger,
  parsePricePerHour,
  parseXpl,
  xpl,
} from "../units.ts";
import { registerProviderStartCommand } from "./providerStart.ts";

/** Rows of an offers table. */
export function offerRows(offers: Offer[]): (string | number)[][] {
  return offers.map((o) => [
    o.id.toString(),
    o.gpuModel,
    `${o.vramGb} GB`,
    `${o.freeGpus}/${o.gpuCount}`,
    formatPricePerHour(o.pricePerGpuSecond),
    o.region || "-",
    o.active ? (o.hardwareCheckFailed ? "yes (failed hardware check)" : "yes") : "no",
    o.providerRecord.noShows,
    o.provider,
  ]);
}
export const OFFER_HEAD = ["offer", "gpu", "vram", "free", "price", "region", "active", "no-shows", "provider"];

function checkAttributes(attributes: string | undefined): string {
  if (attributes === undefined) return "";
  try {
    JSON.parse(attributes);
  } catch {
    throw new UsageError(`--attributes is not JSON: ${attributes}`, {
      metaMessages: ['Write it like \'{"country":"DE"}\'.'],
    });
  }
  return attributes;
}

export function registerProviderCommands(program: Command): void {
  const provider = program.command("provider").description("register, stake and publish GPU offers (as a provider)");
  registerProviderStartCommand(provider);

  provider
    .command("register")
    .description("register this account as a provider")
    .requiredOption("--endpoint <url>", "URL of your provider API")
    .option("--attributes <json>", "free-form attributes as JSON")
    .action(
      withContext("provider1", async (ctx, opts: { endpoint: string; attributes?: string }) => {
        const hash = await registerProvider(ctx.client, {
          endpoint: opts.endpoint,
          attributes: checkAttributes(opts.attributes),
        });
        ctx.out.result(
          { provider: signer(ctx), endpoint: opts.endpoint, tx: hash },
          () => `Registered ${signer(ctx)} at ${opts.endpoint} (tx ${hash})`,
        );
      }),
    );

  provider
    .command("update")
    .description("change your endpoint and attributes")
    .requiredOption("--endpoint <url>", "URL of your provider API")
    .option("--attributes <json>", "free-form attributes as JSON")
    .action(
      withContext("provider1", async (ctx, opts: { endpoint: string; attributes?: string }) => {
        const hash = await updateProvider(ctx.client, {
          endpoint: opts.endpoint,
          attributes: checkAttributes(opts.attributes),
        });
        ctx.out.result(
          { provider: signer(ctx), endpoint: opts.endpoint, tx: hash },
          () => `Updated ${signer(ctx)} (tx ${hash})`,
        );
      }),
    );

  provider
    .command("stake <amount>")
    .description("stake XPL (amount in XPL)")
    .action(
      withContext("provider1", async (ctx, amountText: string) => {
        const amount = parseXpl(amountText);
        const hash = await stake(ctx.client, { amount });
        const p = await getProvider(ctx.client, signer(ctx));
        ctx.out.result(
          { provider: p.address, staked: amount, stake: p.stake, tx: hash },
          () => `Staked ${xpl(amount)}; stake is now ${xpl(p.stake)} (tx ${hash})`,
        );
      }),
    );

  provider
    .command("commission <percent>")
    .description(
      "your cut of rewards before the rest is shared with delegators, e.g. 10 (%); raises apply after the unbonding period",
    )
    .action(
      withContext("provider1", async (ctx, percentText: string) => {
        const value = Number(percentText.trim().replace(/\s*%$/, ""));
        const bps = Math.round(value * 100);
        if (!Number.isFinite(value) || value < 0 || value > 100 || Math.abs(bps - value * 100) > 1e-6) {
          throw new UsageError(`"${percentText}" is not a commission.`, {
            metaMessages: ["Pass a percentage between 0 and 100 with at most two decimals, e.g. 10 or 7.5."],
          });
        }
        const { hash, effectiveAt, scheduled } = await setCommission(ctx.client, { bps });
        ctx.out.result({ provider: signer(ctx), commissionBps: bps, effectiveAt, scheduled, tx: hash }, () =>
          scheduled
            ? `Commission raise to ${value} % scheduled: it applies from ${formatTime(effectiveAt)}, so delegators can leave first (tx ${hash}).`
            : `Commission is now ${value} % (tx ${hash}).`,
        );
      }),
    );

  provider
    .command("unstake <amount>")
    .description("start unbonding XPL from your stake (withdraw it after the unbonding period)")
    .action(
      withContext("provider1", async (ctx, amountText: string) => {
        const amount = parseXpl(amountText);
        const { hash, releaseAt } = await requestUnstake(ctx.client, { amount });
        const locked = await getLockedCollateral(ctx.client, signer(ctx));
        ctx.out.result(
          { provider: signer(ctx), unstaked: amount, releaseAt: Number(releaseAt), lockedCollateral: locked, tx: hash },
          () =>
            `Unbonding ${xpl(amount)}; withdraw it after ${formatTime(Number(releaseAt))} with \`plasma provider withdraw\` (tx ${hash})` +
            (locked > 0n
              ? `\n${xpl(locked)} of your backing stays locked as collateral until your verified leases end and are verified.`
              : ""),
        );
      }),
    );

  provider
    .command("withdraw")
    .description("withdraw stake whose unbonding period has ended")
    .action(
      withContext("provider1", async (ctx) => {
        const { hash, amount } = await withdrawStake(ctx.client);
        ctx.out.result(
          { provider: signer(ctx), withdrawn: amount, tx: hash },
          () => `Withdrew ${xpl(amount)} (tx ${hash})`,
        );
      }),
    );

  provider
    .command("show [address]")
    .description("show a provider's record (default: your own)")
    .action(
      withContext("provider1", async (ctx, address?: string) => {
        const who = address === undefined ? signer(ctx) : resolveAddress(ctx, address, "provider");
        const [p, params, reputation, backing, exposure, locked] = await Promise.all([
          getProvider(ctx.client, who),
          getProtocolParameters(ctx.client),
          getReputation(ctx.client, who),
          getBacking(ctx.client, who),
          getVerifiedExposure(ctx.client, who),
          getLockedCollateral(ctx.client, who),
        ]);
        const capacity = (backing * 10_000n) / BigInt(Math.max(1, params.collateralRatioBps));
        ctx.out.result({ ...p, minProviderStake: params.minProviderStake, reputation, backing, exposure, locked }, () =>
          fields([
            ["provider", p.address],
            ["registered", p.registered ? "yes" : "no"],
            ["endpoint", p.endpoint || "-"],
            ["attributes", p.attributes || "-"],
            ["stake", `${xpl(p.stake)} (minimum ${xpl(params.minProviderStake)})`],
            [
              "unbonding",
              p.unbonding > 0n ? `${xpl(p.unbonding)} until ${formatTime(Number(p.unbondingReleaseAt))}` : "-",
            ],
            ["active offers", p.activeOffers],
            ["unbonding period", formatDuration(params.unbondingPeriod)],
            [
              "reputation",
              `${reputation.completed} completed, ${reputation.noShows} no-shows (leases never started), ${reputation.sampled} sampled, ${reputation.verified} verified, ${reputation.failed} failed (${reputation.disputesLost} after a dispute)`,
            ],
            [
              "verified leases",
              `${xpl(exposure)} in use of the ${xpl(capacity)} its ${xpl(backing)} backing covers (${params.collateralRatioBps / 10_000}× collateral)`,
            ],
            [
              "locked collateral",
              locked > 0n ? `${xpl(locked)} of the backing (no unstake or undelegation below it until they end)` : "-",
            ],
          ]),
        );
      }),
    );

  const offer = provider.command("offer").description("publish and manage your GPU offers");

  offer
    .command("set")
    .description("create an offer, or with --id change its price, GPU count or active flag")
    .option("--id <offerId>", "offer to change (omit to create a new one)")
    .option("--gpu-model <model>", "GPU model, e.g. H100 (or cpu)")
    .option("--vram <gb>", "memory per GPU in GB")
    .option("--gpus <count>", "number of GPUs offered")
    .option("--price <xpl>", "price in XPL per GPU-hour")
    .option("--region <region>", "region label, e.g. eu-central", "")
    .option("--inactive", "stop accepting new leases")
    .option("--active", "accept new leases again")
    .action(
      withContext(
        "provider1",
        async (
          ctx,
          o: {
            id?: string;
            gpuModel?: string;
            vram?: string;
            gpus?: string;
            price?: string;
            region: string;
            inactive?: boolean;
            active?: boolean;
          },
        ) => {
          if (o.inactive && o.active) throw new UsageError("--active and --inactive contradict each other.");
          if (o.id === undefined) {
            const missing = (["gpuModel", "vram", "gpus", "price"] as const).filter((k) => o[k] === undefined);
            if (missing.length > 0) {
              const flags = missing.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ");
              throw new UsageError(`A new offer needs ${flags}.`, {
                metaMessages: ["Or pass --id to change an existing offer."],
              });
            }
            const input = {
              gpuModel: o.gpuModel as string,
              vramGb: parsePositiveInteger(o.vram as string, "--vram"),
              gpuCount: parsePositiveInteger(o.gpus as string, "--gpus"),
              pricePerGpuSecond: parsePricePerHour(o.price as string, "--price"),
              region: o.region,
            };
            const { offerId, hash } = await createOffer(ctx.client, input);
            if (o.inactive)
              await updateOffer(ctx.client, {
                offerId,
                pricePerGpuSecond: input.pricePerGpuSecond,
                gpuCount: input.gpuCount,
                active: false,
              });
            ctx.out.result(
              { offerId, ...input, active: !o.inactive, tx: hash },
              () =>
                `Offer ${offerId}: ${input.gpuCount} × ${input.gpuModel} ${input.vramGb} GB at ${formatPricePerHour(input.pricePerGpuSecond)} (tx ${hash})`,
            );
            return;
          }
          if (o.gpuModel !== undefined || o.vram !== undefined || o.region !== "") {
            throw new UsageError("An offer's GPU model, VRAM and region cannot change.", {
              metaMessages: ["Create a new offer instead, and deactivate this one with --inactive."],
            });
          }
          const offerId = BigInt(parsePositiveInteger(o.id, "--id"));
          const existing = await getOffer(ctx.client, offerId);
          if (existing.provider.toLowerCase() !== signer(ctx).toLowerCase()) {
            throw new UsageError(`Offer ${offerId} belongs to ${existing.provider}, not to ${signer(ctx)}.`, {
              metaMessages: ["Pass --account with the offer's provider."],
            });
          }
          const update = {
            offerId,
            pricePerGpuSecond:
              o.price === undefined ? existing.pricePerGpuSecond : parsePricePerHour(o.price, "--price"),
            gpuCount: o.gpus === undefined ? existing.gpuCount : parsePositiveInteger(o.gpus, "--gpus"),
            active: o.inactive ? false : o.active ? true : existing.active,
          };
          const hash = await updateOffer(ctx.client, update);
          ctx.out.result(
            { ...update, tx: hash },
            () =>
              `Offer ${offerId}: ${update.gpuCount} GPUs at ${formatPricePerHour(update.pricePerGpuSecond)}, ${update.active ? "active" : "inactive"} (tx ${hash})`,
          );
        },
      ),
    );

  offer
    .command("list")
    .description("list your offers, active and inactive")
    .action(
      withContext("provider1", async (ctx) => {
        const offers = await listOffers(ctx.client, { provider: signer(ctx), includeInactive: true });
        ctx.out.result({ offers }, () =>
          offers.length === 0
            ? "No offers yet: create one with `plasma provider offer set`."
            : table(OFFER_HEAD, offerRows(offers)),
        );
      }),
    );
}
