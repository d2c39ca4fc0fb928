import { join } from 'node:path';
import { startControlPlane } from '../scripts/control-plane/control-plane.js';
import { repoRoot } from '../scripts/control-plane/ensure-binaries.js';
import { applyCrds, registerMeshwardWebhooks, unregisterMeshwardWebhooks } from '../scripts/control-plane/register-webhooks.js';
import { startMeshwardProcess } from '../scripts/meshward-process.js';
import { readManifestPaths } from '../webhook/kube/manifests.js';
import { apiClient, type ApiClient } from './api-client.js';
import { readAdmissionTotals } from './meshward-metrics.js';
import { measurePcrTimeToIssued, type PcrMeasurement } from './pcr-hook.js';
import { typicalPod } from './pods.js';
import { sampleRss } from './rss.js';
import { round, summarize, type LatencySummary } from './stats.js';

export interface ApiServerOptions {
  /** Sequential dry-run creates per namespace and phase. */
  readonly sequential: number;
  /** Concurrent creates per namespace and phase, and how many at once. */
  readonly concurrent: number;
  readonly concurrency: number;
  readonly quick: boolean;
}

/** plain: no webhook matches (control); shop: /mutate; strict: /mutate then /validate. */
export type NsRole = 'plain' | 'shop' | 'strict';
export type Phase = 'without' | 'with';

export interface CreateRow {
  readonly role: NsRole;
  readonly mode: 'sequential' | 'concurrent';
  readonly without: LatencySummary;
  readonly with: LatencySummary;
  /** with − without, ms. */
  readonly overheadP50Ms: number;
  readonly overheadP99Ms: number;
  /** Pods that came back injected in the `with` phase, of those created. */
  readonly injected: number;
}

export interface ApiServerSection {
  readonly measuredAt: string;
  readonly settings: ApiServerOptions;
  readonly rows: CreateRow[];
  /** The online meshward (informers on the real API server): peak VmRSS during the `with` phase, MB. */
  readonly meshwardPeakRssMb: number;
  /** During the `with` phase: meshward's calls per pod created in an opted-in namespace, and its own mean time per call. */
  readonly meshwardCalls: { readonly mutatePerPod: number; readonly validatePerStrictPod: number; readonly mutateMeanMs: number; readonly validateMeanMs: number; readonly mutateReasonsPerPod: Record<string, number> };
  readonly pcrTimeToIssued?: PcrMeasurement;
}

const NAMESPACES: Record<NsRole, { name: string; labels: Record<string, string> }> = {
  plain: { name: 'bench-plain', labels: {} },
  shop: { name: 'bench-shop', labels: { 'meshward.io/inject': 'enabled' } },
  strict: { name: 'bench-strict', labels: { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' } },
};
const ROLES: readonly NsRole[] = ['plain', 'shop', 'strict'];

type Samples = Record<NsRole, { ms: number[]; injected: number }>;

function emptySamples(): Samples {
  return { plain: { ms: [], injected: 0 }, shop: { ms: [], injected: 0 }, strict: { ms: [], injected: 0 } };
}

async function createOnce(client: ApiClient, role: NsRole, into?: Samples): Promise<void> {
  const ns = NAMESPACES[role].name;
  const res = await client.post(`/api/v1/namespaces/${ns}/pods?dryRun=All`, typicalPod(ns));
  if (res.status !== 201) throw new Error(`dry-run create in ${ns}: HTTP ${res.status}: ${JSON.stringify(res.json).slice(0, 400)}`);
  if (!into) return;
  into[role].ms.push(res.ms);
  if (res.json?.metadata?.labels?.['meshward.io/injected'] === 'true') into[role].injected++;
}

/** Sequential creates, the namespaces interleaved so drift hits all of them alike. */
async function sequential(client: ApiClient, count: number): Promise<Samples> {
  for (let i = 0; i < 10; i++) for (const role of ROLES) await createOnce(client, role);
  const out = emptySamples();
  for (let i = 0; i < count; i++) for (const role of ROLES) await createOnce(client, role, out);
  return out;
}

async function concurrent(client: ApiClient, count: number, concurrency: number): Promise<Samples> {
  const out = emptySamples();
  const jobs: NsRole[] = [];
  for (let i = 0; i < count; i++) jobs.push(...ROLES);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) await createOnce(client, jobs[next++]!, out);
    }),
  );
  return out;
}

function rowsOf(mode: CreateRow['mode'], without: Samples, withHooks: Samples): CreateRow[] {
  return ROLES.map((role) => {
    const a = summarize(without[role].ms);
    const b = summarize(withHooks[role].ms);
    return { role, mode, without: a, with: b, overheadP50Ms: round(b.p50Ms - a.p50Ms, 3), overheadP99Ms: round(b.p99Ms - a.p99Ms, 3), injected: withHooks[role].injected };
  });
}

/**
 * Pod CREATE (dryRun=All: full admission, nothing stored) through a real kube-apiserver, first
 * without meshward's webhook configurations, then with them registered against a real
 * `meshward serve` process watching that API server.
 */
export async function runApiServerBench(options: ApiServerOptions, say: (line: string) => void): Promise<ApiServerSection> {
  const root = repoRoot();
  const manifests = readManifestPaths([join(root, 'manifests/base/webhooks.yaml')]).map((s) => s.object);
  say('  starting the control plane (kube-apiserver, etcd, kube-controller-manager)...');
  const cp = await startControlPlane();
  let meshward: Awaited<ReturnType<typeof startMeshwardProcess>> | undefined;
  const client = apiClient(cp, options.concurrency);
  try {
    // meshward's informers list MeshTLSPolicies: the CRD must exist before it can become ready.
    await applyCrds(cp, readManifestPaths([join(root, 'manifests/crds')]).map((s) => s.object).filter((o) => o.kind === 'CustomResourceDefinition'));
    meshward = await startMeshwardProcess({ kubeconfig: cp.kubeconfigPath, extraArgs: ['--log-level', 'warn'] });
    for (const role of ROLES) {
      const ns = NAMESPACES[role].name;
      await cp.ensureNamespace(ns, NAMESPACES[role].labels);
      const sa = await cp.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'checkout' } });
      if (sa.status !== 201 && sa.status !== 409) throw new Error(`create ServiceAccount ${ns}/checkout: HTTP ${sa.status} ${sa.body}`);
    }

    say('  without meshward webhooks...');
    const seqWithout = await sequential(client, options.sequential);
    const conWithout = await concurrent(client, options.concurrent, options.concurrency);

    await registerMeshwardWebhooks({ controlPlane: cp, meshwardUrl: meshward.url, caBundlePem: meshward.caPem, manifests });
    say('  with meshward webhooks registered...');
    const rss = sampleRss(meshward.child.pid!, 500);
    const before = await readAdmissionTotals(meshward.url, meshward.caPem);
    const seqWith = await sequential(client, options.sequential);
    const conWith = await concurrent(client, options.concurrent, options.concurrency);
    const after = await readAdmissionTotals(meshward.url, meshward.caPem);
    rss.stop();
    // Warm-up creates count too: 10 per namespace in each of the two runs of `sequential`.
    const injectedPods = seqWith.shop.ms.length + seqWith.strict.ms.length + conWith.shop.ms.length + conWith.strict.ms.length + 40;
    const strictPods = seqWith.strict.ms.length + conWith.strict.ms.length + 20;
    const calls = (w: 'mutate' | 'validate'): number => after.count[w] - before.count[w];
    const meanMs = (w: 'mutate' | 'validate'): number => round(((after.seconds[w] - before.seconds[w]) / Math.max(1, calls(w))) * 1000, 3);
    const mutateReasonsPerPod = Object.fromEntries(
      Object.entries(after.mutateReasons).map(([reason, n]) => [reason, round((n - (before.mutateReasons[reason] ?? 0)) / injectedPods, 2)]),
    );
    const meshwardCalls = { mutateReasonsPerPod, mutatePerPod: round(calls('mutate') / injectedPods, 2), validatePerStrictPod: round(calls('validate') / strictPods, 2), mutateMeanMs: meanMs('mutate'), validateMeanMs: meanMs('validate') };
    say(`  meshward: ${meshwardCalls.mutatePerPod} /mutate calls per pod (${JSON.stringify(mutateReasonsPerPod)}, mean ${meshwardCalls.mutateMeanMs} ms), ${meshwardCalls.validatePerStrictPod} /validate per STRICT pod (mean ${meshwardCalls.validateMeanMs} ms)`);

    const pcrTimeToIssued = await measurePcrTimeToIssued({ controlPlane: cp, kubeconfig: cp.kubeconfigPath, quick: options.quick });
    const rows = [...rowsOf('sequential', seqWithout, seqWith), ...rowsOf('concurrent', conWithout, conWith)];
    for (const r of rows) {
      say(`  ${r.mode.padEnd(10)} ${r.role.padEnd(6)} without p50 ${r.without.p50Ms} p99 ${r.without.p99Ms} | with p50 ${r.with.p50Ms} p99 ${r.with.p99Ms} | overhead p99 ${r.overheadP99Ms} ms, injected ${r.injected}/${r.with.n}`);
    }
    await unregisterMeshwardWebhooks({ controlPlane: cp, manifests });
    return {
      measuredAt: new Date().toISOString(),
      settings: options,
      rows,
      meshwardPeakRssMb: Math.round(rss.peak()),
      meshwardCalls,
      ...(pcrTimeToIssued ? { pcrTimeToIssued } : {}),
    };
  } finally {
    client.close();
    await meshward?.stop();
    await cp.stop();
  }
}
