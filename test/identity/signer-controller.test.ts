import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { Registry } from 'prom-client';
import { ApiStatusError, type PcrObject } from '../../webhook/identity/identity-api.js';
import { SignerController, type SignerControllerOptions } from '../../webhook/identity/signer-controller.js';
import { createSignerMetrics } from '../../webhook/identity/signer-metrics.js';
import { loadCa, type MeshCa, type PcrStatus } from '../../webhook/pki/index.js';
import { pcrStatusViolations } from '../pki/pcr-status-validator.js';
import { fakeApi, type FakeApi } from './fake-api.js';
import { captureLogger, ecKey, pcrFor, rootFiles, SIGNER } from './helpers.js';

const POLICY = { signerName: SIGNER, trustDomain: 'cluster.local', allowedKeyTypes: ['ECDSAP256', 'RSA3072', 'RSA4096'] as const, ttlSeconds: 86_400 };

describe('identity: SignerController over a fake API', function () {
  this.timeout(20_000);
  let api: FakeApi;
  let ca: MeshCa;
  let log: ReturnType<typeof captureLogger>;
  before(() => {
    ca = loadCa(rootFiles());
  });
  beforeEach(() => {
    api = fakeApi();
    log = captureLogger();
  });

  function controller(over: Partial<SignerControllerOptions> = {}): SignerController {
    return new SignerController({ api, policy: POLICY, currentCa: () => ca, now: () => new Date(), logger: log.logger, concurrency: 4, retryDelayMs: 10, ...over });
  }
  const stored = (name: string, ns = 'shop'): PcrObject => api.pcrs.get(ns, name)!;
  const condition = (name: string): string | undefined => stored(name).status?.conditions?.[0]?.type;

  it('on start issues every request left pending (e.g. from before a leader change), each status valid for the API', async () => {
    const keys = [ecKey(), ecKey(), ecKey()];
    keys.forEach((k, i) => api.putPcr(pcrFor(`waiting-${i}`, k)));
    const c = controller();
    c.start();
    await new Promise((r) => setTimeout(r, 0));
    await c.idle();
    for (let i = 0; i < 3; i++) {
      const pcr = stored(`waiting-${i}`);
      assert.equal(condition(`waiting-${i}`), 'Issued');
      const violations = pcrStatusViolations(pcr.status as PcrStatus, { maxExpirationSeconds: 86_400, publicKey: createPublicKey(keys[i]!) }, new Date());
      assert.deepEqual(violations, []);
      const leaf = new X509Certificate(pcr.status!.certificateChain!);
      assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/shop/sa/web');
      assert.ok(leaf.verify(ca.certificate.publicKey));
    }
    await c.stop();
  });

  it('leaves decided requests and other signers\' requests alone: no status write at all', async () => {
    const done = pcrFor('done');
    api.putPcr({ ...done, status: { conditions: [{ type: 'Denied', status: 'True', reason: 'UnsupportedKeyType' }] } });
    api.putPcr(pcrFor('theirs', ecKey(), { signerName: 'example.com/other' }));
    const c = controller();
    c.start();
    api.putPcr(pcrFor('new'));
    await new Promise((r) => setTimeout(r, 0));
    await c.idle();
    await c.stop();
    assert.deepEqual(api.calls.filter((x) => x.startsWith('replacePcrStatus')), ['replacePcrStatus shop/new']);
  });

  it('denies a key type the API accepts but meshward does not (Ed25519 by default) with UnsupportedKeyType', async () => {
    api.putPcr(pcrFor('ed', generateKeyPairSync('ed25519').privateKey));
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
    api.putPcr(pcrFor('raced'));
    api.beforeStatusWrite = (p) => {
      api.beforeStatusWrite = undefined;
      const cur = api.pcrs.get(p.metadata.namespace, p.metadata.name)!;
      api.pcrs.replace({ ...cur, status: { conditions: [{ type: 'Failed', status: 'True', reason: 'Other' }] } });
    };
    const c = controller();
    assert.equal(await c.handle(stored('raced')), 'decided-elsewhere');
    assert.deepEqual(api.calls.filter((x) => /PcrStatus|getPcr/.test(x)), ['replacePcrStatus shop/raced', 'getPcr shop/raced']);
    assert.equal(condition('raced'), 'Failed');
  });

  it('409 because the object changed but is still pending: re-reads and writes once more', async () => {
    api.putPcr(pcrFor('bumped'));
    const stale = stored('bumped');
    api.putPcr(stale); // an unrelated write (e.g. metadata) bumps resourceVersion
    const c = controller();
    assert.equal(await c.handle(stale), 'written');
    assert.equal(condition('bumped'), 'Issued');
    assert.equal(api.calls.filter((x) => x.startsWith('replacePcrStatus')).length, 2);
  });

  it('the API refusing an Issued status (422) ends the request as Failed with the server\'s words', async () => {
    api.putPcr(pcrFor('refused'));
    api.failNext('replacePcrStatus', Object.assign(new ApiStatusError(422, 'Unprocessable'), { body: JSON.stringify({ message: 'status.beginRefreshAt: Invalid value' }) }));
    const c = controller();
    assert.equal(await c.handle(stored('refused')), 'written');
    const cond = stored('refused').status!.conditions![0]!;
    assert.equal(cond.type, 'Failed');
    assert.equal(cond.reason, 'SigningError');
    assert.match((cond as { message?: string }).message ?? '', /refused the issued certificate: status\.beginRefreshAt: Invalid value/);
  });

  it('an internal error while deciding becomes Failed, not a request left pending', async () => {
    api.putPcr(pcrFor('broken'));
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
    api.putPcr(pcrFor('early'));
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
    api.putPcr(pcrFor('flaky'));
    api.failNext('replacePcrStatus', new ApiStatusError(500, 'etcd leader changed'), 2);
    const c = controller();
    c.start();
    const deadline = Date.now() + 5000;
    while (condition('flaky') === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await c.stop();
    assert.equal(condition('flaky'), 'Issued');
    assert.equal(api.calls.filter((x) => x.startsWith('replacePcrStatus')).length, 3);
  });

  it('stops retrying a request once it is deleted (the API drops PCRs after 15 minutes)', async () => {
    api.putPcr(pcrFor('doomed'));
    api.failNext('replacePcrStatus', new ApiStatusError(503, 'unavailable'), 1000);
    const c = controller({ retryDelayMs: 5 });
    c.start();
    const writes = (): number => api.calls.filter((x) => x.startsWith('replacePcrStatus')).length;
    const deadline = Date.now() + 5000;
    while (writes() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    api.deletePcr('shop', 'doomed');
    await c.idle();
    const after = writes();
    await new Promise((r) => setTimeout(r, 200)); // longer than the retry delays scheduled so far
    assert.equal(writes(), after);
    await c.stop();
  });

  it('never has more status writes in flight than its concurrency', async () => {
    for (let i = 0; i < 12; i++) api.putPcr(pcrFor(`many-${i}`));
    let inFlight = 0;
    let peak = 0;
    const slow = api.replacePcrStatus.bind(api);
    api.replacePcrStatus = async (p) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      try {
        return await slow(p);
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
    assert.equal([...api.pcrs.items.values()].filter((p) => p.status?.conditions?.[0]?.type === 'Issued').length, 12);
  });

  it('logs one line per decision with namespace, pod, decision and reason, never a key or certificate; counts decisions', async () => {
    const registry = new Registry();
    const metrics = createSignerMetrics(registry);
    api.putPcr(pcrFor('ok'));
    api.putPcr(pcrFor('rsa', generateKeyPairSync('ed25519').privateKey));
    const c = controller({ metrics });
    c.start();
    await new Promise((r) => setTimeout(r, 0));
    await c.idle();
    await c.stop();
    const lines = log.lines.filter((l) => l.msg === 'PodCertificateRequest decided');
    assert.equal(lines.length, 2);
    const ok = lines.find((l) => l.pcr === 'ok')!;
    assert.deepEqual([ok.namespace, ok.pod, ok.decision, ok.reason, ok.spiffeId], ['shop', 'pod-ok', 'Issued', 'Issued', 'spiffe://cluster.local/ns/shop/sa/web']);
    assert.equal(lines.find((l) => l.pcr === 'rsa')!.reason, 'UnsupportedKeyType');
    assert.doesNotMatch(log.text(), /BEGIN|PRIVATE KEY|MII/);
    const text = await registry.metrics();
    assert.match(text, /meshward_pcr_decisions_total\{decision="Issued",reason="Issued"\} 1/);
    assert.match(text, /meshward_pcr_decisions_total\{decision="Denied",reason="UnsupportedKeyType"\} 1/);
  });
});
