import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The validator's Prometheus metrics, on a registry of its own. */
export type ValidatorMetrics = ReturnType<typeof createValidatorMetrics>;

/**
 * prom-client's default process and Node.js metrics, less the three gauges it names
 * `nodejs_active_{handles,requests,resources}_total`: Prometheus keeps `_total` for counters, so
 * `promtool check metrics` rejects them, and `sum(nodejs_active_handles)` etc. give the same numbers.
 */
function collectStandardMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const kind of ["handles", "requests", "resources"])
    registry.removeSingleMetric(`${prefix}nodejs_active_${kind}_total`);
}

export function createValidatorMetrics() {
  const registry = new Registry();
  collectStandardMetrics(registry, "plasma_validator_");
  return {
    registry,
    draws: new Counter({
      name: "plasma_validator_draws_total",
      help: "Sampling draws this validator sent, by outcome",
      labelNames: ["sampled"] as const,
      registers: [registry],
    }),
    verdicts: new Counter({
      name: "plasma_validator_verdicts_total",
      help: "Verdicts attested, by mode and verdict",
      labelNames: ["mode", "verdict"] as const,
      registers: [registry],
    }),
    reexecutionSeconds: new Histogram({
      name: "plasma_validator_reexecution_seconds",
      help: "Wall time of re-executions, fetching inputs included",
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
      registers: [registry],
    }),
    hardwareChecks: new Counter({
      name: "plasma_validator_hardware_checks_total",
      help: "Proof-of-GPU checks this validator was drawn for and reported, by verdict",
      labelNames: ["passed"] as const,
      registers: [registry],
    }),
    timeouts: new Counter({
      name: "plasma_validator_timeouts_sent_total",
      help: "Missed windows this validator ended (anyone may)",
      registers: [registry],
    }),
    errors: new Counter({
      name: "plasma_validator_errors_total",
      help: "Steps that failed and will be retried",
      labelNames: ["step"] as const,
      registers: [registry],
    }),
  };
}
