import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { Registry } from 'prom-client';
import { apiErrorFrom, KubeApiError } from '../../../webhook/kube/errors.js';
import { POD_CERTIFICATE_REQUESTS, type Resource } from '../../../webhook/kube/resources.js';
import type { KubeResourceObject, PodCertificateRequest } from '../../../webhook/kube/types.js';
import { SignerController, type SignerControllerOptions } from '../../../webhook/identity/signer/signer-controller.js';
import { createSignerMetrics } from '../../../webhook/identity/signer/signer-metrics.js';
import { loadCa, type MeshCa, type PcrStatus } from '../../../webhook/pki/index.js';
import { pcrStatusViolations } from '../../pki/pcr-status-validator.js';
import { fakeKubeApi, type FakeKubeApi } from '../../kube/fake-api.js';
import { captureLogger, ecKey, pcrFor, rootFiles, SIGNER } from '../helpers.js';

const POLICY = {
  signerName: SIGNER,
  trustDomain: 'cluster.local',
  allowedKeyTypes: ['ECDSAP256', 'RSA3072', 'RSA4096'] as const,
  ttlSeconds: 86_400,
};

describe('identity: SignerController over a fake API', function () {
  this.timeout(20_000);
  let api: FakeKubeApi;
  let ca: MeshCa;
  let log: ReturnType<typeof captureLogger>;
  before(() => {
    ca = loadCa(rootFiles());
  });
  beforeEach(() => {
    api = fakeKubeApi();
    log = captureLogger();
  });

  function controller(over: Partial<SignerControllerOptions> = {}): SignerController {
    return new SignerController({
      api,
      policy: POLICY,
      currentCa: () => ca,
      now: () => new Date(),
      logger: log.logger,
      concurrency: 4,
      retryDelayMs: 10,
      ...over,
    });
  }
  const stored = (name: string, ns = 'shop'): PodCertificateRequest => api.object(POD_CERTIFICATE_REQUESTS, ns, name)!;
  const condition = (name: string): string | undefined => stored(name).status?.conditions?.[0]?.type;

  it('on start issues every request left pending (e.g. from before a leader change), each status valid for the API', async () => {
    const keys = [ecKey(), ecKey(), ecKey()];
    keys.forEach((k, i) => api.put(POD_CERTIFICATE_REQUESTS, pcrFor(`waiting-${i}`, k)));
    const c = controller();
    c.start();
    await new Promise((r) => setTimeout(r, 0));
    await c.idle();
    for (let i = 0; i < 3; i++) {
      const pcr = stored(`waiting-${i}`);
      assert.equal(condition(`waiting-${i}`), 'Issued');
      const violations = pcrStatusViolations(
        pcr.status as PcrStatus,
        { maxExpirationSeconds: 86_400, publicKey: createPublicKey(keys[i]!) },
        new Date(),
      );
      assert.deepEqual(violations, []);
      const leaf = new X509Certificate(pcr.status!.certificateChain!);
      assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/shop/sa/web');
      assert.ok(leaf.verify(ca.certificate.publicKey));
    }
    await c.stop();
  });

  it("leaves decided requests and other signers' requests alone: no status write at all", async () => {
    const done = pcrFor('done');
    api.put(POD_CERTIFICATE_REQUESTS, {
      ...done,
      status: { conditions: [{ type: 'Denied', status: 'True', reason: 'UnsupportedKeyType' }] },
    });
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('theirs', ecKey(), { signerName: 'example.com/other' }));
    const c = controller();
    c.start();
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('new'));
    await new Promise((r) => setTimeout(r, 0));
    await c.idle();
    await c.stop();
    assert.deepEqual(
      api.calls.filter((x) => x.startsWith('replaceStatus podcertificaterequests')),
      ['replaceStatus podcertificaterequests/status shop/new'],
    );
  });

  it('denies a key type the API accepts but meshward does not (Ed25519 by default) with UnsupportedKeyType', async () => {
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('ed', generateKeyPairSync('ed25519').privateKey));
    const c = controller();
    c.start();
    await new Promise((r) => setTimeout(r, 0));
    await c.idle();
    await c.stop();
    const cond = stored('ed').status!.conditions![0]!;
    assert.equal(cond.type, 'Denied');
    assert.equal(cond.reason, 'UnsupportedKeyType');
    assert.equal(stored('ed').status!.certificateChain, undefined);
  });

  it('409 because another signer decided first: re-reads once and does not write again', async () => {
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('raced'));
    api.beforeWrite = (_verb, _r, p) => {
      api.beforeWrite = undefined;
      const cur = api.object(POD_CERTIFICATE_REQUESTS, p.metadata.namespace, p.metadata.name)!;
      api.put(POD_CERTIFICATE_REQUESTS, { ...cur, status: { conditions: [{ type: 'Failed', status: 'True', reason: 'Other' }] } });
    };
    const c = controller();
    assert.equal(await c.handle(stored('raced')), 'decided-elsewhere');
    assert.deepEqual(
      api.calls.filter((x) => /^(replaceStatus|get) podcertificaterequests/.test(x)),
      ['replaceStatus podcertificaterequests/status shop/raced', 'get podcertificaterequests shop/raced'],
    );
    assert.equal(condition('raced'), 'Failed');
  });

  it('409 because the object changed but is still pending: re-reads and writes once more', async () => {
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('bumped'));
    const stale = stored('bumped');
    api.put(POD_CERTIFICATE_REQUESTS, stale); // an unrelated write (e.g. metadata) bumps resourceVersion
    const c = controller();
    assert.equal(await c.handle(stale), 'written');
    assert.equal(condition('bumped'), 'Issued');
    assert.equal(api.calls.filter((x) => x.startsWith('replaceStatus podcertificaterequests')).length, 2);
  });

  it("the API refusing an Issued status (422) ends the request as Failed with the server's words", async () => {
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('refused'));
    api.failNext(
      'replaceStatus',
      POD_CERTIFICATE_REQUESTS,
      apiErrorFrom(
        422,
        JSON.stringify({ kind: 'Status', reason: 'Invalid', message: 'status.beginRefreshAt: Invalid value' }),
        'update podcertificaterequests/status refused',
      ),
    );
    const c = controller();
    assert.equal(await c.handle(stored('refused')), 'written');
    const cond = stored('refused').status!.conditions![0]!;
    assert.equal(cond.type, 'Failed');
    assert.equal(cond.reason, 'SigningError');
    assert.match((cond as { message?: string }).message ?? '', /refused the issued certificate: status\.beginRefreshAt: Invalid value/);
  });

  it('an internal error while deciding becomes Failed, not a request left pending', async () => {
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('broken'));
    const brokenCa = new Proxy(ca, {
      get(target, prop, receiver) {
        if (prop === 'signer') throw new Error('HSM unreachable');
        return Reflect.get(target, prop, receiver);
      },
    });
    const c = controller({ currentCa: () => brokenCa });
    assert.equal(await c.handle(stored('broken')), 'written');
    const cond = stored('broken').status!.conditions![0]! as { type: string; reason?: string; message?: string };
    assert.equal(cond.type, 'Failed');
    assert.match(cond.message ?? '', /HSM unreachable/);
  });

  it('waits (and retries) while no CA is loaded, then issues once one is', async () => {
    let current: MeshCa | undefined;
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('early'));
    const c = controller({ currentCa: () => current });
    c.start();
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(condition('early'), undefined);
    current = ca;
    const deadline = Date.now() + 5000;
    while (condition('early') === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await c.stop();
    assert.equal(condition('early'), 'Issued');
  });

  it('retries a failed write (500) until it succeeds', async () => {
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('flaky'));
    api.failNext('replaceStatus', POD_CERTIFICATE_REQUESTS, new KubeApiError(500, 'InternalError', 'etcd leader changed'), 2);
    const c = controller();
    c.start();
    const deadline = Date.now() + 5000;
    while (condition('flaky') === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await c.stop();
    assert.equal(condition('flaky'), 'Issued');
    assert.equal(api.calls.filter((x) => x.startsWith('replaceStatus podcertificaterequests')).length, 3);
  });

  it('stops retrying a request once it is deleted (the API drops PCRs after 15 minutes)', async () => {
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('doomed'));
    api.failNext('replaceStatus', POD_CERTIFICATE_REQUESTS, new KubeApiError(503, 'ServiceUnavailable', 'unavailable'), 1000);
    const c = controller({ retryDelayMs: 5 });
    c.start();
    const writes = (): number => api.calls.filter((x) => x.startsWith('replaceStatus podcertificaterequests')).length;
    const deadline = Date.now() + 5000;
    while (writes() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    api.remove(POD_CERTIFICATE_REQUESTS, 'shop', 'doomed');
    await c.idle();
    const after = writes();
    await new Promise((r) => setTimeout(r, 200)); // longer than the retry delays scheduled so far
    assert.equal(writes(), after);
    await c.stop();
  });

  it('never has more status writes in flight than its concurrency', async () => {
    for (let i = 0; i < 12; i++) api.put(POD_CERTIFICATE_REQUESTS, pcrFor(`many-${i}`));
    let inFlight = 0;
    let peak = 0;
    const slow = api.replaceStatus.bind(api);
    api.replaceStatus = async <T extends KubeResourceObject>(r: Resource<T>, p: T): Promise<T> => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((done) => setTimeout(done, 5));
      try {
        return await slow(r, p);
      } finally {
        inFlight--;
      }
    };
    const c = controller({ concurrency: 3 });
    c.start();
    await new Promise((r) => setTimeout(r, 0));
    await c.idle();
    await c.stop();
    assert.equal(peak, 3);
    assert.equal(api.objects(POD_CERTIFICATE_REQUESTS).filter((p) => p.status?.conditions?.[0]?.type === 'Issued').length, 12);
  });

  it('logs one line per decision with namespace, pod, decision and reason, never a key or certificate; counts decisions', async () => {
    const registry = new Registry();
    const metrics = createSignerMetrics(registry);
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('ok'));
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('rsa', generateKeyPairSync('ed25519').privateKey));
    const c = controller({ metrics });
    c.start();
    await new Promise((r) => setTimeout(r, 0));
    await c.idle();
    await c.stop();
    const lines = log.lines.filter((l) => l.msg === 'PodCertificateRequest decided');
    assert.equal(lines.length, 2);
    const ok = lines.find((l) => l.pcr === 'ok')!;
    assert.deepEqual(
      [ok.namespace, ok.pod, ok.decision, ok.reason, ok.spiffeId],
      ['shop', 'pod-ok', 'Issued', 'Issued', 'spiffe://cluster.local/ns/shop/sa/web'],
    );
    assert.equal(lines.find((l) => l.pcr === 'rsa')!.reason, 'UnsupportedKeyType');
    assert.doesNotMatch(log.text(), /BEGIN|PRIVATE KEY|MII/);
    const text = await registry.metrics();
    assert.match(text, /meshward_pcr_decisions_total\{decision="Issued",reason="Issued"\} 1/);
    assert.match(text, /meshward_pcr_decisions_total\{decision="Denied",reason="UnsupportedKeyType"\} 1/);
  });
});
