import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { buildConfig } from '../../webhook/config/load.js';
import type { MeshwardConfig } from '../../webhook/config/types.js';
import { KubeApiError } from '../../webhook/kube/errors.js';
import { CONFIG_MAPS, NAMESPACES } from '../../webhook/kube/resources.js';
import { Informer } from '../../webhook/kube/runtime/informer.js';
import type { ConfigMap, Namespace } from '../../webhook/kube/types.js';
import { desiredProxyBootstrapData } from '../../webhook/proxy-bootstrap/bootstrap-configmap.js';
import { startProxyBootstrap, type ProxyBootstrapController } from '../../webhook/proxy-bootstrap/bootstrap-controller.js';
import { fakeKubeApi, type FakeKubeApi } from '../kube/fake-api.js';

// The controller on the one fake API (test/kube/fake-api.ts: 409 on create of a taken name,
// resourceVersion checked on replace, watch events), following a real namespaces informer as
// `meshward serve` runs it.

const config = buildConfig({ flags: { 'self-signed': true } });
const NAME = 'meshward-proxy';
const OURS = { 'app.kubernetes.io/managed-by': 'meshward' };

async function until(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('proxy bootstrap: the controller (fake API, real namespaces informer)', () => {
  let api: FakeKubeApi;
  let informer: Informer<Namespace>;
  let leader: boolean;
  let lines: string[];
  const running: ProxyBootstrapController[] = [];

  const start = (overrides: { config?: MeshwardConfig; registry?: Registry } = {}): ProxyBootstrapController => {
    const put = (obj: object, msg: string): void => void lines.push(`${msg} ${JSON.stringify(obj)}`);
    const c = startProxyBootstrap({
      api,
      namespaces: informer,
      config: overrides.config ?? config,
      isLeader: () => leader,
      logger: { info: put, warn: put } as never,
      ...(overrides.registry ? { registry: overrides.registry } : {}),
      resyncMs: 3_600_000,
      leaderCheckMs: 10,
    });
    running.push(c);
    return c;
  };
  const namespace = (name: string, labels: Record<string, string> = {}): void => void api.put(NAMESPACES, { metadata: { name, labels } });
  const configMap = (ns: string): ConfigMap | undefined => api.object(CONFIG_MAPS, ns, NAME);
  const configMapCalls = (): string[] => api.calls.filter((c) => c.split(' ')[1] === 'configmaps');

  beforeEach(async () => {
    api = fakeKubeApi();
    leader = true;
    lines = [];
    namespace('shop', { 'meshward.io/inject': 'enabled' });
    namespace('pay', { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' });
    namespace('plain');
    namespace('off', { 'meshward.io/inject': 'disabled' });
    namespace('kube-system', { 'meshward.io/inject': 'enabled' });
    informer = new Informer({ api, resource: NAMESPACES }).start();
    await informer.synced;
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
    await informer.stop();
  });

  it('publishes the static bootstrap in every opted-in namespace, system namespaces excepted, reading each by name only', async () => {
    await start().resync();
    const desired = desiredProxyBootstrapData(config);
    for (const ns of ['shop', 'pay']) {
      const cm = configMap(ns)!;
      assert.deepEqual(cm.data, desired, ns);
      assert.deepEqual(cm.metadata.labels, { ...OURS, 'app.kubernetes.io/component': 'proxy-bootstrap' });
    }
    for (const ns of ['plain', 'off', 'kube-system']) assert.equal(configMap(ns), undefined, ns);
    // No list or watch of ConfigMaps (RBAC grants none): gets by name, then writes.
    assert.deepEqual(new Set(configMapCalls().map((c) => c.split(' ')[0])), new Set(['get', 'create']));
    assert.ok(configMapCalls().every((c) => c.endsWith(`/${NAME}`)));
    assert.equal(api.calls.filter((c) => c.startsWith('list namespaces')).length, 1, 'one namespaces list: the informer’s own');
    assert.equal(api.calls.filter((c) => c.startsWith('watch namespaces')).length, 1, 'and one watch');
  });

  it('follows namespaces: labelled → created at once, unlabelled → ours deleted, deleted → nothing to do', async () => {
    await start().resync();
    namespace('new', { 'meshward.io/inject': 'enabled' });
    await until('the bootstrap in new', () => configMap('new') !== undefined);
    namespace('shop', {});
    await until('the bootstrap gone from shop', () => configMap('shop') === undefined);
    assert.ok(lines.some((l) => /proxy bootstrap written .*"action":"delete".*no longer opts in/.test(l)));
    const before = configMapCalls().length;
    api.remove(NAMESPACES, undefined, 'pay');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(configMapCalls().length, before, 'a deleted namespace takes its ConfigMaps with it');
  });

  it('leaves an up-to-date bootstrap alone and rewrites ours when it differs (hand edit, deletion)', async () => {
    const c = start();
    await c.resync();
    const writes = (): number => configMapCalls().filter((x) => !x.startsWith('get')).length;
    const settled = writes();
    await c.resync();
    assert.equal(writes(), settled, 'nothing written when current');
    api.put(CONFIG_MAPS, { ...configMap('shop')!, data: { 'envoy.json': '{"static_resources":{}}' } });
    api.remove(CONFIG_MAPS, 'pay', NAME);
    await c.resync();
    assert.deepEqual(configMap('shop')!.data, desiredProxyBootstrapData(config));
    assert.deepEqual(configMap('pay')!.data, desiredProxyBootstrapData(config));
    assert.ok(configMapCalls().includes(`replace configmaps shop/${NAME}`));
  });

  it('rewrites every bootstrap when the configuration changes (how proxies reach the xDS server)', async () => {
    const first = start();
    await first.resync();
    await first.stop();
    const moved = buildConfig({ flags: { 'self-signed': true, 'xds-address': 'xds.mesh.svc:443' } });
    await start({ config: moved }).resync();
    for (const ns of ['shop', 'pay']) assert.match(configMap(ns)!.data!['envoy.json']!, /"address": "xds\.mesh\.svc",\s*"port_value": 443/);
  });

  it('never writes over or deletes a ConfigMap of that name it does not manage: reported once, counted', async () => {
    api.put(CONFIG_MAPS, { metadata: { name: NAME, namespace: 'shop', labels: { team: 'a' } }, data: { 'envoy.json': '{}' } });
    api.put(CONFIG_MAPS, { metadata: { name: NAME, namespace: 'plain' }, data: { 'envoy.json': '{}' } });
    const registry = new Registry();
    const c = start({ registry });
    await c.resync();
    await c.resync();
    assert.deepEqual(configMap('shop')!.data, { 'envoy.json': '{}' });
    assert.deepEqual(configMap('plain')!.data, { 'envoy.json': '{}' });
    assert.deepEqual(c.foreign(), ['shop']);
    assert.equal(lines.filter((l) => l.startsWith('proxy bootstrap left alone: not ours')).length, 1);
    assert.match(await registry.metrics(), /meshward_proxy_bootstrap_foreign_configmaps 1/);
    namespace('shop', {});
    await until('shop no longer reported', () => c.foreign().length === 0);
    assert.deepEqual(configMap('shop')!.data, { 'envoy.json': '{}' });
  });

  it('only the leader writes; gaining the lease looks at every namespace once, finding what opted out meanwhile', async () => {
    api.put(CONFIG_MAPS, { metadata: { name: NAME, namespace: 'plain', labels: OURS }, data: {} });
    leader = false;
    const c = start();
    await c.resync();
    assert.deepEqual(configMapCalls(), [], 'a follower neither reads nor writes');
    leader = true;
    await until('the leader wrote', () => configMap('shop') !== undefined && configMap('plain') === undefined);
    const reads = configMapCalls().filter((x) => x.startsWith('get')).length;
    await c.resync();
    // Opted-in namespaces are read again; those seen clean are not.
    assert.equal(configMapCalls().filter((x) => x.startsWith('get')).length, reads + 2);
  });

  it('reads again after a lost race and backs off on errors, then gets there', async () => {
    let raced = false;
    api.beforeWrite = (verb, r, o) => {
      if (verb === 'create' && r === CONFIG_MAPS && o.metadata.namespace === 'shop' && !raced) {
        raced = true;
        api.put(CONFIG_MAPS, { metadata: { name: NAME, namespace: 'shop', labels: OURS }, data: { stale: 'x' } });
      }
    };
    api.failNext('create', CONFIG_MAPS, new KubeApiError(500, 'InternalError', 'etcd timeout'));
    const c = start();
    await c.resync();
    await until('both written', () => configMap('pay')?.data?.['envoy.json'] !== undefined && configMap('shop')?.data?.stale === undefined);
    assert.ok(lines.some((l) => /proxy bootstrap write failed; retrying/.test(l)));
  });
});
