// A lease's life as a vertical timeline: every chain event the indexer saw, in order, then the steps
// still to come (greyed) until it has ended and paid out.

import type { LeaseDetail, LeaseEvent } from "@plasma/indexer/api-types";
import { formatRelative, formatTime, shortHash } from "../format.ts";
import { eventArgs } from "./eventArgs.ts";

/** The steps of a lease, in order; an event counts as the step its name points to. */
const STEPS = ["opened", "started", "ended", "sampled", "verified", "settled"] as const;
type Step = (typeof STEPS)[number];

const STEP_LABELS: Record<Step, string> = {
  opened: "Opened",
  started: "Started",
  ended: "Ended",
  sampled: "Sampled for verification",
  verified: "Verified",
  settled: "Settled",
};

/** Event names differ in style ("LeaseOpened", "opened", "VerificationSampled"); match by their stem. */
export function stepOf(eventName: string): Step | null {
  const n = eventName.toLowerCase();
  if (n.includes("settl")) return "settled";
  if (n.includes("sampl") || n.includes("draw") || n.includes("assign")) return "sampled";
  if (n.includes("attest") || n.includes("verdict") || n.includes("verif") || n.includes("timeout")) return "verified";
  if (n.includes("open")) return "opened";
  if (n.includes("start")) return "started";
  if (/(complet|end|fail|cancel|stop|expir|no-?show)/.test(n)) return "ended";
  return null;
}

/** "LeaseOpened" → "Lease opened"; "computeMarket.LeaseEnded" → "Lease ended". */
function eventLabel(name: string, args: Record<string, string>): string {
  // A completed verified lease is drawn for re-execution or not; both emit LeaseSampled.
  if (name.endsWith("LeaseSampled") && args.sampled === "false") return "Not sampled for verification";
  const words = (name.split(".").pop() ?? name)
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The steps still ahead, given what happened: no sampling steps when the lease is not verified. */
function upcomingSteps(lease: LeaseDetail, reached: Set<Step>): Step[] {
  // An ended lease that paid out has nothing left but its verification (shown by its events).
  if (lease.state === "ended" && lease.settlement !== null) return [];
  const last = Math.max(-1, ...[...reached].map((s) => STEPS.indexOf(s)));
  const verifies = lease.verification !== "none" && lease.verificationOutcome !== "not-sampled";
  return STEPS.filter((step, index) => {
    if (index <= last || reached.has(step)) return false;
    if ((step === "sampled" || step === "verified") && !verifies) return false;
    // A lease that ended without starting (cancelled, no-show) will never start.
    if (step === "started" && reached.has("ended")) return false;
    return true;
  });
}

function EventItem({ event }: { event: LeaseEvent }) {
  const args = eventArgs(event.args);
  return (
    <li className="timeline-item timeline-done" data-testid="timeline-item" data-event={event.name}>
      <span className="timeline-dot" aria-hidden="true" />
      <div className="timeline-content">
        <div className="timeline-title">
          <strong>{eventLabel(event.name, event.args)}</strong>
          <time dateTime={new Date(event.t * 1000).toISOString()} title={formatTime(event.t)}>
            {formatTime(event.t)} · {formatRelative(event.t)}
          </time>
        </div>
        {args.length > 0 ? (
          <dl className="timeline-args">
            {args.map((arg) => (
              <div key={arg.key}>
                <dt>{arg.label}</dt>
                <dd className="mono" title={arg.title}>
                  {arg.value}
                </dd>
              </div>
            ))}
          </dl>
        ) : null}
        <div className="muted small mono" title={event.txHash}>
          block {event.block} · tx {shortHash(event.txHash)}
        </div>
      </div>
    </li>
  );
}

export function LeaseTimeline({ lease }: { lease: LeaseDetail }) {
  const reached = new Set(lease.timeline.map((e) => stepOf(e.name)).filter((s): s is Step => s !== null));
  const upcoming = upcomingSteps(lease, reached);
  return (
    <ol className="timeline" data-testid="lease-timeline">
      {lease.timeline.map((event) => (
        <EventItem key={`${event.txHash}-${event.name}-${event.block}`} event={event} />
      ))}
      {upcoming.map((step) => (
        <li key={step} className="timeline-item timeline-upcoming" data-testid="timeline-upcoming" data-step={step}>
          <span className="timeline-dot" aria-hidden="true" />
          <div className="timeline-content">
            <div className="timeline-title">
              <span>{STEP_LABELS[step]}</span>
              <span className="muted small">not yet</span>
            </div>
          </div>
        </li>
      ))}
    </ol>
  );
}
