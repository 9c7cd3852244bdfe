// A finished lease's output manifest (each file's path, size and sha256), fetched from the provider
// with a request the connected wallet signs: only the lease's client may read it. The manifest's
// hash is what the provider committed on chain as the result hash.

import type { LeaseDetail } from "@plasma/indexer/api-types";
import { getOutputManifest } from "@plasma/sdk/browser";
import { useMutation } from "@tanstack/react-query";
import { requireClient, useWallet } from "../wallet/WalletContext.ts";
import { ActionError } from "./ActionError.tsx";

function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 ** 2) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / 1024 ** 2).toFixed(1)} MiB`;
}

export function OutputManifest({ lease }: { lease: LeaseDetail }) {
  const wallet = useWallet();
  const me = wallet.connection?.address;
  const isClient = me !== undefined && me.toLowerCase() === lease.client.toLowerCase();
  const manifest = useMutation({
    mutationFn: () =>
      getOutputManifest({ client: requireClient(wallet), endpoint: lease.providerEndpoint, leaseId: BigInt(lease.id) }),
  });
  if (!lease.resultHash) return null;
  return (
    <section className="card" aria-labelledby="lease-outputs">
      <h2 id="lease-outputs">Outputs</h2>
      {!isClient ? (
        <p className="muted">
          Connect the lease's client wallet to list its outputs: the provider shows them to the client only.
        </p>
      ) : manifest.data ? (
        <table className="table" data-testid="output-manifest">
          <thead>
            <tr>
              <th scope="col">file</th>
              <th scope="col">size</th>
              <th scope="col">sha256</th>
            </tr>
          </thead>
          <tbody>
            {manifest.data.outputs.map((entry) => (
              <tr key={entry.path} data-testid="output-entry">
                <td className="mono break">{entry.path}</td>
                <td>{formatBytes(entry.size)}</td>
                <td className="mono break" title={entry.sha256}>
                  {entry.sha256.slice(0, 16)}…
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <button
          type="button"
          className="button"
          data-testid="show-outputs"
          disabled={manifest.isPending}
          onClick={() => manifest.mutate()}
        >
          {manifest.isPending ? "Asking the provider…" : "Show the output manifest (sign a request)"}
        </button>
      )}
      <ActionError error={manifest.error} />
      <p className="muted">
        Download the files and check them against the chain with <code>npx plasma results {lease.id}</code>.
      </p>
    </section>
  );
}
