import assert from 'node:assert/strict';
import { buildConfig } from '../../webhook/config/load.js';
import {
  desiredProxyBootstrapData,
  proxyConfigMapBody,
  readProxyConfigMap,
  type ProxyConfigMapState,
} from '../../webhook/proxy-bootstrap/bootstrap-configmap.js';
import { planProxyBootstrap } from '../../webhook/proxy-bootstrap/bootstrap-plan.js';

// The plan per namespace: opted in or not × what is there. Only meshward's own is written or deleted.

const config = buildConfig({ flags: { 'self-signed': true } });
const desired = desiredProxyBootstrapData(config);
const ours = (data = desired): ProxyConfigMapState => ({ resourceVersion: '7', managed: true, data });
const foreign: ProxyConfigMapState = { resourceVersion: '9', managed: false, data: { 'envoy.json': '{}' } };

describe('proxy bootstrap: the plan', () => {
  const cases: Array<[string, boolean, ProxyConfigMapState | undefined, string, boolean?]> = [
    ['opted in, nothing there', true, undefined, 'create'],
    ['opted in, ours and current', true, ours(), 'none'],
    ['opted in, ours edited by hand', true, ours({ ...desired, 'envoy.json': '{"static_resources":{}}' }), 'update'],
    ['opted in, ours with a stray key', true, ours({ ...desired, 'extra.json': '{}' }), 'update'],
    ['opted in, ours missing a file', true, ours({ 'envoy.json': desired['envoy.json']! }), 'update'],
    ['opted in, a foreign one: reported, never written over', true, foreign, 'none', true],
    ['no longer opted in, ours', false, ours(), 'delete'],
    ['not opted in, a foreign one', false, foreign, 'none', false],
    ['not opted in, nothing there', false, undefined, 'none', false],
  ];
  for (const [name, optedIn, existing, type, isForeign] of cases) {
    it(`${name}: ${type}`, () => {
      const action = planProxyBootstrap({ optedIn, desired, existing });
      assert.equal(action.type, type);
      if (action.type === 'none') assert.equal(action.foreign, isForeign ?? false);
      if (action.type === 'update') assert.equal(action.resourceVersion, '7');
    });
  }

  it('wants one key per file, indented JSON, and recognises ours by the managed-by label', () => {
    assert.deepEqual(Object.keys(desired), ['envoy.json', 'sds-workload-certificate.json', 'sds-mesh-trust-bundle.json']);
    assert.match(desired['envoy.json']!, /^\{\n {2}"admin": /);
    const body = proxyConfigMapBody('shop', desired);
    assert.deepEqual(body.metadata, {
      name: 'meshward-proxy',
      namespace: 'shop',
      labels: { 'app.kubernetes.io/managed-by': 'meshward', 'app.kubernetes.io/component': 'proxy-bootstrap' },
    });
    assert.deepEqual(readProxyConfigMap({ ...body, metadata: { ...body.metadata, resourceVersion: '3' } }), {
      ...ours(),
      resourceVersion: '3',
    });
    assert.equal(
      readProxyConfigMap({ metadata: { name: 'meshward-proxy', labels: { 'app.kubernetes.io/managed-by': 'helm' } } }).managed,
      false,
    );
    // A rewrite keeps other labels and annotations of ours.
    const kept = proxyConfigMapBody('shop', desired, {
      ...body,
      metadata: { ...body.metadata, resourceVersion: '3', labels: { team: 'a' }, annotations: { note: 'x' } },
    });
    assert.deepEqual([kept.metadata.resourceVersion, kept.metadata.labels?.team, kept.metadata.annotations?.note], ['3', 'a', 'x']);
  });
});
