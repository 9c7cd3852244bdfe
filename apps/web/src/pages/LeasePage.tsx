// One lease: its state, what it cost (escrow, paid, refund, fees), its result and verification, and the
// timeline of its chain events. Polls, so a running lease moves on screen.

import type { LeaseDetail } from "@plasma/indexer/api-types";
import type { ReactNode } from "react";
import { Link, useParams } from "react-router";
import { useLease } from "../api/queries.ts";
import { AddressText, ProviderLink } from "../components/AddressLink.tsx";
import { Badge } from "../components/Badge.tsx";
import { LeaseTimeline } from "../components/LeaseTimeline.tsx";
import { OutputManifest } from "../components/OutputManifest.tsx";
import { QueryView } from "../components/States.tsx";
import { formatDecimal, formatDuration, formatTime, formatXplAmount } from "../format.ts";

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="kv-row">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

function Cost({ lease }: { lease: LeaseDetail }) {
  const used = lease.startedAt !== null ? (lease.endedAt ?? Date.now() / 1000) - lease.startedAt : null;
  const s = lease.settlement;
  return (
    <section className="card" aria-labelledby="lease-cost">
      <h2 id="lease-cost">Cost</h2>
      <dl className="kv">
        <Row label="Price">{formatDecimal(lease.pricePerGpuHourXpl)} XPL per GPU-hour</Row>
        <Row label="GPUs">
          {lease.gpus} × {lease.gpuModel}
        </Row>
        <Row label="Duration">
          {used === null
            ? `at most ${formatDuration(lease.maxSeconds)} · not started`
            : `${formatDuration(used)} of at most ${formatDuration(lease.maxSeconds)}`}
        </Row>
        <Row label="Escrow" testId="lease-escrow">
          {formatXplAmount(lease.escrowXpl, 6)}
        </Row>
        <Row label="Paid" testId="lease-paid">
          {formatXplAmount(lease.paidXpl, 6)}
        </Row>
        <Row label="Refund" testId="lease-refund">
          {formatXplAmount(lease.refundXpl, 6)}
        </Row>
        {lease.penaltyXpl !== null && lease.penaltyXpl !== "0" ? (
          <Row label="Penalty" testId="lease-penalty">
            {formatXplAmount(lease.penaltyXpl, 6)}
          </Row>
        ) : null}
        {s ? (
          <>
            <Row label="Settled gross">{formatXplAmount(s.grossXpl, 6)}</Row>
            <Row label="To the provider">{formatXplAmount(s.providerXpl, 6)}</Row>
            <Row label="Protocol fee" testId="lease-protocol-fee">
              {formatXplAmount(s.protocolFeeXpl, 6)}
            </Row>
            <Row label="Builder fee">{formatXplAmount(s.builderFeeXpl, 6)}</Row>
          </>
        ) : (
          <Row label="Settlement">not settled yet</Row>
        )}
      </dl>
    </section>
  );
}

function Outcome({ lease }: { lease: LeaseDetail }) {
  return (
    <section className="card" aria-labelledby="lease-outcome">
      <h2 id="lease-outcome">Result</h2>
      <dl className="kv">
        <Row label="Ended because">{lease.endReason ?? "still open"}</Row>
        <Row label="Result hash" testId="lease-result-hash">
          {lease.resultHash ? <span className="mono break">{lease.resultHash}</span> : "none yet"}
        </Row>
        <Row label="Verification" testId="lease-verification">
          {lease.verification}
          {lease.verificationOutcome ? <Badge value={lease.verificationOutcome} /> : null}
        </Row>
        <Row label="Spec hash">
          {/^0x0*$/.test(lease.specHash) ? "none" : <span className="mono break">{lease.specHash}</span>}
        </Row>
      </dl>
    </section>
  );
}

export function LeasePage() {
  const { id = "" } = useParams();
  const query = useLease(id);
  return (
    <>
      <title>{`Lease #${id} · Plasma`}</title>
      <QueryView query={query} loadingLabel="Loading lease…">
        {(lease) => (
          <>
            <div className="page-head">
              <div>
                <p className="eyebrow">Lease</p>
                <h1>
                  #{lease.id} <Badge value={lease.state} testId="lease-state" />
                </h1>
              </div>
              <Link className="button" to="/leases">
                All leases
              </Link>
            </div>
            <dl className="kv kv-inline card">
              <Row label="Provider">
                <ProviderLink address={lease.provider} />
              </Row>
              <Row label="Offer">
                <Link to={`/providers/${lease.provider}#offer-${lease.offerId}`}>#{lease.offerId}</Link>
              </Row>
              <Row label="Client">
                <AddressText address={lease.client} />
              </Row>
              <Row label="Opened">{formatTime(lease.openedAt)}</Row>
              <Row label="Started">{formatTime(lease.startedAt)}</Row>
              <Row label="Ended">{formatTime(lease.endedAt)}</Row>
            </dl>
            <div className="lease-layout">
              <section className="card" aria-labelledby="lease-timeline-title">
                <h2 id="lease-timeline-title">Timeline</h2>
                <LeaseTimeline lease={lease} />
              </section>
              <div className="stack">
                <Cost lease={lease} />
                <Outcome lease={lease} />
                <OutputManifest lease={lease} />
              </div>
            </div>
          </>
        )}
      </QueryView>
    </>
  );
}
