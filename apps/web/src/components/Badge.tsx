// Small coloured labels for states (lease state, proposal state, verification outcome).

type Tone = "neutral" | "good" | "bad" | "warn" | "info";

const TONES: Record<string, Tone> = {
  open: "info",
  running: "warn",
  ended: "neutral",
  passed: "good",
  failed: "bad",
  pending: "warn",
  "not-sampled": "neutral",
  disputed: "warn",
  refunded: "bad",
  active: "info",
  succeeded: "good",
  executed: "good",
  queued: "info",
  defeated: "bad",
  canceled: "neutral",
  inactive: "neutral",
};

export function Badge({ value, testId, tone }: { value: string; testId?: string; tone?: Tone }) {
  return (
    <span className={`badge badge-${tone ?? TONES[value] ?? "neutral"}`} data-testid={testId}>
      {value}
    </span>
  );
}
