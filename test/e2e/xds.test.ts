import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ControlPlane } from '../../scripts/control-plane/control-plane.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import {
  installMeshwardCrds,
  registerMeshwardWebhooks,
  unregisterMeshwardWebhooks,
} from '../../scripts/control-plane/register-webhooks.js';
import { startMeshwardProcess, type MeshwardProcess } from '../../scripts/meshward-process.js';
import { buildConfig } from '../../webhook/config/load.js';
import { decodeCaSecret, signingCaOf } from '../../webhook/identity/ca/ca-secret.js';
import { readManifestPaths } from '../../webhook/kube/manifests.js';
import type { Secret } from '../../webhook/kube/types.js';
import { serverSpiffeId } from '../../webhook/xds/server-certificates.js';
import { ensureAdsJudge, startJudge, type Judge, type JudgeEvent, type ResponseEvent } from '../xds/ads-judge.js';
import { svid } from '../xds/svids.js';
import { sharedControlPlane } from './shared-cluster.js';
import { runningPodStatus } from '../helpers/pod-status.js';

// The control plane end to end: a real API server and controller-manager, `meshward serve` as
// released, and a proxy played by go-control-plane's ADS client (there is no Envoy binary here)
// holding an SVID for the pod's ServiceAccount. Its certificate comes straight from the mesh CA
// Secret: the test stands in for the kubelet's PodCertificateRequest, and for the kubelet's status
// reports (pod IP, proxy ready), since no node runs these pods.

const root = repoRoot();
const manifests = readManifestPaths([join(root, 'manifests/base/webhooks.yaml')]).map((s) => s.object);
const WEB = 'e2e-xds-web';
const API = 'e2e-xds-api';
const PLAIN = 'e2e-xds-plain';
const NODE = 'e2e-xds-node';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('e2e: the xDS control plane in a real cluster', function () {
  this.timeout(240_000);
  let cp: ControlPlane;
  let meshward: MeshwardProcess;
  let judge: Judge | undefined;
  const timings: string[] = [];

  const json = async (args: string[]): Promise<J> => JSON.parse((await cp.kubectl([...args, '-o', 'json'])).stdout);

  /** The kubelet's part, played by the test: the pod got an IP and every container is ready. */
  async function markRunning(namespace: string, name: string, ip: string): Promise<void> {
    const pod = await json(['get', 'pod', name, '-n', namespace]);
    const status = runningPodStatus(pod.spec, ip);
    await cp.kubectl(['patch', 'pod', name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
  }

  async function createPod(namespace: string, name: string, app: string, sa: string, ip: string): Promise<J> {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app } },
      spec: {
        serviceAccountName: sa,
        nodeName: NODE,
        containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }],
      },
    };
    await cp.kubectl(['apply', '-n', namespace, '-f', '-'], { input: JSON.stringify(pod) });
    await markRunning(namespace, name, ip);
    return json(['get', 'pod', name, '-n', namespace]);
  }

  async function service(namespace: string, name: string, app: string): Promise<void> {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    };
    await cp.kubectl(['apply', '-n', namespace, '-f', '-'], { input: JSON.stringify(svc) });
  }

  before(async function () {
    this.timeout(600_000);
    await ensureAdsJudge();
    cp = await sharedControlPlane();
    await installMeshwardCrds(cp);
    // The control plane watches MeshAuthorizationPolicies and answers no proxy before that list.
    await cp.ensureNamespace('meshward-system');
    meshward = await startMeshwardProcess({ kubeconfig: cp.kubeconfigPath });
    await registerMeshwardWebhooks({ controlPlane: cp, meshwardUrl: meshward.url, caBundlePem: meshward.caPem, manifests });
    // The EndpointSlice controller lists a pod only once its Node exists (it reads the Node's zone).
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } }) });
    await cp.ensureNamespace(WEB, { 'meshward.io/inject': 'enabled' });
    await cp.ensureNamespace(API, { 'meshward.io/inject': 'enabled' });
    await cp.ensureNamespace(PLAIN);
    for (const [ns, sa] of [
      [WEB, 'web'],
      [API, 'api'],
    ] as const) {
      await cp.kubectl(['create', 'serviceaccount', sa, '-n', ns], { check: false });
    }
    await createPod(WEB, 'web-1', 'web', 'web', '10.244.1.10');
    await createPod(API, 'api-1', 'api', 'api', '10.244.1.20');
    await createPod(API, 'api-2', 'api', 'api', '10.244.1.21');
    await createPod(PLAIN, 'old-1', 'old', 'default', '10.244.1.30');
    await service(API, 'api', 'api');
    await service(PLAIN, 'old', 'old');
    // kube-dns as clusters have it: an unmeshed pod in kube-system behind a TCP port 53 Service.
    await createPod('kube-system', 'e2e-coredns-1', 'e2e-kube-dns', 'default', '10.244.1.2');
    const dns = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system' },
      spec: { selector: { app: 'e2e-kube-dns' }, ports: [{ name: 'dns-tcp', port: 53, protocol: 'TCP' }] },
    };
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(dns) });
  });

  after(async () => {
    await judge?.stop();
    await unregisterMeshwardWebhooks({ controlPlane: cp, manifests }).catch(() => undefined);
    for (const ns of [WEB, API, PLAIN]) await cp.kubectl(['delete', 'namespace', ns, '--wait=false'], { check: false });
    await cp.kubectl(['delete', 'node', NODE, '--wait=false'], { check: false });
    await cp.kubectl(['delete', 'service', 'kube-dns', '-n', 'kube-system', '--wait=false'], { check: false });
    await cp.kubectl(['delete', 'pod', 'e2e-coredns-1', '-n', 'kube-system', '--wait=false'], { check: false });
    await meshward?.stop();
    if (timings.length > 0) process.stdout.write(`      [xds] ${timings.join('; ')}\n`);
  });

  const lastResponse = (type: string): ResponseEvent | undefined =>
    [...(judge?.events ?? [])].reverse().find((e): e is ResponseEvent => e.event === 'response' && e.type === type);
  const resource = (r: ResponseEvent | undefined, name: string): J | undefined =>
    r?.resources.find((x) => x.name === name)?.json as J | undefined;

  async function untilResponse(type: string, test: (r: ResponseEvent) => boolean, ms = 30_000): Promise<ResponseEvent> {
    return (await judge!.next(
      (e: JudgeEvent): e is ResponseEvent => e.event === 'response' && e.type === type && test(e),
      ms,
    )) as ResponseEvent;
  }

  it('the injected pod proxy connects with its SVID and gets mTLS for the meshed Service, with its ServiceAccount as the only accepted peer', async () => {
    // meshward's identity leader creates the CA Secret after start-up.
    let caSecret: Secret | undefined;
    for (let i = 0; i < 150 && !caSecret; i++) {
      const got = await cp.kubectl(['get', 'secret', 'meshward-ca', '-n', 'meshward-system', '-o', 'json'], { check: false });
      if (got.code === 0) caSecret = JSON.parse(got.stdout) as Secret;
      else await sleep(200);
    }
    assert.ok(caSecret, 'meshward created its CA Secret');
    const ca = signingCaOf(decodeCaSecret(caSecret));
    const creds = svid(ca, WEB, 'web');
    const config = buildConfig({});
    judge = startJudge({
      servers: [`127.0.0.1:${meshward.xdsPort}`],
      cert: creds.cert,
      key: creds.key,
      ca: creds.ca,
      serverId: serverSpiffeId(config),
      nodeId: `sidecar~${WEB}~web-1`,
      dump: true,
    });
    const apiCluster = `outbound|80|api.${API}`;
    const cds = await untilResponse('cds', (r) => r.resources.some((x) => x.name === apiCluster));
    assert.deepEqual(
      cds.resources.filter((r) => !r.ok),
      [],
    );
    const cluster = resource(cds, apiCluster)!;
    const sans = cluster.transportSocketMatches.map(
      (m: J) => m.transportSocket.typedConfig.commonTlsContext.combinedValidationContext.defaultValidationContext.matchTypedSubjectAltNames,
    );
    assert.deepEqual(sans, [[{ sanType: 'URI', matcher: { exact: `spiffe://cluster.local/ns/${API}/sa/api` } }]]);
    const eds = await untilResponse('eds', (r) => r.resources.some((x) => x.name === apiCluster));
    const endpoints = resource(eds, apiCluster)!
      .endpoints[0].lbEndpoints.map((e: J) => e.endpoint.address.socketAddress.address)
      .sort();
    assert.deepEqual(endpoints, ['10.244.1.20', '10.244.1.21']);
    const lds = await untilResponse('lds', () => true);
    assert.deepEqual(
      lds.resources.filter((r) => !r.ok),
      [],
    );
    const chains = resource(lds, 'outbound')!.filterChains.map((c: J) => c.name);
    assert.ok(chains.includes(apiCluster), chains.join(', '));
  });

  it('plaintext passthrough for the kubernetes Service, kube-dns and an unmeshed namespace: no mTLS cluster or chain for them', async () => {
    const cds = lastResponse('cds')!;
    const lds = lastResponse('lds')!;
    const names = cds.resources.map((r) => r.name);
    // kube-dns has a ready endpoint: it is left out because nothing behind it is meshed.
    let dnsEndpoints = 0;
    for (let i = 0; i < 100 && dnsEndpoints === 0; i++) {
      const slices = await json(['get', 'endpointslices', '-n', 'kube-system', '-l', 'kubernetes.io/service-name=kube-dns']);
      dnsEndpoints = slices.items[0]?.endpoints?.length ?? 0;
      if (dnsEndpoints === 0) await sleep(100);
    }
    assert.equal(dnsEndpoints, 1);
    for (const name of ['outbound|443|kubernetes.default', 'outbound|53|kube-dns.kube-system', `outbound|80|old.${PLAIN}`])
      assert.ok(!names.includes(name), name);
    const outbound = resource(lds, 'outbound')!;
    const fallback = outbound.filterChains.at(-1);
    assert.equal(fallback.name, 'outbound|passthrough');
    assert.equal(fallback.transportSocket, undefined);
  });

  it('a namespace labelled STRICT reaches the running proxy and is ACKed; the time is measured', async () => {
    const before = lastResponse('lds')!;
    const started = Date.now();
    await cp.kubectl(['label', 'namespace', WEB, 'meshward.io/mtls=STRICT', '--overwrite']);
    const after = await untilResponse('lds', (r) => r.version !== before.version);
    await judge!.next((e) => e.event === 'ack' && e.type === 'lds' && (e as { version: string }).version === after.version);
    timings.push(`STRICT label → ACK ${Date.now() - started} ms`);
    const inbound = resource(after, 'inbound')!;
    const plaintext = inbound.filterChains.filter((c: J) => /\|plaintext$/.test(c.name));
    assert.deepEqual(plaintext, [], 'no plaintext chain left on a STRICT pod');
  });

  it('a MeshTLSPolicy change reaches the running proxy and is ACKed; the time is measured', async () => {
    const before = lastResponse('eds')!;
    const started = Date.now();
    const policy = {
      apiVersion: 'meshward.io/v1alpha1',
      kind: 'MeshTLSPolicy',
      metadata: { name: 'api-plain', namespace: API },
      spec: { selector: { matchLabels: { app: 'api' } }, mode: 'PERMISSIVE', portLevelMtls: { '8080': { mode: 'DISABLE' } } },
    };
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(policy) });
    // Port 8080 of the api pods is DISABLE now: the Service is no longer meshed, its cluster goes.
    const cds = await untilResponse('cds', (r) => !r.resources.some((x) => x.name === `outbound|80|api.${API}`));
    await judge!.next((e) => e.event === 'ack' && e.type === 'cds' && (e as { version: string }).version === cds.version);
    timings.push(`MeshTLSPolicy → ACK ${Date.now() - started} ms`);
    assert.ok(before.resources.length > 0, 'the Service had endpoints before');
  });
});
