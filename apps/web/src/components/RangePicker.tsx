// 1 h / 24 h / 7 d / all for the market charts.

import { RANGE_LABELS, RANGES, type Range } from "../market/range.ts";

export function RangePicker({ value, onChange }: { value: Range; onChange: (range: Range) => void }) {
  return (
    <fieldset className="segmented" data-testid="range-picker">
      <legend className="visually-hidden">Time range</legend>
      {RANGES.map((range) => (
        <button
          key={range}
          type="button"
          className={range === value ? "segment segment-on" : "segment"}
          aria-pressed={range === value}
          data-testid={`range-${range}`}
          onClick={() => onChange(range)}
        >
          {RANGE_LABELS[range]}
        </button>
      ))}
    </fieldset>
  );
}
