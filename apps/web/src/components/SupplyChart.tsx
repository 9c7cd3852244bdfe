// Supply of a GPU model: GPUs offered and leased (left axis) and utilisation in percent (right axis).

import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useSupply } from "../api/queries.ts";
import { formatAxisTime, formatTime } from "../format.ts";
import { isLongRange, type Range } from "../market/range.ts";
import { CHART_COLORS } from "./chartColors.ts";
import { QueryView } from "./States.tsx";

type Point = { t: number; gpus: number; gpusInUse: number; utilisation: number };

export function SupplyChart({ gpuModel, range }: { gpuModel: string | undefined | null; range: Range }) {
  const query = useSupply(gpuModel, range);
  const long = isLongRange(range);
  return (
    <section className="card chart" data-testid="chart-supply" aria-label="Supply and utilisation">
      <h3>
        Supply{" "}
        <span className="muted">
          · {gpuModel === null ? "…" : (gpuModel ?? "all models")} · GPUs offered, leased, utilisation
        </span>
      </h3>
      <QueryView
        query={query}
        isEmpty={(data) => data.points.every((p) => p.gpus === 0)}
        empty={gpuModel ? `No ${gpuModel} GPUs offered in this range.` : "No GPUs offered in this range."}
      >
        {(data) => {
          const first = data.points.findIndex((p) => p.gpus > 0);
          const points: Point[] = data.points.slice(Math.max(first, 0)).map((p) => ({
            t: p.t,
            gpus: p.gpus,
            gpusInUse: p.gpusInUse,
            utilisation: Math.round(p.utilisation * 1000) / 10,
          }));
          return (
            <ResponsiveContainer width="100%" height={240}>
              <ComposedChart data={points} margin={{ top: 8, right: 0, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke={CHART_COLORS.grid} />
                <XAxis
                  dataKey="t"
                  type="number"
                  domain={["dataMin", "dataMax"]}
                  tickFormatter={(t: number) => formatAxisTime(t, long)}
                  tick={{ fontSize: 12 }}
                  minTickGap={24}
                />
                <YAxis yAxisId="gpus" tick={{ fontSize: 12 }} width={40} allowDecimals={false} />
                <YAxis
                  yAxisId="share"
                  orientation="right"
                  domain={[0, 100]}
                  unit="%"
                  tick={{ fontSize: 12 }}
                  width={48}
                />
                <Tooltip labelFormatter={(t) => formatTime(Number(t))} />
                <Legend />
                <Area
                  yAxisId="gpus"
                  type="stepAfter"
                  dataKey="gpus"
                  name="GPUs offered"
                  stroke={CHART_COLORS.primary}
                  fill={CHART_COLORS.primarySoft}
                  isAnimationActive={false}
                />
                <Area
                  yAxisId="gpus"
                  type="stepAfter"
                  dataKey="gpusInUse"
                  name="GPUs leased"
                  stroke={CHART_COLORS.secondary}
                  fill={CHART_COLORS.secondarySoft}
                  isAnimationActive={false}
                />
                <Line
                  yAxisId="share"
                  type="monotone"
                  dataKey="utilisation"
                  name="Utilisation %"
                  stroke={CHART_COLORS.tertiary}
                  dot={false}
                  isAnimationActive={false}
                />
              </ComposedChart>
            </ResponsiveContainer>
          );
        }}
      </QueryView>
    </section>
  );
}
