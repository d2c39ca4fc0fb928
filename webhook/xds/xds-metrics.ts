// The control plane's Prometheus metrics: connected proxies, what was sent, accepted and refused.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SessionEvent } from './ads-session.js';

export interface XdsMetrics {
  readonly proxies: Gauge;
  readonly denied: Counter<'reason'>;
  readonly buildErrors: Counter;
  readonly rebuildSeconds: Histogram;
  record(event: SessionEvent): void;
}

export function xdsMetrics(registry: Registry): XdsMetrics {
  const proxies = new Gauge({ name: 'meshward_xds_proxies', help: 'Proxies connected to this replica', registers: [registry] });
  const denied = new Counter({
    name: 'meshward_xds_denied_total',
    help: 'Streams refused, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const buildErrors = new Counter({
    name: 'meshward_xds_build_errors_total',
    help: 'Proxy configurations that could not be built',
    registers: [registry],
  });
  const rebuildSeconds = new Histogram({
    name: 'meshward_xds_rebuild_seconds',
    help: 'Time to rebuild the snapshot and compute every push',
    buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2],
    registers: [registry],
  });
  const sent = new Counter({
    name: 'meshward_xds_responses_total',
    help: 'Responses sent, by type',
    labelNames: ['type'],
    registers: [registry],
  });
  const sentBytes = new Counter({
    name: 'meshward_xds_response_bytes_total',
    help: 'Resource bytes sent, by type',
    labelNames: ['type'],
    registers: [registry],
  });
  const nacks = new Counter({
    name: 'meshward_xds_nacks_total',
    help: 'Responses a proxy refused (NACK), by type',
    labelNames: ['type'],
    registers: [registry],
  });
  const ackSeconds = new Histogram({
    name: 'meshward_xds_ack_seconds',
    help: 'From sending a response to its ACK',
    labelNames: ['type'],
    buckets: [0.005, 0.02, 0.1, 0.5, 2, 10],
    registers: [registry],
  });
  return {
    proxies,
    denied,
    buildErrors,
    rebuildSeconds,
    record(e) {
      if (e.kind === 'sent') (sent.inc({ type: e.type }), sentBytes.inc({ type: e.type }, e.bytes));
      else if (e.kind === 'nack') nacks.inc({ type: e.type });
      else ackSeconds.observe({ type: e.type }, e.latencyMs / 1000);
    },
  };
}
