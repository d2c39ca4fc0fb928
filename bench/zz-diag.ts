import { join } from 'node:path';
import { startControlPlane } from '../scripts/control-plane/control-plane.js';
import { repoRoot } from '../scripts/control-plane/ensure-binaries.js';
import { applyCrds, registerMeshwardWebhooks } from '../scripts/control-plane/register-webhooks.js';
import { startMeshwardProcess } from '../scripts/meshward-process.js';
import { readManifestPaths } from '../webhook/kube/manifests.js';
import { apiClient } from './api-client.js';
import { typicalPod } from './pods.js';
import { summarize } from './stats.js';
import { httpsCall } from './https-post.js';
const root = repoRoot();
const cp = await startControlPlane();
await applyCrds(cp, readManifestPaths([join(root, 'manifests/crds')]).map((s) => s.object).filter((o) => o.kind === 'CustomResourceDefinition'));
const m = await startMeshwardProcess({ kubeconfig: cp.kubeconfigPath, extraArgs: ['--log-level', 'warn'] });
for (const [ns, labels] of [['p', {}], ['s', { 'meshward.io/inject': 'enabled' }]] as const) {
  await cp.ensureNamespace(ns, labels as any);
  await cp.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'checkout' } });
}
await registerMeshwardWebhooks({ controlPlane: cp, meshwardUrl: m.url, caBundlePem: m.caPem, manifests: readManifestPaths([join(root, 'manifests/base/webhooks.yaml')]).map((s) => s.object) });
const c = apiClient(cp, 4);
const metric = async () => { const t = (await httpsCall(`${m.url}/metrics`, m.caPem, 'GET')).body.toString(); const s = /meshward_admission_duration_seconds_sum\{webhook="mutate"\} ([0-9.e-]+)/.exec(t); const n = /meshward_admission_duration_seconds_count\{webhook="mutate"\} (\d+)/.exec(t); return [Number(s?.[1]), Number(n?.[1])]; };
for (let round = 0; round < 3; round++) {
  for (const ns of ['p', 's']) {
    const ms: number[] = []; const [s0, n0] = await metric();
    for (let i = 0; i < 150; i++) { const r = await c.post(`/api/v1/namespaces/${ns}/pods?dryRun=All`, typicalPod(ns)); ms.push(r.ms); }
    const [s1, n1] = await metric();
    console.log(ns, JSON.stringify(summarize(ms)), 'meshward mean ms', ((s1 - s0) / Math.max(1, n1 - n0) * 1000).toFixed(3), n1 - n0);
  }
}
c.close(); await m.stop(); await cp.stop();
