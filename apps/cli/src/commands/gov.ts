import {
  applyParameterChange,
  castVote,
  executeProposal,
  formatParameter,
  GOVERNED_PARAMETERS,
  getProposal,
  getScheduledChange,
  governedParameterNames,
  isGovernedParameter,
  listProposals,
  type ParameterKind,
  type Proposal,
  type ProposalAction,
  propose,
  queueProposal,
  UnknownParameterError,
  VOTE_SUPPORT,
  type VoteSupport,
} from "@plasma/sdk";
import type { Command } from "commander";
import { resolveAddress } from "../accounts.ts";
import { withContext } from "../action.ts";
import type { Context } from "../context.ts";
import { fields, table, UsageError } from "../output.ts";
import { formatTime, parseDuration, parseXpl, xpl } from "../units.ts";

const collect = (value: string, previous: string[] = []) => [...previous, value];

function splitPair(text: string, flag: string, example: string): [string, string] {
  const at = text.indexOf("=");
  if (at <= 0 || at === text.length - 1) {
    throw new UsageError(`${flag} ${text} is not NAME=VALUE.`, { metaMessages: [`Write it like ${flag} ${example}.`] });
  }
  return [text.slice(0, at).trim(), text.slice(at + 1).trim()];
}

/** Parses a value in its parameter's unit: bps a whole number, seconds 600 / 10m / 7d, XPL 1000 / 1.5. */
function parseValue(name: string, kind: ParameterKind, text: string): bigint {
  switch (kind) {
    case "xpl":
      return parseXpl(text, name);
    case "seconds":
      return BigInt(parseDuration(text));
    case "bps":
      if (/^\d+$/.test(text)) return BigInt(text);
      throw new UsageError(`${name} takes whole basis points; "${text}" is not.`, {
        metaMessages: [`Write it like --set ${name}=300 for 3 %.`],
      });
  }
}

const UNIT_HELP: Record<ParameterKind, string> = {
  bps: "basis points, e.g. 300 = 3 %",
  seconds: "a duration: 600, 10m, 1h, 7d",
  xpl: "XPL, e.g. 1000 or 1.5",
};

/** The governed parameters for `--help`, from the SDK's table. */
function parametersHelp(): string {
  const names = governedParameterNames();
  const width = Math.max(...names.map((n) => n.length));
  return [
    "",
    "Parameters (--set NAME=VALUE, the value in the parameter's unit):",
    ...names.map((n) => {
      const { kind, description } = GOVERNED_PARAMETERS[n];
      return `  ${n.padEnd(width)}  ${description} (${UNIT_HELP[kind]})`;
    }),
  ].join("\n");
}

function parseSet(text: string): ProposalAction {
  const [name, valueText] = splitPair(text, "--set", "protocolFeeBps=300");
  if (!isGovernedParameter(name)) throw new UnknownParameterError(name, governedParameterNames());
  return { kind: "set-parameter", name, value: parseValue(name, GOVERNED_PARAMETERS[name].kind, valueText) };
}

function describe(action: ProposalAction): string {
  switch (action.kind) {
    case "set-parameter":
      return `set ${action.name} to ${formatParameter(action.name, action.value)}`;
    case "set-treasury":
      return `move the treasury to ${action.address}`;
    case "grant":
      return `grant ${xpl(action.amount)} from the treasury to ${action.to}`;
    default:
      return `call ${action.target} with ${action.data.slice(0, 10)}… (value ${action.value})`;
  }
}

function show(p: Proposal): string {
  return fields([
    ["proposal", `${p.number} (id ${p.id})`],
    ["description", p.description],
    ["state", p.state],
    ...p.actions.map((a, i): [string, string] => [`action ${i + 1}`, describe(a)]),
    ["votes for", xpl(p.votes.for)],
    ["votes against", xpl(p.votes.against)],
    ["abstain", xpl(p.votes.abstain)],
    ["quorum", xpl(p.quorum)],
    ["voting", `${formatTime(p.votingOpensAt)} → ${formatTime(p.voteEnd)}`],
    ...(p.eta ? ([["executable from", formatTime(p.eta)]] as [string, string][]) : []),
  ]);
}

export function registerGovCommands(program: Command): void {
  const gov = program
    .command("gov")
    .description("governance: propose parameter changes and treasury grants, vote, queue, execute");

  gov
    .command("propose")
    .description("propose named parameter changes, treasury grants or a new treasury")
    .option("--set <name=value>", "change a parameter, in its unit: bps, a duration (10m, 7d) or XPL", collect)
    .option("--grant <address=xpl>", "pay XPL from the treasury to an address (or dev account name)", collect)
    .option("--treasury <address>", "make another address the receiver of protocol fees")
    .requiredOption("-m, --description <text>", "what the proposal does and why")
    .addHelpText("after", parametersHelp)
    .action(
      withContext(
        "deployer",
        async (ctx: Context, o: { set?: string[]; grant?: string[]; treasury?: string; description: string }) => {
          const actions: ProposalAction[] = [
            ...(o.set ?? []).map(parseSet),
            ...(o.grant ?? []).map((g): ProposalAction => {
              const [to, amount] = splitPair(g, "--grant", "builder=5000");
              return { kind: "grant", to: resolveAddress(ctx, to, "grantee"), amount: parseXpl(amount, "grant") };
            }),
            ...(o.treasury
              ? [{ kind: "set-treasury", address: resolveAddress(ctx, o.treasury, "treasury") } as const]
              : []),
          ];
          const proposal = await propose(ctx.client, { actions, description: o.description });
          ctx.out.result(proposal, () =>
            [
              `Proposal ${proposal.number} created: ${proposal.description}`,
              ...proposal.actions.map((a) => `  ${describe(a)}`),
              `  voting opens ${formatTime(proposal.votingOpensAt)} and closes ${formatTime(proposal.voteEnd)}`,
              `  vote with: plasma gov vote ${proposal.number} for|against|abstain`,
            ].join("\n"),
          );
        },
      ),
    );

  gov
    .command("list")
    .description("every proposal, with its state and votes")
    .action(
      withContext(undefined, async (ctx) => {
        const proposals = await listProposals(ctx.client);
        ctx.out.result({ proposals }, () =>
          proposals.length === 0
            ? "No proposals yet. Make one with `plasma gov propose`."
            : table(
                ["#", "state", "description", "for", "against", "voting ends"],
                proposals.map((p) => [
                  p.number,
                  p.state,
                  p.description.split("\n")[0] ?? "",
                  xpl(p.votes.for),
                  xpl(p.votes.against),
                  formatTime(p.voteEnd),
                ]),
              ),
        );
      }),
    );

  gov
    .command("show <proposal>")
    .description("one proposal: its actions in words, state, votes, quorum and timings")
    .action(
      withContext(undefined, async (ctx, ref: string) => {
        const proposal = await getProposal(ctx.client, ref);
        ctx.out.result(proposal, () => show(proposal));
      }),
    );

  gov
    .command("vote <proposal> <choice>")
    .description("vote for, against or abstain, with the voting power you had when voting opened")
    .option("--reason <text>", "why, recorded on chain")
    .action(
      withContext("deployer", async (ctx, ref: string, choice: string, o: { reason?: string }) => {
        const support = choice.toLowerCase();
        if (!Object.hasOwn(VOTE_SUPPORT, support)) {
          throw new UsageError(`"${choice}" is not a vote.`, { metaMessages: ["Vote for, against or abstain."] });
        }
        const { hash, proposal, weight } = await castVote(ctx.client, ref, support as VoteSupport, o.reason);
        ctx.out.result(
          { proposal: proposal.number, choice: support, weight, tx: hash },
          () =>
            `Voted ${support} on proposal ${proposal.number} with ${xpl(weight)} (tx ${hash}); for ${xpl(proposal.votes.for)}, against ${xpl(proposal.votes.against)}.`,
        );
      }),
    );

  gov
    .command("queue <proposal>")
    .description("queue a passed proposal in the timelock")
    .action(
      withContext("deployer", async (ctx, ref: string) => {
        const proposal = await queueProposal(ctx.client, ref);
        ctx.out.result(
          proposal,
          () => `Proposal ${proposal.number} queued: executable from ${formatTime(proposal.eta)}.`,
        );
      }),
    );

  gov
    .command("execute <proposal>")
    .description("execute a queued proposal once its timelock delay has passed (anyone may)")
    .action(
      withContext("deployer", async (ctx, ref: string) => {
        const proposal = await executeProposal(ctx.client, ref);
        // A harsher change only schedules itself: say when it applies instead of claiming it is set.
        const scheduled = await Promise.all(
          proposal.actions.map((a) => (a.kind === "set-parameter" ? getScheduledChange(ctx.client, a.name) : null)),
        );
        ctx.out.result({ ...proposal, scheduled: scheduled.filter((c) => c !== null) }, () =>
          [
            `Proposal ${proposal.number} executed:`,
            ...proposal.actions.map((a, i) => {
              const waiting = scheduled[i];
              if (!waiting || a.kind !== "set-parameter") return `  ${describe(a)}`;
              return `  scheduled ${a.name} to ${formatParameter(a.name, a.value)}: harsher for stake already there, it applies from ${formatTime(waiting.appliesAt)} (then \`plasma gov apply ${a.name}\`, anyone may)`;
            }),
          ].join("\n"),
        );
      }),
    );

  gov
    .command("apply <parameter>")
    .description("apply a harsher parameter change a proposal scheduled, once its notice has passed (anyone may)")
    .action(
      withContext("deployer", async (ctx, name: string) => {
        if (!isGovernedParameter(name)) throw new UnknownParameterError(name, governedParameterNames());
        const tx = await applyParameterChange(ctx.client, name);
        ctx.out.result({ name, tx }, () => `Applied the scheduled change of ${name} (tx ${tx}).`);
      }),
    );
}
