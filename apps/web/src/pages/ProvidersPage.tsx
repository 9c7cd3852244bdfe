// Every registered provider, sortable by stake, reputation, earnings or age.

import { useId } from "react";
import { useSearchParams } from "react-router";
import { type ProviderSort, useProviders } from "../api/queries.ts";
import { ProviderLink } from "../components/AddressLink.tsx";
import { Pager } from "../components/Pager.tsx";
import { QueryView } from "../components/States.tsx";
import { formatBps, formatCount, formatRelative, formatScore, formatTime, formatXplAmount } from "../format.ts";

const SORTS: Record<ProviderSort, string> = {
  stake: "Stake",
  reputation: "Reputation",
  earned: "Earned",
  newest: "Newest",
};
const PAGE_SIZE = 25;

function isProviderSort(value: string | null): value is ProviderSort {
  return value !== null && Object.hasOwn(SORTS, value);
}

export function ProvidersPage() {
  const [params, setParams] = useSearchParams();
  const sortParam = params.get("sort");
  const sort: ProviderSort = isProviderSort(sortParam) ? sortParam : "stake";
  const offset = Math.max(0, Number.parseInt(params.get("offset") ?? "0", 10) || 0);
  const providers = useProviders({ sort, limit: PAGE_SIZE, offset });
  const sortId = useId();

  const update = (changes: { sort?: ProviderSort; offset?: number }) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (changes.sort !== undefined) {
        if (changes.sort === "stake") next.delete("sort");
        else next.set("sort", changes.sort);
        next.delete("offset");
      }
      if (changes.offset !== undefined) {
        if (changes.offset > 0) next.set("offset", String(changes.offset));
        else next.delete("offset");
      }
      return next;
    });

  return (
    <>
      <title>Providers · Plasma</title>
      <div className="page-head">
        <h1>Providers</h1>
        <div className="results-toolbar">
          <label htmlFor={sortId}>Sort by</label>
          <select
            id={sortId}
            data-testid="providers-sort"
            value={sort}
            onChange={(e) => update({ sort: e.target.value as ProviderSort })}
          >
            {Object.entries(SORTS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <QueryView
        query={providers}
        isEmpty={(page) => page.providers.length === 0}
        empty="No provider has registered yet."
      >
        {(page) => (
          <div className="card card-flush">
            <table className="table responsive">
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col" className="num">
                    Stake
                  </th>
                  <th scope="col" className="num">
                    Delegated
                  </th>
                  <th scope="col" className="num">
                    Commission
                  </th>
                  <th scope="col" className="num">
                    Reputation
                  </th>
                  <th scope="col" className="num">
                    Earned
                  </th>
                  <th scope="col" className="num">
                    Offers / GPUs
                  </th>
                  <th scope="col" className="num">
                    Leases
                  </th>
                  <th scope="col">Registered</th>
                </tr>
              </thead>
              <tbody>
                {page.providers.map((p) => (
                  <tr key={p.address} data-testid="provider-row" data-address={p.address}>
                    <td data-label="Provider">
                      <ProviderLink address={p.address} />
                    </td>
                    <td data-label="Stake" className="num">
                      {formatXplAmount(p.stakeXpl, 2)}
                    </td>
                    <td data-label="Delegated" className="num">
                      {formatXplAmount(p.delegatedXpl, 2)}
                      <span className="muted small"> · {p.delegators}</span>
                    </td>
                    <td data-label="Commission" className="num">
                      {formatBps(p.commissionBps)}
                    </td>
                    <td data-label="Reputation" className="num">
                      {formatScore(p.reputation.score)}
                    </td>
                    <td data-label="Earned" className="num">
                      {formatXplAmount(p.earnedXpl, 2)}
                    </td>
                    <td data-label="Offers / GPUs" className="num">
                      {p.offers} / {p.gpus}
                    </td>
                    <td data-label="Leases" className="num">
                      {formatCount(p.leases)}
                    </td>
                    <td data-label="Registered" title={formatTime(p.registeredAt)}>
                      {formatRelative(p.registeredAt)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
      {providers.data ? (
        <Pager
          total={providers.data.total}
          offset={offset}
          limit={PAGE_SIZE}
          onChange={(next) => update({ offset: next })}
        />
      ) : null}
    </>
  );
}
