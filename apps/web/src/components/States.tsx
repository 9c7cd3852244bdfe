// Loading, empty and error states, the same on every data view. The error shows the API's message and a
// Retry button; a view that already has data keeps showing it while a background refresh fails.

import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { describeError } from "../wallet/errors.ts";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state state-loading" data-testid="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty">
      {children}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { message } = describeError(error);
  return (
    <div className="state state-error" data-testid="error" role="alert">
      <p>{message}</p>
      <button type="button" className="button" data-testid="retry" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}

type QueryViewProps<T> = {
  query: UseQueryResult<T>;
  children: (data: T) => ReactNode;
  /** When this says the data holds nothing, `empty` shows instead of `children`. */
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  loadingLabel?: string;
};

/** Renders a query's data, or its loading, empty or error state. */
export function QueryView<T>({ query, children, isEmpty, empty, loadingLabel }: QueryViewProps<T>) {
  if (query.data !== undefined) {
    if (isEmpty?.(query.data)) return <Empty>{empty ?? "Nothing here yet."}</Empty>;
    return <>{children(query.data)}</>;
  }
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return <Loading {...(loadingLabel ? { label: loadingLabel } : {})} />;
}
