import type { ControlPlane } from '../scripts/control-plane/control-plane.js';

/** PodCertificateRequest time-to-Issued through the real API server (create → status Issued). */
export interface PcrMeasurement {
  readonly n: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs?: number;
  /** How it was measured (signer setup, concurrency), shown under the table. */
  readonly method?: string;
}

/**
 * HOOK (to be implemented with meshward's PodCertificateRequest signer): called by the API-server
 * section while the control plane and a meshward process are up. Return a measurement and it
 * appears in bench/results.json (`apiServer.pcrTimeToIssued`) and as a row of bench/RESULTS.md;
 * return undefined (as now) and the row reads "not measured yet".
 */
export async function measurePcrTimeToIssued(_context: { controlPlane: ControlPlane; kubeconfig: string; quick: boolean }): Promise<PcrMeasurement | undefined> {
  return undefined;
}
