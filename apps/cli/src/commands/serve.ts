import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { buildExampleModel } from "@plasma/model-server";
import {
  findOpenChannel,
  getJobStatus,
  getOffer,
  hashJobSpec,
  type JobSpec,
  type JobStatus,
  openChannel,
  openLease,
  parseJobSpec,
  SANDBOX_MODEL_SERVER,
  uploadJobInput,
} from "@plasma/sdk";
import type { Command } from "commander";
import ora from "ora";
import { withContext } from "../action.ts";
import { type Context, plasmaHome } from "../context.ts";
import { providerApiFor } from "../jobClient.ts";
import { chooseOffer, describeSkipped, explainStrandedLease, sendSpec } from "../leaseFlow.ts";
import { UsageError } from "../output.ts";
import { formatDuration, formatPricePerHour, parseDuration, parsePositiveInteger, parseXpl, xpl } from "../units.ts";

type ServeOptions = {
  example?: boolean;
  for?: string;
  gpus?: string;
  gpuModel?: string;
  offer?: string;
  provider?: string;
  maxPrice?: string;
  deposit?: string;
};

/** Requests a new channel's deposit pays for, when --deposit is not given. */
const DEFAULT_DEPOSIT_REQUESTS = 1000n;

const sha256Of = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** The service spec for an ONNX model: the provider's model server (lent to every sandbox) serves it. */
function onnxServiceSpec(modelFile: string, o: ServeOptions): JobSpec {
  const name = basename(modelFile);
  return parseJobSpec(
    {
      version: 1,
      kind: "service",
      command: ["node", SANDBOX_MODEL_SERVER, "--model", name],
      inputs: [{ path: name, sha256: sha256Of(modelFile) }],
      resources: {
        gpus: o.gpus === undefined ? 1 : parsePositiveInteger(o.gpus, "--gpus"),
        ...(o.gpuModel ? { gpuModel: o.gpuModel } : {}),
      },
      outputs: [],
      service: { healthPath: "/health" },
    },
    "(plasma serve)",
  );
}

/** Waits until the model server answers its health check, or the service has ended. */
async function serving(api: Parameters<typeof getJobStatus>[0], deadlineSeconds: number): Promise<JobStatus> {
  const deadline = Date.now() + deadlineSeconds * 1000;
  for (;;) {
    const status = await getJobStatus(api);
    if (status.service?.ready || status.state === "done" || status.state === "failed" || Date.now() > deadline)
      return status;
    await new Promise((r) => setTimeout(r, 250)); // the provider reports readiness in its status
  }
}

/** The channel that pays this provider's requests (the one `plasma call` will use), else a new one with `deposit`. */
async function payingChannel(ctx: Context, provider: `0x${string}`, deposit: bigint) {
  const open = await findOpenChannel(ctx.client, { payer: ctx.client.account?.address as `0x${string}`, provider });
  if (open && open.remaining > 0n) return { channelId: open.id, opened: false, deposit: open.remaining };
  const { channelId } = await openChannel(ctx.client, { provider, amount: deposit });
  return { channelId, opened: true, deposit };
}

export function registerServeCommand(program: Command): void {
  program
    .command("serve [model]")
    .description(
      "deploy a model endpoint: an ONNX model served by the provider's model server, paid per request with vouchers",
    )
    .usage("MODEL.onnx | --example [options]")
    .option("--example", "serve the example model (a character trigram model the project builds as ONNX)")
    .option("--for <time>", "how long to keep it up: 30m, 2h, 1d (default: 1h)")
    .option("--gpus <count>", "GPUs (CPU cores on a CPU offer) to lease (default 1)")
    .option("--gpu-model <model>", "only this GPU model, e.g. H100")
    .option("--offer <id>", "use this offer instead of the cheapest")
    .option("--provider <address>", "only offers of this provider")
    .option("--max-price <xpl>", "refuse offers above this, in XPL per GPU-hour")
    .option("--deposit <xpl>", "deposit of a new payment channel, if you have no open one to the provider")
    .action(
      withContext("client", async (ctx, modelArg: string | undefined, o: ServeOptions) => {
        let modelFile: string;
        if (o.example) {
          if (modelArg) throw new UsageError("Give a model file or --example, not both.");
          const dir = join(plasmaHome(), "models");
          mkdirSync(dir, { recursive: true });
          modelFile = join(dir, "plasma-trigram.onnx");
          await buildExampleModel(modelFile);
        } else {
          if (!modelArg)
            throw new UsageError("Which model?", {
              metaMessages: ["Pass an ONNX file (plasma serve model.onnx), or --example for the example model."],
            });
          modelFile = resolve(modelArg);
          if (!existsSync(modelFile)) throw new UsageError(`The model ${modelArg} does not exist.`);
          if (!modelFile.endsWith(".onnx"))
            throw new UsageError(`${modelArg} is not an .onnx file.`, {
              metaMessages: ["Export your model to ONNX (e.g. torch.onnx.export) and serve that file."],
            });
        }
        const spec = onnxServiceSpec(modelFile, o);
        const seconds = o.for ? parseDuration(o.for) : 3600;
        const { offerId, skipped } = await chooseOffer(ctx, spec, o);
        const offer = await getOffer(ctx.client, offerId);
        const tty = process.stderr.isTTY && !ctx.out.json;
        const spinner = ora({ stream: process.stderr, isEnabled: tty });
        const say = (text: string) => (tty ? spinner.info(text) : process.stderr.write(`${text}\n`));
        for (const line of describeSkipped(skipped)) say(line);
        // Pay for requests before the GPU time starts running.
        const channel =
          offer.pricePerRequest > 0n
            ? await payingChannel(
                ctx,
                offer.provider,
                o.deposit ? parseXpl(o.deposit, "--deposit") : offer.pricePerRequest * DEFAULT_DEPOSIT_REQUESTS,
              )
            : undefined;
        if (channel?.opened)
          say(`opened channel ${channel.channelId} with ${xpl(channel.deposit)} to pay for requests`);
        const opened = await openLease(ctx.client, {
          offerId,
          gpus: Math.max(1, spec.resources.gpus),
          maxSeconds: seconds,
          specHash: hashJobSpec(spec),
          verification: "none",
        });
        const { api } = await providerApiFor(ctx.client, opened.leaseId);
        say(
          `lease ${opened.leaseId} on offer ${offerId}: ${formatDuration(seconds)} at ${formatPricePerHour(offer.pricePerGpuSecond)}, escrow ${xpl(opened.escrow)}`,
        );
        let status: Awaited<ReturnType<typeof serving>>;
        try {
          if (tty) spinner.start("sending the model");
          await sendSpec(api, spec);
          for (const input of spec.inputs) await uploadJobInput(api, input.path, readFileSync(modelFile));
          spinner.text = "starting the model server";
          status = await serving(api, spec.service?.startupSeconds ?? 120);
        } catch (error) {
          spinner.stop();
          throw await explainStrandedLease(ctx, opened.leaseId, error);
        }
        spinner.stop();
        if (!status.service?.ready) {
          throw new UsageError(`The model server of lease ${opened.leaseId} did not come up (${status.state}).`, {
            metaMessages: [`See why: plasma logs ${opened.leaseId}; stop it: plasma stop ${opened.leaseId}`],
          });
        }
        const url = `${api.endpoint.replace(/\/$/, "")}/v1/leases/${opened.leaseId}/serve`;
        ctx.out.result(
          {
            leaseId: opened.leaseId,
            url,
            offerId,
            pricePerRequest: offer.pricePerRequest,
            channelId: channel?.channelId ?? null,
            expiresInSeconds: seconds,
          },
          () =>
            [
              `✔ model endpoint up: ${url}`,
              `  lease ${opened.leaseId}, for ${formatDuration(seconds)}; ${offer.pricePerRequest > 0n ? `${xpl(offer.pricePerRequest)} per request, paid from channel ${channel?.channelId} by signed vouchers (no transaction per request)` : "requests are paid by the GPU time"}`,
              `  try it:  plasma call ${opened.leaseId} /v1/completions --data '{"prompt":"open gpu market","max_tokens":40}'`,
              `  stop it: plasma stop ${opened.leaseId}`,
            ].join("\n"),
        );
      }),
    );
}
