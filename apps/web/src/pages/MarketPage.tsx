// The market: the cheapest H100, the GPU models on offer, price and supply charts, and the offers with
// filters, sort and paging. Filters, sort, page and chart range live in the URL.

import type { OfferSort } from "@plasma/indexer/api-types";
import { OFFER_SORTS } from "@plasma/indexer/api-types";
import { useId } from "react";
import { useSearchParams } from "react-router";
import { useGpuModels, useOffers } from "../api/queries.ts";
import { CheapestOfferCard } from "../components/CheapestOfferCard.tsx";
import { GpuModelChips } from "../components/GpuModelChips.tsx";
import { OfferFilterForm } from "../components/OfferFilterForm.tsx";
import { OfferTable } from "../components/OfferTable.tsx";
import { Pager } from "../components/Pager.tsx";
import { PriceIndexChart } from "../components/PriceIndexChart.tsx";
import { RangePicker } from "../components/RangePicker.tsx";
import { QueryView } from "../components/States.tsx";
import { SupplyChart } from "../components/SupplyChart.tsx";
import { formatCount } from "../format.ts";
import {
  hasActiveFilters,
  type OfferFilters,
  offersQuery,
  PAGE_SIZE,
  readFilters,
  SORT_LABELS,
  writeFilters,
} from "../market/filters.ts";
import { DEFAULT_RANGE, isRange, type Range } from "../market/range.ts";

/** The model the headline card follows. */
const HEADLINE_MODEL = "H100";

export function MarketPage() {
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const rangeParam = params.get("range");
  const range: Range = isRange(rangeParam) ? rangeParam : DEFAULT_RANGE;
  const offers = useOffers(offersQuery(filters));
  const gpuModels = useGpuModels();
  const sortId = useId();

  const change = (changes: Partial<OfferFilters>) => setParams((current) => writeFilters(current, changes));
  const clear = () =>
    setParams((current) => {
      const next = new URLSearchParams();
      const keep = current.get("range");
      if (keep) next.set("range", keep);
      return next;
    });
  const setRange = (next: Range) =>
    setParams((current) => {
      const updated = new URLSearchParams(current);
      if (next === DEFAULT_RANGE) updated.delete("range");
      else updated.set("range", next);
      return updated;
    });

  // The charts follow the selected model; with none, the headline model if it is on the market (null
  // until the models are known, so that the charts do not first load every model's series).
  const listed = gpuModels.data?.gpuModels.map((m) => m.gpuModel);
  const chartModel = filters.gpuModel
    ? filters.gpuModel
    : listed === undefined && gpuModels.isPending
      ? null
      : listed?.includes(HEADLINE_MODEL)
        ? HEADLINE_MODEL
        : undefined;

  return (
    <>
      <title>Market · Plasma</title>
      <div className="market-top">
        <CheapestOfferCard gpuModel={HEADLINE_MODEL} testId="cheapest-h100" />
        <GpuModelChips selected={filters.gpuModel} onSelect={(gpuModel) => change({ gpuModel })} />
      </div>

      <section className="section" aria-labelledby="charts-title">
        <div className="section-head">
          <h2 id="charts-title">Prices and supply</h2>
          <RangePicker value={range} onChange={setRange} />
        </div>
        <div className="charts">
          <PriceIndexChart gpuModel={chartModel} range={range} />
          <SupplyChart gpuModel={chartModel} range={range} />
        </div>
      </section>

      <section className="section market-offers" aria-labelledby="offers-title" data-testid="offers-section">
        <div className="section-head">
          <h2 id="offers-title">Offers</h2>
          <span className="muted" data-testid="offer-count" data-count={offers.data?.total}>
            {offers.data ? `${formatCount(offers.data.total)} offer${offers.data.total === 1 ? "" : "s"}` : "…"}
          </span>
        </div>
        <div className="market-layout">
          <aside className="card">
            <OfferFilterForm
              filters={filters}
              gpuModels={gpuModels.data?.gpuModels ?? []}
              onChange={change}
              onClear={clear}
            />
          </aside>
          <div className="market-results">
            <div className="results-toolbar">
              <label htmlFor={sortId}>Sort</label>
              <select
                id={sortId}
                data-testid="sort-select"
                value={filters.sort}
                onChange={(e) => change({ sort: e.target.value as OfferSort })}
              >
                {OFFER_SORTS.map((sort) => (
                  <option key={sort} value={sort}>
                    {SORT_LABELS[sort]}
                  </option>
                ))}
              </select>
              {offers.isFetching && offers.isPlaceholderData ? <span className="muted small">Updating…</span> : null}
            </div>
            <QueryView
              query={offers}
              isEmpty={(page) => page.offers.length === 0}
              empty={
                filters.offset > 0
                  ? "This page is past the last offer: go back a page."
                  : hasActiveFilters(filters)
                    ? "No offer matches these filters. Loosen or clear them."
                    : "No offers on the market yet."
              }
            >
              {(page) => (
                <div className="card card-flush">
                  <OfferTable offers={page.offers} />
                </div>
              )}
            </QueryView>
            {offers.data ? (
              <Pager
                total={offers.data.total}
                offset={filters.offset}
                limit={PAGE_SIZE}
                onChange={(offset) => change({ offset })}
              />
            ) : null}
          </div>
        </div>
      </section>
    </>
  );
}
