import { generateKeyPairSync } from 'node:crypto';
import type { ControlPlane } from '../scripts/control-plane/control-plane.js';
import { buildStubPkcs10 } from '../webhook/pki/pkcs10-build.js';
import { percentile } from './stats.js';

/** PodCertificateRequest time-to-Issued through the real API server (create → status Issued). */
export interface PcrMeasurement {
  readonly n: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs?: number;
  /** How it was measured (signer setup, concurrency), shown under the table. */
  readonly method?: string;
}

const SIGNER = 'meshward.io/workload-identity';
const NAMESPACE = 'bench-certs';
const NODE = 'bench-node';
const POLL_MS = 2;

/**
 * Called by the API-server section while the control plane and `meshward serve` (whose leader
 * signs) are up: a Node, a Pod bound to it, and PodCertificateRequests created with the node's
 * credentials as the kubelet does, one after another; time from POST to the Issued status seen by
 * a GET loop (2 ms apart, so figures carry up to 2 ms of polling).
 */
export async function measurePcrTimeToIssued(context: {
  controlPlane: ControlPlane;
  kubeconfig: string;
  quick: boolean;
}): Promise<PcrMeasurement | undefined> {
  const cp = context.controlPlane;
  await cp.ensureNamespace('meshward-system');
  await cp.ensureNamespace(NAMESPACE);
  const json = async (method: string, path: string, body?: object): Promise<Record<string, any>> => {
    const res = await cp.request(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body}`);
    return res.json();
  };
  const node = await json('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } });
  const pod = await json('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app' },
    spec: {
      nodeName: NODE,
      containers: [{ name: 'app', image: 'app:1' }],
      volumes: [
        {
          name: 'creds',
          projected: { sources: [{ podCertificate: { signerName: SIGNER, keyType: 'ECDSAP256', credentialBundlePath: 'c.pem' } }] },
        },
      ],
    },
  });
  const sa = await json('GET', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/default`);
  const asNode = cp.mintClientCert(`system:node:${NODE}`, ['system:nodes']);
  const issueOne = async (name: string, timeoutMs: number): Promise<number> => {
    const stub = buildStubPkcs10(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
    const started = performance.now();
    const res = await cp.request(
      'POST',
      `/apis/certificates.k8s.io/v1/namespaces/${NAMESPACE}/podcertificaterequests`,
      {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'PodCertificateRequest',
        metadata: { name },
        spec: {
          signerName: SIGNER,
          podName: 'app',
          podUID: pod.metadata.uid,
          serviceAccountName: 'default',
          serviceAccountUID: sa.metadata.uid,
          nodeName: NODE,
          nodeUID: node.metadata.uid,
          maxExpirationSeconds: 86_400,
          stubPKCS10Request: stub.toString('base64'),
        },
      },
      { credentials: asNode },
    );
    if (res.status !== 201) throw new Error(`PodCertificateRequest ${name}: HTTP ${res.status} ${res.body}`);
    for (;;) {
      const pcr = await json('GET', `/apis/certificates.k8s.io/v1/namespaces/${NAMESPACE}/podcertificaterequests/${name}`);
      const condition = pcr.status?.conditions?.[0]?.type as string | undefined;
      if (condition === 'Issued') return performance.now() - started;
      if (condition) throw new Error(`PodCertificateRequest ${name} ended ${condition}: ${pcr.status.conditions[0].message}`);
      if (performance.now() - started > timeoutMs) throw new Error(`PodCertificateRequest ${name} not Issued within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  try {
    await issueOne('warm-up', 60_000); // the leader may still be creating the CA
    const n = context.quick ? 5 : 30;
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(await issueOne(`pcr-${i}`, 15_000));
    times.sort((a, b) => a - b);
    return {
      n,
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      maxMs: times[times.length - 1]!,
      method: `${n} sequential requests created with a node's credentials; meshward serve (leader) signs; POST → Issued seen by a GET loop every ${POLL_MS} ms`,
    };
  } finally {
    await cp.kubectl(['delete', '--ignore-not-found', '--wait=false', 'namespace', NAMESPACE], { check: false });
    await cp.kubectl(['delete', '--ignore-not-found', 'node', NODE], { check: false });
  }
}
