// Addresses: shortened on screen, full in the tooltip; providers link to their page.

import { Link } from "react-router";
import { shortAddress } from "../format.ts";

export function ProviderLink({ address }: { address: string }) {
  return (
    <Link className="mono" to={`/providers/${address}`} title={address}>
      {shortAddress(address)}
    </Link>
  );
}

export function AddressText({ address }: { address: string }) {
  return (
    <span className="mono" title={address}>
      {shortAddress(address)}
    </span>
  );
}
