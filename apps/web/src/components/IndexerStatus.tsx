// The footer's line on the indexer: how far it has read the chain, so stale data is never a mystery.

import { useNetwork } from "../api/queries.ts";
import { formatCount } from "../format.ts";

export function IndexerStatus() {
  const { data, isError } = useNetwork();
  if (isError) return <span className="status-bad">API unreachable</span>;
  if (!data) return <span className="muted">Connecting to the API…</span>;
  const { indexer } = data;
  const lag = indexer.lagBlocks ?? 0;
  return (
    <span data-testid="indexer-status">
      Chain {data.chainId} · indexed block {formatCount(indexer.block)}
      {lag > 0 ? <span className={lag > 10 ? "status-bad" : "muted"}> · {lag} behind</span> : " · up to date"}
    </span>
  );
}
