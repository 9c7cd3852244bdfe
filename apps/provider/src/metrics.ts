import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/** The provider's Prometheus metrics, on a registry of its own. */
export type ProviderMetrics = ReturnType<typeof createMetrics>;

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

export function createMetrics() {
  const registry = new Registry();
  collectStandardMetrics(registry, "plasma_provider_");
  return {
    registry,
    jobsRunning: new Gauge({ name: "plasma_provider_jobs_running", help: "Jobs running now", registers: [registry] }),
    leasesStarted: new Counter({
      name: "plasma_provider_leases_started_total",
      help: "Leases started",
      registers: [registry],
    }),
    leasesEnded: new Counter({
      name: "plasma_provider_leases_ended_total",
      help: "Leases ended on chain by this node",
      registers: [registry],
    }),
    gpuSeconds: new Counter({
      name: "plasma_provider_gpu_seconds_sold_total",
      help: "GPU-seconds of jobs run",
      registers: [registry],
    }),
    xplEarned: new Gauge({
      name: "plasma_provider_xpl_balance",
      help: "XPL balance of the provider account (XPL)",
      registers: [registry],
    }),
    serviceRequests: new Counter({
      name: "plasma_provider_service_requests_total",
      help: "Requests forwarded to service leases' model servers, by HTTP status (or unreachable)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    requestRevenue: new Counter({
      name: "plasma_provider_request_revenue_xpl_total",
      help: "XPL charged for service requests, covered by vouchers (redeemed later in bulk)",
      registers: [registry],
    }),
    errors: new Counter({
      name: "plasma_provider_errors_total",
      help: "Errors by kind",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
  };
}
