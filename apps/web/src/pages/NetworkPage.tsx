// The network at a glance: market and staking totals, the chain and indexer, and governance proposals.

import type { NetworkInfo, NetworkStats } from "@plasma/indexer/api-types";
import { useSearchParams } from "react-router";
import { useNetwork, useProposals, useStats } from "../api/queries.ts";
import { Pager } from "../components/Pager.tsx";
import { ProposalRow } from "../components/ProposalRow.tsx";
import { QueryView } from "../components/States.tsx";
import { StatTile } from "../components/StatTile.tsx";
import { formatCount, formatPercent, formatRelative, formatXplAmount } from "../format.ts";

const PROPOSALS_PAGE = 10;

function StatsTiles({ stats }: { stats: NetworkStats }) {
  const l = stats.leases;
  return (
    <div className="tiles">
      <StatTile label="Providers" value={formatCount(stats.providers)} testId="stats-providers" />
      <StatTile label="Active offers" value={formatCount(stats.activeOffers)} testId="stats-active-offers" />
      <StatTile label="GPUs offered" value={formatCount(stats.gpus)} testId="stats-gpus" />
      <StatTile
        label="GPUs in use"
        value={formatCount(stats.gpusInUse)}
        hint={stats.gpus > 0 ? `${formatPercent(stats.gpusInUse / stats.gpus)} utilisation` : undefined}
        testId="stats-in-use"
      />
      <StatTile
        label="Leases"
        value={formatCount(l.total)}
        hint={`${l.open} open · ${l.running} running · ${l.ended} ended`}
        testId="stats-leases"
      />
      <StatTile label="Volume" value={formatXplAmount(stats.volumeXpl, 2)} testId="stats-volume" />
      <StatTile label="Protocol fees" value={formatXplAmount(stats.protocolFeesXpl, 2)} testId="stats-fees" />
      <StatTile label="Staked" value={formatXplAmount(stats.stakedXpl, 2)} testId="stats-staked" />
      <StatTile label="Delegated" value={formatXplAmount(stats.delegatedXpl, 2)} testId="stats-delegated" />
      <StatTile label="Slashed" value={formatXplAmount(stats.slashedXpl, 2)} testId="stats-slashed" />
      <StatTile label="Validators" value={formatCount(stats.validators)} testId="stats-validators" />
      <StatTile label="Proposals" value={formatCount(stats.proposals)} testId="stats-proposals" />
    </div>
  );
}

function ChainInfo({ network }: { network: NetworkInfo }) {
  const { indexer } = network;
  return (
    <dl className="kv card" data-testid="chain-info">
      <div className="kv-row">
        <dt>Chain ID</dt>
        <dd>{network.chainId}</dd>
      </div>
      <div className="kv-row">
        <dt>RPC URL</dt>
        <dd className="mono break">{network.rpcUrl}</dd>
      </div>
      <div className="kv-row">
        <dt>Indexed block</dt>
        <dd>
          {formatCount(indexer.block)}
          {indexer.headBlock !== null ? ` of ${formatCount(indexer.headBlock)}` : ""}
          {indexer.lagBlocks ? ` (${indexer.lagBlocks} behind)` : ""}
          {indexer.syncedAt !== null ? ` · synced ${formatRelative(indexer.syncedAt)}` : ""}
        </dd>
      </div>
      {Object.entries(network.contracts).map(([name, address]) => (
        <div className="kv-row" key={name}>
          <dt>{name}</dt>
          <dd className="mono break">{address}</dd>
        </div>
      ))}
    </dl>
  );
}

export function NetworkPage() {
  const stats = useStats();
  const network = useNetwork();
  const [params, setParams] = useSearchParams();
  const offset = Math.max(0, Number.parseInt(params.get("offset") ?? "0", 10) || 0);
  const proposals = useProposals({ limit: PROPOSALS_PAGE, offset });
  return (
    <>
      <title>Network · Plasma</title>
      <div className="page-head">
        <h1>Network</h1>
      </div>
      <section className="section" aria-label="Statistics">
        <QueryView query={stats} loadingLabel="Loading statistics…">
          {(data) => <StatsTiles stats={data} />}
        </QueryView>
      </section>
      <section className="section" aria-labelledby="governance-title">
        <h2 id="governance-title">Governance</h2>
        <QueryView
          query={proposals}
          isEmpty={(page) => page.proposals.length === 0}
          empty="No proposals yet."
          loadingLabel="Loading proposals…"
        >
          {(page) => (
            <ul className="proposals">
              {page.proposals.map((p) => (
                <ProposalRow key={p.id} proposal={p} />
              ))}
            </ul>
          )}
        </QueryView>
        {proposals.data ? (
          <Pager
            total={proposals.data.total}
            offset={offset}
            limit={PROPOSALS_PAGE}
            onChange={(next) => setParams(next > 0 ? { offset: String(next) } : {})}
          />
        ) : null}
      </section>
      <section className="section" aria-labelledby="chain-title">
        <h2 id="chain-title">Chain</h2>
        <QueryView query={network}>{(data) => <ChainInfo network={data} />}</QueryView>
      </section>
    </>
  );
}
