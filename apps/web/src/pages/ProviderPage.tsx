// One provider: its stake and standing, its offers, recent leases and delegators, and a form to
// delegate to it.

import type { ProviderDetail } from "@plasma/indexer/api-types";
import { useEffect } from "react";
import { useLocation, useParams } from "react-router";
import { useProvider } from "../api/queries.ts";
import { AddressText } from "../components/AddressLink.tsx";
import { DelegateForm } from "../components/DelegateForm.tsx";
import { LeaseTable } from "../components/LeaseTable.tsx";
import { OfferTable } from "../components/OfferTable.tsx";
import { Empty, QueryView } from "../components/States.tsx";
import { StatTile } from "../components/StatTile.tsx";
import { formatBps, formatDecimal, formatScore, formatTime, formatXplAmount, shortAddress } from "../format.ts";

function ProviderStats({ provider }: { provider: ProviderDetail }) {
  const r = provider.reputation;
  return (
    <div className="tiles">
      <StatTile label="Stake" value={formatXplAmount(provider.stakeXpl, 2)} testId="provider-stake" />
      <StatTile label="Unbonding" value={formatXplAmount(provider.unbondingXpl, 2)} testId="provider-unbonding" />
      <StatTile
        label="Delegated"
        value={formatXplAmount(provider.delegatedXpl, 2)}
        hint={`${provider.delegators} delegator${provider.delegators === 1 ? "" : "s"}`}
        testId="provider-delegated"
      />
      <StatTile label="Commission" value={formatBps(provider.commissionBps)} testId="provider-commission" />
      <StatTile
        label="Reputation"
        value={formatScore(r.score)}
        hint={`${r.clients} paying client${r.clients === 1 ? "" : "s"} · ${formatDecimal(r.paidXpl, 2)} XPL paid · ${r.completed} completed · ${r.noShows} no-shows · ${r.sampled} sampled · ${r.verified} verified · ${r.failed} failed`}
        testId="provider-reputation"
      />
      <StatTile
        label="Earned"
        value={formatXplAmount(provider.earnedXpl, 2)}
        hint={`${formatDecimal(provider.requestRevenueXpl, 2)} XPL from requests`}
        testId="provider-earned"
      />
      <StatTile label="Rewards" value={formatXplAmount(provider.rewardsXpl, 2)} testId="provider-rewards" />
      <StatTile label="Slashed" value={formatXplAmount(provider.slashedXpl, 2)} testId="provider-slashed" />
    </div>
  );
}

function Delegations({ provider }: { provider: ProviderDetail }) {
  if (provider.delegations.length === 0) return <Empty>No one delegates to this provider yet.</Empty>;
  return (
    <table className="table responsive">
      <thead>
        <tr>
          <th scope="col">Delegator</th>
          <th scope="col" className="num">
            Amount
          </th>
        </tr>
      </thead>
      <tbody>
        {provider.delegations.map((d) => (
          <tr key={d.delegator} data-testid="delegation-row">
            <td data-label="Delegator">
              <AddressText address={d.delegator} />
            </td>
            <td data-label="Amount" className="num">
              {formatXplAmount(d.amountXpl, 2)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ProviderPage() {
  const { address = "" } = useParams();
  const query = useProvider(address);
  // A lease links to its offer as #offer-<id>: point it out once the offers are on screen.
  const { hash } = useLocation();
  const highlightId = /^#offer-(\d+)$/.exec(hash)?.[1];
  const loaded = query.data !== undefined;
  useEffect(() => {
    if (loaded && highlightId) document.getElementById(`offer-${highlightId}`)?.scrollIntoView({ block: "center" });
  }, [loaded, highlightId]);
  return (
    <>
      <title>{`Provider ${shortAddress(address)} · Plasma`}</title>
      <div className="page-head">
        <div>
          <p className="eyebrow">Provider</p>
          <h1 className="mono break">{address}</h1>
        </div>
      </div>
      <QueryView query={query} loadingLabel="Loading provider…">
        {(provider) => (
          <>
            <p className="muted">
              Endpoint <span className="mono break">{provider.endpoint || "—"}</span> · registered{" "}
              {formatTime(provider.registeredAt)} · {provider.leases} lease{provider.leases === 1 ? "" : "s"}
            </p>
            <ProviderStats provider={provider} />
            <div className="two-columns">
              <section className="section" aria-labelledby="provider-offers">
                <h2 id="provider-offers">Offers</h2>
                {provider.offersList.length === 0 ? (
                  <Empty>This provider has no offers.</Empty>
                ) : (
                  <div className="card card-flush">
                    <OfferTable
                      offers={provider.offersList}
                      showProvider={false}
                      highlightId={highlightId ? Number(highlightId) : undefined}
                    />
                  </div>
                )}
              </section>
              <DelegateForm provider={provider.address} commission={formatBps(provider.commissionBps)} />
            </div>
            <section className="section" aria-labelledby="provider-leases">
              <h2 id="provider-leases">Recent leases</h2>
              {provider.recentLeases.length === 0 ? (
                <Empty>No leases yet.</Empty>
              ) : (
                <div className="card card-flush">
                  <LeaseTable leases={provider.recentLeases} />
                </div>
              )}
            </section>
            <section className="section" aria-labelledby="provider-delegations">
              <h2 id="provider-delegations">Delegations</h2>
              <div className="card card-flush">
                <Delegations provider={provider} />
              </div>
            </section>
          </>
        )}
      </QueryView>
    </>
  );
}
