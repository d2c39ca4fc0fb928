import { Counter, Gauge, type Registry } from 'prom-client';

/** The signer's Prometheus metrics, registered on the registry the server already exposes. */
export interface SignerMetrics {
  readonly decisions: Counter<'decision' | 'reason'>;
  readonly writeErrors: Counter<'status'>;
  readonly leader: Gauge;
}

export function createSignerMetrics(registry: Registry): SignerMetrics {
  return {
    decisions: new Counter({
      name: 'meshward_pcr_decisions_total',
      help: 'PodCertificateRequests decided and written to /status, by decision (Issued/Denied/Failed) and reason code',
      labelNames: ['decision', 'reason'],
      registers: [registry],
    }),
    writeErrors: new Counter({
      name: 'meshward_pcr_status_write_errors_total',
      help: 'Failed PodCertificateRequest /status writes, by HTTP status (0 = no response)',
      labelNames: ['status'],
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'meshward_signer_leader',
      help: '1 while this replica holds the signer lease and signs, else 0',
      registers: [registry],
    }),
  };
}
