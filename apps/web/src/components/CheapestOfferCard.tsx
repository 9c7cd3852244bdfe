// The headline of the market: the cheapest offer of a GPU model with a GPU free right now, rentable in
// one click; says so plainly when there is none.

import type { Offer } from "@plasma/indexer/api-types";
import { useState } from "react";
import { useCheapestOffer } from "../api/queries.ts";
import { formatDecimal, formatScore } from "../format.ts";
import { ProviderLink } from "./AddressLink.tsx";
import { RentDialog } from "./RentDialog.tsx";
import { QueryView } from "./States.tsx";

export function CheapestOfferCard({ gpuModel, testId }: { gpuModel: string; testId: string }) {
  const query = useCheapestOffer(gpuModel);
  const [renting, setRenting] = useState<Offer | null>(null);
  return (
    <section className="card cheapest" data-testid={testId} aria-label={`Cheapest ${gpuModel} now`}>
      <h2 className="eyebrow">Cheapest {gpuModel} now</h2>
      <QueryView
        query={query}
        isEmpty={(page) => page.offers.length === 0}
        empty={`No ${gpuModel} offer has a free GPU right now.`}
      >
        {(page) => {
          const offer = page.offers[0];
          if (!offer) return null;
          return (
            <div className="cheapest-body">
              <div>
                <div className="cheapest-price" data-testid={`${testId}-price`}>
                  {formatDecimal(offer.pricePerGpuHourXpl)} <span className="unit">XPL / GPU-hour</span>
                </div>
                <p className="muted">
                  <ProviderLink address={offer.provider} /> · {offer.vramGb} GB · {offer.freeGpus} of {offer.gpuCount}{" "}
                  free · {offer.region} · reputation {formatScore(offer.reputation)}
                </p>
              </div>
              <button
                type="button"
                className="button button-primary button-large"
                data-testid={`${testId}-rent`}
                onClick={() => setRenting(offer)}
              >
                Rent {gpuModel}
              </button>
            </div>
          );
        }}
      </QueryView>
      {renting ? <RentDialog offer={renting} onClose={() => setRenting(null)} /> : null}
    </section>
  );
}
