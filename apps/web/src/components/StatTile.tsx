// A labelled figure: the stats grid on the network and provider pages.

import type { ReactNode } from "react";

type StatTileProps = { label: string; value: ReactNode; hint?: ReactNode; testId?: string };

export function StatTile({ label, value, hint, testId }: StatTileProps) {
  return (
    <div className="tile" data-testid={testId}>
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value}</div>
      {hint ? <div className="tile-hint">{hint}</div> : null}
    </div>
  );
}
