// Everything the control plane sends, as bytes, judged by Envoy's own types (ValidateAll plus
// the load-time checks of test/go/cmd/envoy-validate: overlapping filter chains, cluster types):
// for every proxy of meshes covering each mode, probe kind, headless Services and IPv6.

import assert from 'node:assert/strict';
import type { KubeResourceObject } from '../../webhook/kube/types.js';
import { encodeResource } from '../../webhook/xds/envoy-types.js';
import { MeshSnapshot } from '../../webhook/xds/mesh-snapshot.js';
import { ResourceEncoder } from '../../webhook/xds/resource-encoder.js';
import { ensureEnvoyValidator, validateEnvoyResources } from '../proxy/envoy-validator.js';
import { config, namespace, pod, policy, service, shopMesh, slice, staticView } from './mesh-fixtures.js';

const probes = JSON.stringify({
  probes: [
    { path: '/app-health/app/readyz', kind: 'http', port: 8080, scheme: 'HTTP', originalPath: '/ready' },
    { path: '/app-health/app/livez', kind: 'tcp', port: 8080 },
    { path: '/app-health/app/startupz', kind: 'grpc', port: 9090, grpcService: 'health' },
    {
      path: '/app-health/side/readyz',
      kind: 'http',
      port: 8443,
      scheme: 'HTTPS',
      originalPath: '/ok?x=1',
      headers: [{ name: 'X-Probe', value: 'k' }],
    },
  ],
});

function meshes(): Record<string, KubeResourceObject[]> {
  const modes = shopMesh();
  modes.push(
    namespace('mixed'),
    pod('mixed', 'db-1', { ip: '10.1.0.40', ports: [5432, 8080, 9090, 8443], annotations: { 'meshward.io/status': probes } }),
    policy('mixed', 'db', {
      selector: { matchLabels: { app: 'db' } },
      mode: 'PERMISSIVE',
      portLevelMtls: { '5432': { mode: 'STRICT' }, '9090': { mode: 'DISABLE' } },
    }),
    service('mixed', 'db', '10.96.0.40', [
      { port: 5432, name: 'pg' },
      { port: 80, name: 'http' },
    ]),
    slice('mixed', 'db', 5432, [{ ip: '10.1.0.40', pod: 'db-1' }], 'pg'),
    {
      ...slice('mixed', 'db', 8080, [{ ip: '10.1.0.40', pod: 'db-1' }], 'http'),
      metadata: { namespace: 'mixed', name: 'db-http', labels: { 'kubernetes.io/service-name': 'db' } },
    },
    service('mixed', 'db-headless', 'None', [{ port: 5432, name: 'pg' }]),
    {
      ...slice('mixed', 'db-headless', 5432, [{ ip: '10.1.0.40', pod: 'db-1' }], 'pg'),
      metadata: { namespace: 'mixed', name: 'dbh', labels: { 'kubernetes.io/service-name': 'db-headless' } },
    },
  );
  const v6 = shopMesh().map((o) =>
    o.kind === 'Service' && o.metadata.name === 'api' ? service('pay', 'api', 'fd00::20', [{ port: 80, name: 'http' }]) : o,
  );
  const strictMesh = shopMesh();
  strictMesh.push(policy('meshward-system', 'mesh', { mode: 'STRICT' }));
  return { modes, v6, strictMesh };
}

describe('xds: every resource sent, decoded by Envoy own types', function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(600_000);
    await ensureEnvoyValidator();
  });

  for (const [name, objects] of Object.entries(meshes())) {
    it(`mesh "${name}": every proxy's listeners and clusters and every load assignment`, async () => {
      const snapshot = new MeshSnapshot(staticView(objects), config, new ResourceEncoder(encodeResource));
      const docs = [];
      for (const p of objects.filter((o) => o.kind === 'Pod' && o.metadata.labels?.['meshward.io/injected'] === 'true')) {
        const c = snapshot.forPod(p);
        for (const r of [...c.listeners, ...c.clusters])
          docs.push({ name: `${p.metadata.name}: ${r.name}`, typeUrl: r.typeUrl, value: r.value });
      }
      for (const r of snapshot.endpoints(snapshot.endpointNames)) docs.push({ name: `eds ${r.name}`, typeUrl: r.typeUrl, value: r.value });
      assert.ok(docs.length > 10);
      const result = await validateEnvoyResources(docs);
      assert.deepEqual(result.errors, []);
    });
  }
});
