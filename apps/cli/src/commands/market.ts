import { listOffers } from "@plasma/sdk";
import type { Command } from "commander";
import { withContext } from "../action.ts";
import { table } from "../output.ts";
import { parsePositiveInteger, parsePricePerHour } from "../units.ts";
import { OFFER_HEAD, offerRows } from "./provider.ts";

export function registerMarketCommands(program: Command): void {
  const market = program.command("market").description("browse the compute market");
  market
    .command("offers")
    .description(
      "list active offers with free GPUs, cheapest first; a provider's no-shows raise its price in the ranking (price ÷ show rate)",
    )
    .option("--gpu-model <model>", "only this GPU model (case-insensitive), e.g. H100")
    .option("--min-vram <gb>", "only GPUs with at least this much memory")
    .option("--max-price <xpl>", "only offers at or below this price, in XPL per GPU-hour")
    .option("--region <region>", "only this region")
    .option("--min-gpus <count>", "only offers with at least this many free GPUs", "1")
    .option("--all", "include inactive and fully leased offers, and those that failed a proof-of-GPU check")
    .action(
      withContext(
        undefined,
        async (
          ctx,
          o: {
            gpuModel?: string;
            minVram?: string;
            maxPrice?: string;
            region?: string;
            minGpus: string;
            all?: boolean;
          },
        ) => {
          const offers = await listOffers(ctx.client, {
            gpuModel: o.gpuModel,
            minVramGb: o.minVram === undefined ? undefined : parsePositiveInteger(o.minVram, "--min-vram"),
            maxPricePerGpuSecond: o.maxPrice === undefined ? undefined : parsePricePerHour(o.maxPrice, "--max-price"),
            region: o.region,
            minFreeGpus: o.all ? 0 : parsePositiveInteger(o.minGpus, "--min-gpus"),
            includeInactive: Boolean(o.all),
            includeFailedHardware: Boolean(o.all),
          });
          ctx.out.result({ offers }, () =>
            offers.length === 0
              ? "No offers match. Loosen the filters, or list everything with --all."
              : table(OFFER_HEAD, offerRows(offers)),
          );
        },
      ),
    );
}
