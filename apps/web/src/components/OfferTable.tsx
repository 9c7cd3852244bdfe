// Offers as a table (cards on a phone), each with a Rent button that opens the rent dialog.

import type { Offer } from "@plasma/indexer/api-types";
import { useState } from "react";
import { formatDecimal, formatScore } from "../format.ts";
import { ProviderLink } from "./AddressLink.tsx";
import { Badge } from "./Badge.tsx";
import { RentDialog } from "./RentDialog.tsx";

type OfferTableProps = {
  offers: Offer[];
  showProvider?: boolean;
  /** An offer to point out (a link to `/providers/0x…#offer-7`). */
  highlightId?: number | undefined;
};

export function OfferTable({ offers, showProvider = true, highlightId }: OfferTableProps) {
  const [renting, setRenting] = useState<Offer | null>(null);
  return (
    <>
      <table className="table responsive">
        <thead>
          <tr>
            {showProvider ? <th scope="col">Provider</th> : <th scope="col">Offer</th>}
            <th scope="col">GPU</th>
            <th scope="col" className="num">
              VRAM
            </th>
            <th scope="col" className="num">
              Free / total
            </th>
            <th scope="col" className="num">
              XPL / GPU-hour
            </th>
            <th scope="col">Region</th>
            <th scope="col" className="num">
              Reputation
            </th>
            <th scope="col">
              <span className="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {offers.map((offer) => (
            <tr
              key={offer.id}
              id={`offer-${offer.id}`}
              className={offer.id === highlightId ? "highlight" : undefined}
              data-testid="offer-row"
              data-offer-id={offer.id}
            >
              {showProvider ? (
                <td data-label="Provider">
                  <ProviderLink address={offer.provider} />
                </td>
              ) : (
                <td data-label="Offer">#{offer.id}</td>
              )}
              <td data-label="GPU">
                <strong>{offer.gpuModel}</strong>
                {offer.active ? null : <Badge value="inactive" />}
                {offer.hardwareCheckFailed ? <Badge value="hardware check failed" tone="bad" /> : null}
              </td>
              <td data-label="VRAM" className="num">
                {offer.vramGb} GB
              </td>
              <td data-label="Free / total" className="num">
                {offer.freeGpus} / {offer.gpuCount}
              </td>
              <td data-label="XPL / GPU-hour" className="num">
                <strong>{formatDecimal(offer.pricePerGpuHourXpl)}</strong>
              </td>
              <td data-label="Region">{offer.region}</td>
              <td data-label="Reputation" className="num">
                {formatScore(offer.reputation)}
              </td>
              <td className="actions">
                <button
                  type="button"
                  className="button button-primary"
                  data-testid="rent-button"
                  disabled={!offer.active || offer.freeGpus < 1}
                  title={offer.freeGpus < 1 ? "No free GPUs" : undefined}
                  onClick={() => setRenting(offer)}
                >
                  Rent
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {renting ? <RentDialog offer={renting} onClose={() => setRenting(null)} /> : null}
    </>
  );
}
