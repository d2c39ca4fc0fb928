// The control plane's side of authorization: MeshAuthorizationPolicies in the view become each
// pod's WorkloadAuthorization (resolved once per build) and the RBAC filter of its inbound
// listener; a policy change moves only the LDS version of the pods it selects; everything sent is
// judged by Envoy's types. The resolver is the policy folder's, as in `meshward serve`.

import assert from 'node:assert/strict';
import type { MeshwardConfig } from '../../webhook/config/types.js';
import type { KubeResourceObject } from '../../webhook/kube/types.js';
import { decodeResource, encodeResource } from '../../webhook/xds/envoy-types.js';
import { MeshSnapshot } from '../../webhook/xds/mesh-snapshot.js';
import { ResourceEncoder } from '../../webhook/xds/resource-encoder.js';
import { ensureEnvoyValidator, validateEnvoyResources } from '../proxy/envoy-validator.js';
import { apiCallersPolicy, authorizationPolicy, config, shopMesh, staticView } from './mesh-fixtures.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const API_CALLERS = apiCallersPolicy();

function snapshot(objects: readonly KubeResourceObject[], meshConfig: MeshwardConfig = config): MeshSnapshot {
  return new MeshSnapshot(staticView(objects), meshConfig, new ResourceEncoder(encodeResource));
}

const denyByDefault: MeshwardConfig = { ...config, mesh: { ...config.mesh, defaultAuthorization: 'deny' } };

function inbound(s: MeshSnapshot, ns: string, name: string): J {
  const l = s.forPod(s.podOf(ns, name)!).listeners.find((r) => r.name === 'inbound')!;
  return decodeResource(l) as J;
}

const rbacOf = (listener: J, chain: string): J | undefined =>
  (listener.filter_chains as J[]).find((c) => c.name === chain)?.filters.find((f: J) => f.name === 'envoy.filters.network.rbac')
    ?.typed_config;

describe('xds: inbound authorization from MeshAuthorizationPolicies', () => {
  it('the selected pods get the RBAC principals of exactly the allowed ServiceAccount on the named port', () => {
    const s = snapshot([...shopMesh(), API_CALLERS]);
    for (const name of ['api-1', 'api-2']) {
      const rbac = rbacOf(inbound(s, 'pay', name), 'inbound|8080|mtls')!;
      assert.deepEqual(rbac.rules.policies['pay/api-callers'].principals, [
        { authenticated: { principal_name: { exact: 'spiffe://cluster.local/ns/shop/sa/web' } } },
      ]);
      assert.equal(rbacOf(inbound(s, 'pay', name), 'inbound|undeclared|mtls'), undefined, 'other ports admit the mesh');
    }
    assert.equal(rbacOf(inbound(s, 'shop', 'web-1'), 'inbound|8080|mtls'), undefined, 'web is not selected');
  });

  it('namespaces become prefixes, identities exact IDs; Audit renders shadow rules only', () => {
    const audit = authorizationPolicy('pay', 'api-audit', {
      selector: { matchLabels: { app: 'api' } },
      allow: [{ namespaces: ['shop'], identities: ['spiffe://cluster.local/external/backup-job'] }],
      enforcement: 'Audit',
    });
    const rbac = rbacOf(inbound(snapshot([...shopMesh(), audit]), 'pay', 'api-1'), 'inbound|undeclared|mtls')!;
    assert.equal(rbac.rules, undefined);
    assert.deepEqual(rbac.shadow_rules.policies['pay/api-audit'].principals, [
      { authenticated: { principal_name: { exact: 'spiffe://cluster.local/external/backup-job' } } },
      { authenticated: { principal_name: { prefix: 'spiffe://cluster.local/ns/shop/' } } },
    ]);
  });

  it('a policy change moves only the selected pods LDS version', () => {
    const before = snapshot(shopMesh());
    const after = snapshot([...shopMesh(), API_CALLERS]);
    const version = (s: MeshSnapshot, ns: string, name: string): string => s.forPod(s.podOf(ns, name)!).listenersVersion;
    assert.notEqual(version(after, 'pay', 'api-1'), version(before, 'pay', 'api-1'));
    assert.equal(version(after, 'shop', 'web-1'), version(before, 'shop', 'web-1'));
  });

  it("every proxy's resources under a deny default and an Enforce allow-list are valid for Envoy", async function () {
    this.timeout(600_000);
    await ensureEnvoyValidator();
    const objects = [...shopMesh(), API_CALLERS];
    const s = snapshot(objects, denyByDefault);
    const docs = objects
      .filter((o) => o.kind === 'Pod' && o.metadata.labels?.['meshward.io/injected'] === 'true')
      .flatMap((p) => {
        const c = s.forPod(p as never);
        return [...c.listeners, ...c.clusters].map((r) => ({ name: `${p.metadata.name}: ${r.name}`, typeUrl: r.typeUrl, value: r.value }));
      });
    const result = await validateEnvoyResources(docs);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(rbacOf(inbound(s, 'shop', 'web-1'), 'inbound|undeclared|mtls')!.rules, {}, 'deny: rules present, no policy');
  });
});
