// All leases, filterable by state; with a wallet connected, "mine" narrows them to its own.

import { LEASE_STATES, type LeaseState } from "@plasma/indexer/api-types";
import { useId } from "react";
import { useSearchParams } from "react-router";
import { useLeases } from "../api/queries.ts";
import { LeaseTable } from "../components/LeaseTable.tsx";
import { Pager } from "../components/Pager.tsx";
import { QueryView } from "../components/States.tsx";
import { formatCount } from "../format.ts";
import { useWallet } from "../wallet/WalletContext.ts";

const PAGE_SIZE = 25;

function isLeaseState(value: string | null): value is LeaseState {
  return value !== null && (LEASE_STATES as readonly string[]).includes(value);
}

export function LeasesPage() {
  const [params, setParams] = useSearchParams();
  const { connection } = useWallet();
  const stateParam = params.get("state");
  const state = isLeaseState(stateParam) ? stateParam : undefined;
  const mine = params.get("mine") === "1" && connection !== null;
  const offset = Math.max(0, Number.parseInt(params.get("offset") ?? "0", 10) || 0);
  const leases = useLeases({ state, client: mine ? connection?.address : undefined, limit: PAGE_SIZE, offset });
  const ids = { state: useId(), mine: useId() };

  const update = (key: string, value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(key, value);
      else next.delete(key);
      if (key !== "offset") next.delete("offset");
      return next;
    });

  return (
    <>
      <title>Leases · Plasma</title>
      <div className="page-head">
        <h1>Leases</h1>
        <span className="muted" data-testid="lease-count">
          {leases.data ? `${formatCount(leases.data.total)} lease${leases.data.total === 1 ? "" : "s"}` : "…"}
        </span>
      </div>
      <div className="results-toolbar">
        <label htmlFor={ids.state}>State</label>
        <select
          id={ids.state}
          data-testid="lease-state-filter"
          value={state ?? ""}
          onChange={(e) => update("state", e.target.value)}
        >
          <option value="">All</option>
          {LEASE_STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {connection ? (
          <span className="check">
            <input
              id={ids.mine}
              type="checkbox"
              data-testid="leases-mine"
              checked={mine}
              onChange={(e) => update("mine", e.target.checked ? "1" : "")}
            />
            <label htmlFor={ids.mine}>Only mine</label>
          </span>
        ) : null}
      </div>
      <QueryView
        query={leases}
        isEmpty={(page) => page.leases.length === 0}
        empty={mine ? "You have no leases yet. Rent an offer on the market." : "No leases match."}
      >
        {(page) => (
          <div className="card card-flush">
            <LeaseTable leases={page.leases} />
          </div>
        )}
      </QueryView>
      {leases.data ? (
        <Pager
          total={leases.data.total}
          offset={offset}
          limit={PAGE_SIZE}
          onChange={(next) => update("offset", next > 0 ? String(next) : "")}
        />
      ) : null}
    </>
  );
}
