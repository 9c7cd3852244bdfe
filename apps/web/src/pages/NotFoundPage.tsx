// Any path the app does not know.

import { Link } from "react-router";

export function NotFoundPage() {
  return (
    <>
      <title>Not found · Plasma</title>
      <div className="state" data-testid="not-found">
        <h1>Page not found</h1>
        <p>
          There is nothing at this address. <Link to="/">Back to the market</Link>.
        </p>
      </div>
    </>
  );
}
