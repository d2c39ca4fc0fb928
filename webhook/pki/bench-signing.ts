import { performance } from 'node:perf_hooks';
import type { KeyType } from '../config/types.js';
import { createRootCa } from './create-ca.js';
import { issueSvid } from './issue-svid.js';
import { generateKeyPairFor } from './key-types.js';
import { loadCa } from './mesh-ca.js';
import { decidePodCertificateRequest } from './pcr-decision.js';
import type { PodCertificateRequestLike } from './pcr-types.js';
import { buildStubPkcs10 } from './pkcs10-build.js';

export interface BenchSigningOptions {
  /** 'issue': issueSvid only. 'pcr': the signer's whole path (decode + verify stub CSR + issue). */
  readonly mode?: 'issue' | 'pcr';
  /** CA key type, default ECDSAP256 (subject keys are always ECDSAP256, the kubelet's usual choice). */
  readonly caKeyType?: KeyType;
}

export interface BenchSigningResult {
  readonly perSecond: number;
  readonly n: number;
  readonly elapsedMs: number;
  readonly mode: 'issue' | 'pcr';
}

const POOL = 8;
const WARMUP = 20;

/** Micro benchmark: SVIDs signed per second on this machine. No assertions; the bench harness reports it. */
export async function benchSigning(n: number, opts: BenchSigningOptions = {}): Promise<BenchSigningResult> {
  const mode = opts.mode ?? 'issue';
  const now = new Date();
  const ca = loadCa(createRootCa({ keyType: opts.caKeyType ?? 'ECDSAP256', trustDomain: 'cluster.local', now }));
  const keys = Array.from({ length: POOL }, () => generateKeyPairFor('ECDSAP256'));
  const pcrs: PodCertificateRequestLike[] = keys.map((k, i) => ({
    metadata: { namespace: 'bench' },
    spec: {
      signerName: 'meshward.io/workload-identity',
      podName: `pod-${i}`,
      podUID: `uid-${i}`,
      serviceAccountName: 'default',
      nodeName: 'node-1',
      maxExpirationSeconds: 86_400,
      stubPKCS10Request: buildStubPkcs10(k.privateKey).toString('base64'),
    },
  }));
  const one = (i: number): void => {
    if (mode === 'pcr') {
      const d = decidePodCertificateRequest(pcrs[i % POOL] as PodCertificateRequestLike, {
        ca,
        trustDomain: 'cluster.local',
        allowedKeyTypes: ['ECDSAP256'],
        now,
      });
      if (d.type !== 'Issued') throw new Error(`bench: unexpected ${d.type}`);
      return;
    }
    const key = keys[i % POOL]?.publicKey as NonNullable<(typeof keys)[number]>['publicKey'];
    issueSvid({ ca, subjectPublicKey: key, trustDomain: 'cluster.local', namespace: 'bench', serviceAccount: 'default', now });
  };
  for (let i = 0; i < WARMUP; i++) one(i);
  const start = performance.now();
  for (let i = 0; i < n; i++) one(i);
  const elapsedMs = performance.now() - start;
  return { perSecond: Math.round((n / elapsedMs) * 1000), n, elapsedMs, mode };
}
