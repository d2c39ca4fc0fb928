import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { KubeObject } from '../../webhook/admission/types.js';
import { DirectClusterState } from '../../webhook/kube/direct-state.js';
import { KubeApiError } from '../../webhook/kube/errors.js';
import { InformerClusterState } from '../../webhook/kube/informer-state.js';
import { MESH_AUTHORIZATION_POLICIES } from '../../webhook/kube/resources.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import type { KubeResourceObject } from '../../webhook/kube/types.js';
import { fakeKubeApi } from './fake-api.js';

// MeshAuthorizationPolicies through every ClusterState: the informer's list+watch cache, direct
// reads (a cluster without the CRD holds none; any other failure is an error), static manifests.

const authz = (namespace: string, name: string, kind = 'MeshAuthorizationPolicy'): KubeResourceObject & KubeObject => ({
  apiVersion: 'meshward.io/v1alpha1',
  kind,
  metadata: { namespace, name },
  spec: { allow: [{ namespaces: ['frontend'] }] },
});
const names = (objects: Array<{ metadata?: { name?: string } }>): string[] => objects.map((o) => o.metadata!.name!).sort();

describe('ClusterState: MeshAuthorizationPolicies', () => {
  it('the informer state lists and watches them, by namespace and in all', async () => {
    const api = fakeKubeApi();
    api.put(MESH_AUTHORIZATION_POLICIES, authz('shop', 'a'));
    const state = new InformerClusterState(api, pino({ level: 'silent' }));
    await state.synced;
    api.put(MESH_AUTHORIZATION_POLICIES, authz('dev', 'b'));
    for (let i = 0; i < 100 && (await state.listAllAuthorizationPolicies()).length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(names(await state.listAuthorizationPolicies('shop')), ['a']);
    assert.deepEqual(names(await state.listAllAuthorizationPolicies()), ['a', 'b']);
    assert.ok(
      api.calls.includes('list meshauthorizationpolicies *') && api.calls.includes('watch meshauthorizationpolicies *'),
      api.calls.join('\n'),
    );
    await state.stop();
  });

  it('the informer state reads namespaces and MeshTLSPolicies while the allow lists cannot be listed yet (CRD not installed)', async () => {
    const api = fakeKubeApi();
    api.failNext(
      'list',
      MESH_AUTHORIZATION_POLICIES,
      new KubeApiError(404, 'NotFound', 'the server could not find the requested resource'),
      1000,
    );
    const state = new InformerClusterState(api, pino({ level: 'silent' }));
    assert.deepEqual(await state.listPolicies('shop'), []);
    assert.deepEqual(await state.listNamespaces(), []);
    let ready = false;
    void state.synced.then(() => (ready = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(ready, false, 'not ready (readiness) until every cache synced');
    await state.stop();
  });

  it('direct reads list them once per snapshot; a 404 (CRD not installed) is none, a 403 an error', async () => {
    const api = fakeKubeApi();
    api.put(MESH_AUTHORIZATION_POLICIES, authz('shop', 'a'));
    const state = new DirectClusterState(api, true);
    assert.deepEqual(names(await state.listAuthorizationPolicies('shop')), ['a']);
    assert.deepEqual(names(await state.listAllAuthorizationPolicies()), ['a']);
    assert.equal(api.calls.filter((c) => c.startsWith('list meshauthorizationpolicies')).length, 1);
    const missing = fakeKubeApi();
    missing.failNext(
      'list',
      MESH_AUTHORIZATION_POLICIES,
      new KubeApiError(404, 'NotFound', 'the server could not find the requested resource'),
    );
    assert.deepEqual(await new DirectClusterState(missing, true).listAllAuthorizationPolicies(), []);
    const forbidden = fakeKubeApi();
    forbidden.failNext('list', MESH_AUTHORIZATION_POLICIES, new KubeApiError(403, 'Forbidden', 'no'));
    await assert.rejects(new DirectClusterState(forbidden, true).listAllAuthorizationPolicies(), /cannot read MeshAuthorizationPolicies/);
  });

  it('the static state sorts them out of manifests', async () => {
    const state = new StaticClusterState([authz('shop', 'a'), authz('dev', 'b', 'MeshTLSPolicy')]);
    assert.deepEqual(names(await state.listAllAuthorizationPolicies()), ['a']);
    assert.deepEqual(names(await state.listAuthorizationPolicies('dev')), []);
    assert.deepEqual(names(await state.listPolicies('dev')), ['b']);
  });
});
