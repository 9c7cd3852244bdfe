// One chip per GPU model on the market; a click filters the offers to it (and again clears it).

import { useGpuModels } from "../api/queries.ts";
import { formatDecimal } from "../format.ts";
import { QueryView } from "./States.tsx";

export function GpuModelChips({ selected, onSelect }: { selected: string; onSelect: (gpuModel: string) => void }) {
  const query = useGpuModels();
  return (
    <section className="chips-section" data-testid="gpu-models" aria-label="GPU models">
      <QueryView
        query={query}
        isEmpty={(data) => data.gpuModels.length === 0}
        empty="No GPUs are on offer yet."
        loadingLabel="Loading GPU models…"
      >
        {(data) => (
          <ul className="chips">
            {data.gpuModels.map((m) => (
              <li key={m.gpuModel}>
                <button
                  type="button"
                  className={m.gpuModel === selected ? "chip chip-on" : "chip"}
                  aria-pressed={m.gpuModel === selected}
                  data-testid="gpu-model-chip"
                  data-gpu-model={m.gpuModel}
                  onClick={() => onSelect(m.gpuModel === selected ? "" : m.gpuModel)}
                >
                  <strong>{m.gpuModel}</strong>
                  <span>
                    {m.freeGpus}/{m.gpus} free · {m.offers} offer{m.offers === 1 ? "" : "s"}
                  </span>
                  <span>from {formatDecimal(m.minPricePerGpuHourXpl)} XPL/h</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </section>
  );
}
