// The market's filter form. Every control writes to the URL through `onChange`; text fields commit after
// a short pause (see DraftInput).

import type { GpuModelSummary } from "@plasma/indexer/api-types";
import { useId } from "react";
import { hasActiveFilters, type OfferFilters } from "../market/filters.ts";
import { DraftInput } from "./DraftInput.tsx";

type OfferFilterFormProps = {
  filters: OfferFilters;
  gpuModels: GpuModelSummary[];
  onChange: (changes: Partial<OfferFilters>) => void;
  onClear: () => void;
};

export function OfferFilterForm({ filters, gpuModels, onChange, onClear }: OfferFilterFormProps) {
  const id = useId();
  const models = gpuModels.map((m) => m.gpuModel);
  // A model from a shared link may have left the market; keep it selectable so the select shows the truth.
  if (filters.gpuModel && !models.includes(filters.gpuModel)) models.push(filters.gpuModel);
  return (
    <form className="filters" aria-label="Filter offers" onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor={`${id}-model`}>GPU model</label>
        <select
          id={`${id}-model`}
          data-testid="filter-gpu-model"
          value={filters.gpuModel}
          onChange={(e) => onChange({ gpuModel: e.target.value })}
        >
          <option value="">All models</option>
          {models.map((model) => (
            <option key={model} value={model}>
              {model}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-vram`}>Min VRAM (GB)</label>
        <DraftInput
          id={`${id}-vram`}
          data-testid="filter-min-vram"
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          placeholder="any"
          value={filters.minVramGb}
          onCommit={(minVramGb) => onChange({ minVramGb })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-price`}>Max XPL / GPU-hour</label>
        <DraftInput
          id={`${id}-price`}
          data-testid="filter-max-price"
          type="number"
          inputMode="decimal"
          min={0}
          step="any"
          placeholder="any"
          value={filters.maxPricePerGpuHour}
          onCommit={(maxPricePerGpuHour) => onChange({ maxPricePerGpuHour })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-region`}>Region</label>
        <DraftInput
          id={`${id}-region`}
          data-testid="filter-region"
          type="text"
          placeholder="e.g. eu"
          autoComplete="off"
          value={filters.region}
          onCommit={(region) => onChange({ region })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-rep`}>Min reputation (0–1)</label>
        <DraftInput
          id={`${id}-rep`}
          data-testid="filter-min-reputation"
          type="number"
          inputMode="decimal"
          min={0}
          max={1}
          step={0.05}
          placeholder="any"
          value={filters.minReputation}
          onCommit={(minReputation) => onChange({ minReputation })}
        />
      </div>
      <div className="field field-check">
        <input
          id={`${id}-free`}
          data-testid="filter-only-free"
          type="checkbox"
          checked={filters.onlyFree}
          onChange={(e) => onChange({ onlyFree: e.target.checked })}
        />
        <label htmlFor={`${id}-free`}>Only offers with free GPUs</label>
      </div>
      {hasActiveFilters(filters) ? (
        <button type="button" className="button button-quiet" data-testid="filter-clear" onClick={onClear}>
          Clear filters
        </button>
      ) : null}
    </form>
  );
}
