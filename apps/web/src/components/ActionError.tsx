// The failure of a chain action, as the SDK explains it: what went wrong, then what to do about it.

import { describeError } from "../wallet/errors.ts";

export function ActionError({ error }: { error: unknown }) {
  if (!error) return null;
  const { message, hints } = describeError(error);
  return (
    <div className="action-error" data-testid="action-error" role="alert">
      <strong>{message}</strong>
      {hints.map((hint) => (
        <p key={hint}>{hint}</p>
      ))}
    </div>
  );
}
