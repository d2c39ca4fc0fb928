import { benchSigning, type BenchSigningResult } from '../webhook/pki/bench-signing.js';

export interface CertsSection {
  readonly measuredAt: string;
  /** issueSvid only (build + sign an X.509-SVID, ECDSA P-256 CA). */
  readonly issue: BenchSigningResult;
  /** The signer's whole path for one PodCertificateRequest: decode, verify the stub CSR, issue. */
  readonly pcr: BenchSigningResult;
}

/** Certificates per second on one core, both modes of webhook/pki/bench-signing.ts. */
export async function runCertsBench(n: number): Promise<CertsSection> {
  const issue = await benchSigning(n, { mode: 'issue' });
  const pcr = await benchSigning(n, { mode: 'pcr' });
  return { measuredAt: new Date().toISOString(), issue, pcr };
}
