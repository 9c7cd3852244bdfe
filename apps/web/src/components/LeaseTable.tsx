// Leases as a table (cards on a phone); the id links to the lease page.

import type { LeaseSummary } from "@plasma/indexer/api-types";
import { Link } from "react-router";
import { formatRelative, formatTime, formatXplAmount } from "../format.ts";
import { AddressText, ProviderLink } from "./AddressLink.tsx";
import { Badge } from "./Badge.tsx";

export function LeaseTable({ leases }: { leases: LeaseSummary[] }) {
  return (
    <table className="table responsive">
      <thead>
        <tr>
          <th scope="col">Lease</th>
          <th scope="col">State</th>
          <th scope="col">GPUs</th>
          <th scope="col">Provider</th>
          <th scope="col">Client</th>
          <th scope="col" className="num">
            Escrow
          </th>
          <th scope="col" className="num">
            Paid
          </th>
          <th scope="col">Verification</th>
          <th scope="col">Opened</th>
        </tr>
      </thead>
      <tbody>
        {leases.map((lease) => (
          <tr key={lease.id} data-testid="lease-row" data-lease-id={lease.id}>
            <td data-label="Lease">
              <Link to={`/leases/${lease.id}`}>#{lease.id}</Link>
            </td>
            <td data-label="State">
              <Badge value={lease.state} />
              {lease.endReason ? <span className="muted small"> {lease.endReason}</span> : null}
            </td>
            <td data-label="GPUs">
              {lease.gpus} × {lease.gpuModel}
            </td>
            <td data-label="Provider">
              <ProviderLink address={lease.provider} />
            </td>
            <td data-label="Client">
              <AddressText address={lease.client} />
            </td>
            <td data-label="Escrow" className="num">
              {formatXplAmount(lease.escrowXpl)}
            </td>
            <td data-label="Paid" className="num">
              {formatXplAmount(lease.paidXpl)}
            </td>
            <td data-label="Verification">
              {lease.verification}
              {lease.verificationOutcome ? <Badge value={lease.verificationOutcome} /> : null}
            </td>
            <td data-label="Opened" title={formatTime(lease.openedAt)}>
              {formatRelative(lease.openedAt)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
