// A governance proposal with its tally; while voting is open and a wallet is connected, the three vote
// buttons (SDK castVote).

import type { ProposalSummary } from "@plasma/indexer/api-types";
import { castVote, type VoteSupport } from "@plasma/sdk/browser";
import { AddressText } from "../components/AddressLink.tsx";
import { formatDecimal, formatTime, formatWeiAsXpl, votesToXpl } from "../format.ts";
import { useChainAction } from "../wallet/useChainAction.ts";
import { useWallet } from "../wallet/WalletContext.ts";
import { ActionError } from "./ActionError.tsx";
import { Badge } from "./Badge.tsx";

const VOTES: { support: VoteSupport; label: string }[] = [
  { support: "for", label: "For" },
  { support: "against", label: "Against" },
  { support: "abstain", label: "Abstain" },
];

/** Shares of the tally, from exact decimal strings (scaled to integers so large tallies stay exact). */
function shares(p: ProposalSummary): Record<VoteSupport, number> {
  const toMilli = (v: string) => {
    const [whole = "0", fraction = ""] = votesToXpl(v).split(".");
    return BigInt(whole || "0") * 1000n + BigInt(fraction.padEnd(3, "0").slice(0, 3));
  };
  const f = toMilli(p.forVotes);
  const a = toMilli(p.againstVotes);
  const x = toMilli(p.abstainVotes);
  const total = f + a + x;
  if (total === 0n) return { for: 0, against: 0, abstain: 0 };
  const pct = (v: bigint) => Number((v * 10_000n) / total) / 100;
  return { for: pct(f), against: pct(a), abstain: pct(x) };
}

function Tally({ proposal }: { proposal: ProposalSummary }) {
  const share = shares(proposal);
  const amounts: Record<VoteSupport, string> = {
    for: proposal.forVotes,
    against: proposal.againstVotes,
    abstain: proposal.abstainVotes,
  };
  return (
    <div className="tally" data-testid="proposal-tally">
      <div className="tally-bar" aria-hidden="true">
        <span className="tally-for" style={{ width: `${share.for}%` }} />
        <span className="tally-against" style={{ width: `${share.against}%` }} />
        <span className="tally-abstain" style={{ width: `${share.abstain}%` }} />
      </div>
      <ul className="tally-legend">
        {VOTES.map(({ support, label }) => (
          <li key={support} data-testid={`tally-${support}`}>
            <span className={`dot dot-${support}`} aria-hidden="true" />
            {label}: {formatDecimal(votesToXpl(amounts[support]), 2)} XPL ({share[support]} %)
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ProposalRow({ proposal }: { proposal: ProposalSummary }) {
  const { connection } = useWallet();
  const vote = useChainAction((client, support: VoteSupport) => castVote(client, proposal.id, support));
  const [title = "", ...rest] = proposal.description.split("\n");
  const canVote = proposal.state === "active" && connection !== null;
  return (
    <li className="card proposal" data-testid="proposal-row" data-proposal-id={proposal.id}>
      <div className="proposal-head">
        <h3 className="break">{title.replace(/^#+\s*/, "") || "Untitled proposal"}</h3>
        <Badge value={proposal.state} testId="proposal-state" />
      </div>
      {rest.join("\n").trim() ? <p className="muted small pre-line">{rest.join("\n").trim()}</p> : null}
      <p className="muted small">
        By <AddressText address={proposal.proposer} /> · voting {formatTime(proposal.voteStart)} –{" "}
        {formatTime(proposal.voteEnd)}
      </p>
      <Tally proposal={proposal} />
      {canVote ? (
        <div className="vote-buttons">
          {VOTES.map(({ support, label }) => (
            <button
              key={support}
              type="button"
              className={`button vote-${support}`}
              data-testid={`vote-${support}`}
              disabled={vote.isPending}
              onClick={() => {
                vote.reset();
                vote.mutate(support);
              }}
            >
              {vote.isPending && vote.variables === support ? "Voting…" : label}
            </button>
          ))}
        </div>
      ) : null}
      {vote.isSuccess ? (
        <p className="success" role="status" data-testid="vote-success">
          You voted {vote.variables} with {formatWeiAsXpl(vote.data.weight, 2)}.
        </p>
      ) : null}
      <ActionError error={vote.error} />
    </li>
  );
}
