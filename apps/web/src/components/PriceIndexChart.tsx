// The price index of a GPU model: the cheapest and the median active offer, in XPL per GPU-hour.

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { usePriceIndex } from "../api/queries.ts";
import { formatAxisTime, formatDecimal, formatTime } from "../format.ts";
import { isLongRange, type Range } from "../market/range.ts";
import { CHART_COLORS } from "./chartColors.ts";
import { QueryView } from "./States.tsx";

type Point = { t: number; min: number | null; median: number | null; offers: number };

export function PriceIndexChart({ gpuModel, range }: { gpuModel: string | undefined | null; range: Range }) {
  const query = usePriceIndex(gpuModel, range);
  const long = isLongRange(range);
  return (
    <section className="card chart" data-testid="chart-price-index" aria-label="Price index">
      <h3>
        Price index{" "}
        <span className="muted">· {gpuModel === null ? "…" : (gpuModel ?? "all models")} · XPL per GPU-hour</span>
      </h3>
      <QueryView
        query={query}
        isEmpty={(data) => data.points.every((p) => p.minXpl === null)}
        empty={gpuModel ? `No ${gpuModel} offers in this range.` : "No offers in this range."}
      >
        {(data) => {
          // Before the first offer the index is empty: start the chart where the data starts.
          const first = data.points.findIndex((p) => p.minXpl !== null);
          const points: Point[] = data.points.slice(Math.max(first, 0)).map((p) => ({
            t: p.t,
            offers: p.offers,
            min: p.minXpl === null ? null : Number(p.minXpl),
            median: p.medianXpl === null ? null : Number(p.medianXpl),
          }));
          return (
            <ResponsiveContainer width="100%" height={240}>
              <LineChart data={points} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke={CHART_COLORS.grid} />
                <XAxis
                  dataKey="t"
                  type="number"
                  domain={["dataMin", "dataMax"]}
                  tickFormatter={(t: number) => formatAxisTime(t, long)}
                  tick={{ fontSize: 12 }}
                  minTickGap={24}
                />
                <YAxis tick={{ fontSize: 12 }} width={56} domain={[0, "auto"]} />
                <Tooltip
                  labelFormatter={(t) => formatTime(Number(t))}
                  formatter={(value) => `${formatDecimal(String(value))} XPL`}
                />
                <Legend />
                <Line
                  type="stepAfter"
                  dataKey="min"
                  name="Cheapest"
                  stroke={CHART_COLORS.primary}
                  dot={false}
                  connectNulls
                  isAnimationActive={false}
                />
                <Line
                  type="stepAfter"
                  dataKey="median"
                  name="Median"
                  stroke={CHART_COLORS.secondary}
                  dot={false}
                  connectNulls
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          );
        }}
      </QueryView>
    </section>
  );
}
