import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics for the admission paths, on a registry of their own (no global state). */
export interface AdmissionMetrics {
  readonly registry: Registry;
  readonly admissions: Counter<'webhook' | 'operation' | 'outcome' | 'reason'>;
  readonly latency: Histogram<'webhook'>;
  readonly inFlight: Gauge<'webhook'>;
  readonly badRequests: Counter<'webhook' | 'error'>;
}

// Sub-millisecond buckets: a typical admission takes well under 1 ms.
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export function createAdmissionMetrics(options: { defaultMetrics?: boolean } = {}): AdmissionMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'meshward_' });
  return {
    registry,
    admissions: new Counter({
      name: 'meshward_admissions_total',
      help: 'Admission reviews answered, by webhook, operation, outcome (allowed/denied/patched) and reason code',
      labelNames: ['webhook', 'operation', 'outcome', 'reason'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'meshward_admission_duration_seconds',
      help: 'Time from request body received to response written',
      labelNames: ['webhook'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'meshward_admissions_in_flight',
      help: 'Admission requests being processed',
      labelNames: ['webhook'],
      registers: [registry],
    }),
    badRequests: new Counter({
      name: 'meshward_bad_requests_total',
      help: 'Requests refused before reaching a handler (4xx), by error',
      labelNames: ['webhook', 'error'],
      registers: [registry],
    }),
  };
}
