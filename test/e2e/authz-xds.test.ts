import assert from 'node:assert/strict';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { ControlPlane as Cluster } from '../../scripts/control-plane/control-plane.js';
import { installMeshwardCrds } from '../../scripts/control-plane/register-webhooks.js';
import { buildConfig } from '../../webhook/config/load.js';
import type { MeshwardConfig } from '../../webhook/config/types.js';
import { kubeApi } from '../../webhook/kube/client-api.js';
import { loadKubeConfig } from '../../webhook/kube/kube-client.js';
import { startControlPlane, type ControlPlane } from '../../webhook/xds/control-plane.js';
import { serverSpiffeId } from '../../webhook/xds/server-certificates.js';
import { ensureAdsJudge, startJudge, type Judge, type JudgeEvent, type ResponseEvent } from '../xds/ads-judge.js';
import { meshCa, svid } from '../xds/svids.js';
import { sharedControlPlane } from './shared-cluster.js';

// Authorization end to end: a MeshAuthorizationPolicy written to a real API server reaches the
// running proxy (go-control-plane's ADS client with the pod's SVID) as the RBAC filter of its
// inbound listener, ACKed. The control plane is startControlPlane, exactly what `meshward serve`
// starts (its informers list and watch the real API server), run in this process with a CA of the
// test's own so the judge's SVIDs can be issued here. Pods carry the injected label themselves (no
// webhook, so the gate does not judge these policies: test/e2e/authorization.test.ts does).

const API = 'e2e-authz-api';
const WEB = 'e2e-authz-web';
type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const TD = 'spiffe://cluster.local';

describe('e2e: MeshAuthorizationPolicy reaches the running proxy as inbound RBAC', function () {
  this.timeout(240_000);
  let cp: Cluster;
  let xds: ControlPlane | undefined;
  let judge: Judge | undefined;
  const timings: string[] = [];

  const apply = (o: object): Promise<unknown> => cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(o) });
  const policy = (spec: J): J => ({
    apiVersion: 'meshward.io/v1alpha1',
    kind: 'MeshAuthorizationPolicy',
    metadata: { name: 'api-callers', namespace: API },
    spec,
  });

  before(async function () {
    this.timeout(600_000);
    await ensureAdsJudge();
    cp = await sharedControlPlane();
    await installMeshwardCrds(cp);
    await cp.ensureNamespace(API);
    await cp.ensureNamespace(WEB);
    for (const [ns, sa] of [
      [API, 'api'],
      [WEB, 'web'],
      [WEB, 'batch'],
      [WEB, 'other'],
    ] as const)
      await cp.kubectl(['create', 'serviceaccount', sa, '-n', ns], { check: false });
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'api-1', namespace: API, labels: { app: 'api', 'meshward.io/injected': 'true' } },
      spec: { serviceAccountName: 'api', containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] },
    });
  });

  after(async () => {
    await judge?.stop();
    await xds?.stop();
    for (const ns of [API, WEB]) await cp.kubectl(['delete', 'namespace', ns, '--wait=false'], { check: false });
    if (timings.length > 0) process.stdout.write(`      [authz-xds] ${timings.join('; ')}\n`);
  });

  async function untilLds(test: (inbound: J) => boolean, ms = 30_000): Promise<ResponseEvent> {
    return (await judge!.next(
      (e: JudgeEvent): e is ResponseEvent =>
        e.event === 'response' && e.type === 'lds' && test(e.resources.find((r) => r.name === 'inbound')?.json as J),
      ms,
    )) as ResponseEvent;
  }
  const acked = (version: string): Promise<JudgeEvent> =>
    judge!.next((e) => e.event === 'ack' && e.type === 'lds' && (e as { version: string }).version === version);
  const rbacOf = (inbound: J, chain: string): J | undefined =>
    inbound.filterChains.find((c: J) => c.name === chain)?.filters.find((f: J) => f.name === 'envoy.filters.network.rbac')?.typedConfig;

  it('the proxy of the api pod connects and gets its inbound listener without RBAC (no policy yet)', async () => {
    const base = buildConfig({});
    const config: MeshwardConfig = { ...base, controlPlane: { ...base.controlPlane, host: '127.0.0.1', port: 0 } };
    const ca = meshCa();
    xds = await startControlPlane({
      config,
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      api: kubeApi(loadKubeConfig(cp.kubeconfigPath)),
      currentCa: () => ca,
    });
    const creds = svid(ca, API, 'api');
    const serverId = serverSpiffeId(config);
    judge = startJudge({
      servers: [`127.0.0.1:${xds.port}`],
      cert: creds.cert,
      key: creds.key,
      ca: creds.ca,
      serverId,
      nodeId: `sidecar~${API}~api-1`,
      dump: true,
    });
    const lds = await untilLds((inbound) => !!inbound);
    await acked(lds.version);
    assert.deepEqual(
      lds.resources.filter((r) => !r.ok),
      [],
    );
    assert.equal(rbacOf(lds.resources.find((r) => r.name === 'inbound')!.json as J, 'inbound|8080|mtls'), undefined);
  });

  it('an Enforce policy: the inbound RBAC names exactly the allowed ServiceAccounts, ACKed; the time is measured', async () => {
    const started = Date.now();
    await apply(
      policy({ selector: { matchLabels: { app: 'api' } }, ports: [8080], allow: [{ serviceAccounts: [`${WEB}/web`, `${WEB}/batch`] }] }),
    );
    const lds = await untilLds((inbound) => !!rbacOf(inbound, 'inbound|8080|mtls')?.rules);
    await acked(lds.version);
    timings.push(`Enforce policy → ACK ${Date.now() - started} ms`);
    assert.deepEqual(
      lds.resources.filter((r) => !r.ok),
      [],
    );
    const rbac = rbacOf(lds.resources.find((r) => r.name === 'inbound')!.json as J, 'inbound|8080|mtls')!;
    assert.deepEqual(
      rbac.rules.policies[`${API}/api-callers`].principals.map((p: J) => p.authenticated.principalName),
      [{ exact: `${TD}/ns/${WEB}/sa/batch` }, { exact: `${TD}/ns/${WEB}/sa/web` }],
    );
    assert.equal(rbac.statPrefix, 'inbound|8080|mtls.');
  });

  it('switched to Audit: shadow rules only; deleted: no RBAC left; each ACKed and timed', async () => {
    let started = Date.now();
    await apply(policy({ selector: { matchLabels: { app: 'api' } }, ports: [8080], allow: [{ namespaces: [WEB] }], enforcement: 'Audit' }));
    let lds = await untilLds((inbound) => {
      const rbac = rbacOf(inbound, 'inbound|8080|mtls');
      return !!rbac && !rbac.rules;
    });
    await acked(lds.version);
    timings.push(`Audit → ACK ${Date.now() - started} ms`);
    const shadow = rbacOf(lds.resources.find((r) => r.name === 'inbound')!.json as J, 'inbound|8080|mtls')!.shadowRules;
    assert.deepEqual(shadow.policies[`${API}/api-callers`].principals, [
      { authenticated: { principalName: { prefix: `${TD}/ns/${WEB}/` } } },
    ]);
    started = Date.now();
    await cp.kubectl(['delete', 'meshauthorizationpolicy', 'api-callers', '-n', API]);
    lds = await untilLds((inbound) => !rbacOf(inbound, 'inbound|8080|mtls'));
    await acked(lds.version);
    timings.push(`delete → ACK ${Date.now() - started} ms`);
  });
});
