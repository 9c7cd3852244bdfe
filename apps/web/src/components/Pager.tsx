// Previous/next paging with "Showing a–b of N".

import { formatCount } from "../format.ts";

type PagerProps = { total: number; offset: number; limit: number; onChange: (offset: number) => void };

export function Pager({ total, offset, limit, onChange }: PagerProps) {
  if (total === 0) return null;
  const first = Math.min(offset + 1, total);
  const last = Math.min(offset + limit, total);
  return (
    <nav className="pager" aria-label="Pages">
      <span data-testid="pager-range">
        Showing {formatCount(first)}–{formatCount(last)} of {formatCount(total)}
      </span>
      {total <= limit && offset === 0 ? null : (
        <span className="pager-buttons">
          <button
            type="button"
            className="button"
            data-testid="pager-prev"
            disabled={offset === 0}
            onClick={() => onChange(Math.max(0, offset - limit))}
          >
            ← Previous
          </button>
          <button
            type="button"
            className="button"
            data-testid="pager-next"
            disabled={offset + limit >= total}
            onClick={() => onChange(offset + limit)}
          >
            Next →
          </button>
        </span>
      )}
    </nav>
  );
}
