import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { connect } from 'node:tls';
import type { AdmissionHandler } from '../../webhook/admission/types.js';
import { generateSelfSigned } from '../../webhook/server/self-signed.js';
import { httpsRequest, podReview, postReview } from '../helpers/https-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Test handlers: the decision depends on the pod name, and "slow-*" pods take 300 ms.
const handler: AdmissionHandler = async (req) => {
  const name = String(req.object?.metadata?.name ?? '');
  if (name.startsWith('slow')) await sleep(300);
  if (name === 'throw') throw new Error('boom: template missing');
  if (name === 'deny') return { allowed: false, reason: 'TEST_DENY', message: '[TEST_DENY] metadata.name: "deny" is refused. Fix: rename' };
  return { allowed: true, reason: 'allowed', patch: name === 'patch' ? [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }] : [] };
};

describe('HTTPS admission server (real TLS, ephemeral port)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ mutate: handler, validate: handler });
  });
  after(async () => {
    await srv.running.stop();
  });

  it('serves a verified TLS 1.2+ certificate for 127.0.0.1 and refuses TLS 1.1', async () => {
    const ok = await httpsRequest(`${srv.url}/healthz`, { ca: srv.ca, method: 'GET' });
    assert.equal(ok.status, 200);
    await assert.rejects(
      new Promise((resolve, reject) => {
        const socket = connect({
          host: '127.0.0.1',
          port: srv.running.address.port,
          ca: srv.ca,
          servername: 'localhost',
          maxVersion: 'TLSv1.1',
          minVersion: 'TLSv1',
        });
        socket.on('secureConnect', () => {
          socket.destroy();
          resolve(undefined);
        });
        socket.on('error', reject);
      }),
    );
  });

  it('allows, echoing uid and apiVersion/kind', async () => {
    const res = await postReview(`${srv.url}/validate`, srv.ca, podReview('uid-allow'));
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'uid-allow', allowed: true },
    });
  });

  it('returns a base64 JSONPatch from /mutate', async () => {
    const res = await postReview(`${srv.url}/mutate`, srv.ca, podReview('uid-patch', { metadata: { name: 'patch' } }));
    const response = res.json().response;
    assert.equal(response.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(response.patch, 'base64').toString()), [
      { op: 'add', path: '/metadata/labels', value: { a: 'b' } },
    ]);
  });

  it('denies with HTTP 200, allowed:false, a status code and the message', async () => {
    const res = await postReview(`${srv.url}/validate`, srv.ca, podReview('uid-deny', { metadata: { name: 'deny' } }));
    assert.equal(res.status, 200);
    const { response } = res.json();
    assert.equal(response.allowed, false);
    assert.equal(response.status.code, 403);
    assert.match(response.status.message, /TEST_DENY.*metadata\.name.*Fix/);
  });

  it('fails closed when a handler throws, and logs the stack', async () => {
    const res = await postReview(`${srv.url}/mutate`, srv.ca, podReview('uid-throw', { metadata: { name: 'throw' } }));
    assert.equal(res.status, 200);
    const { response } = res.json();
    assert.equal(response.allowed, false);
    assert.match(response.status.message, /boom: template missing/);
    const line = srv.lines.find((l) => l.uid === 'uid-throw' && l.err);
    assert.ok(line, 'an error log line for the failed handler');
    assert.match(line.err.stack, /boom: template missing\n\s+at /);
  });

  it('writes one structured log line per admission', async () => {
    await postReview(`${srv.url}/validate`, srv.ca, podReview('uid-log', { metadata: { name: 'logged' } }, 'team-a'));
    const lines = srv.lines.filter((l) => l.uid === 'uid-log');
    assert.equal(lines.length, 1);
    assert.deepEqual(
      {
        kind: lines[0]!.kind,
        namespace: lines[0]!.namespace,
        name: lines[0]!.name,
        operation: lines[0]!.operation,
        decision: lines[0]!.decision,
        reason: lines[0]!.reason,
      },
      { kind: 'Pod', namespace: 'team-a', name: 'logged', operation: 'CREATE', decision: 'allowed', reason: 'allowed' },
    );
    assert.equal(typeof lines[0]!.durationMs, 'number');
  });

  const badInputs: Array<[string, { body: string | Buffer; type?: string }, number, string]> = [
    ['invalid JSON', { body: '{"apiVersion":' }, 400, 'InvalidJSON'],
    ['a wrong content type', { body: '{}', type: 'text/plain' }, 415, 'UnsupportedMediaType'],
    ['no content type', { body: '{}', type: '' }, 415, 'UnsupportedMediaType'],
    ['a body over the limit', { body: Buffer.alloc(4 * 1024 * 1024 + 10, 32) }, 413, 'PayloadTooLarge'],
    [
      'a v1beta1 review',
      { body: JSON.stringify({ ...podReview('x'), apiVersion: 'admission.k8s.io/v1beta1' }) },
      400,
      'UnsupportedAdmissionReview',
    ],
    [
      'a review without uid',
      {
        body: JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: { operation: 'CREATE', kind: { kind: 'Pod', version: 'v1' } },
        }),
      },
      400,
      'InvalidAdmissionReview',
    ],
  ];
  for (const [name, input, status, error] of badInputs) {
    it(`answers ${name} with ${status} {error, detail}`, async () => {
      const headers: Record<string, string> = input.type === '' ? {} : { 'content-type': input.type ?? 'application/json' };
      const res = await httpsRequest(`${srv.url}/mutate`, { ca: srv.ca, body: input.body, headers });
      assert.equal(res.status, status);
      const body = res.json();
      assert.equal(body.error, error);
      assert.equal(typeof body.detail, 'string');
      assert.ok(body.detail.length > 10);
    });
  }

  it('answers a chunked body over the limit (no content-length) with 413', async () => {
    const { request } = await import('node:https');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${srv.url}/mutate`,
        { method: 'POST', ca: srv.ca, servername: 'localhost', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 32);
      for (let i = 0; i < 5; i++) req.write(chunk);
      req.end();
    });
    assert.equal(status, 413);
  });

  it('exposes readiness, health and Prometheus metrics', async () => {
    const ready = await httpsRequest(`${srv.url}/readyz`, { ca: srv.ca, method: 'GET' });
    assert.equal(ready.status, 200);
    const metrics = await httpsRequest(`${srv.url}/metrics`, { ca: srv.ca, method: 'GET' });
    assert.match(metrics.body, /meshward_admissions_total\{webhook="validate",operation="CREATE",outcome="denied",reason="TEST_DENY"\} 1/);
    assert.match(metrics.body, /meshward_admission_duration_seconds_bucket\{le="0.0005",webhook="(mutate|validate)"\}/);
    assert.match(metrics.body, /meshward_admissions_in_flight\{webhook="mutate"\} 0\n/);
    assert.match(metrics.body, /meshward_admissions_in_flight\{webhook="validate"\} 0\n/);
    assert.match(metrics.body, /meshward_bad_requests_total\{webhook="mutate",error="InvalidJSON"\} 1\n/);
    // Counts live outside prom-client until a scrape: a second scrape after one more review adds up.
    const count = (text: string): number =>
      Number(/meshward_admission_duration_seconds_count\{webhook="validate"\} (\d+)\n/.exec(text)?.[1]);
    await postReview(`${srv.url}/validate`, srv.ca, podReview('uid-deny-again', { metadata: { name: 'deny' } }));
    const again = await httpsRequest(`${srv.url}/metrics`, { ca: srv.ca, method: 'GET' });
    assert.match(again.body, /meshward_admissions_total\{webhook="validate",operation="CREATE",outcome="denied",reason="TEST_DENY"\} 2\n/);
    assert.equal(count(again.body), count(metrics.body) + 1);
  });

  it('answers 405 for GET /mutate and 404 for unknown paths, as JSON', async () => {
    const get = await httpsRequest(`${srv.url}/mutate`, { ca: srv.ca, method: 'GET' });
    assert.equal(get.status, 405);
    assert.equal(get.json().error, 'MethodNotAllowed');
    const missing = await httpsRequest(`${srv.url}/nope`, {
      ca: srv.ca,
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(missing.status, 404);
  });
});

describe('serving-certificate reload and graceful shutdown', () => {
  it('reloads the certificate while requests are in flight, with none failing', async () => {
    const srv = await startTestServer({ mutate: handler, validate: handler });
    try {
      const agent = new Agent({ keepAlive: true, maxSockets: 8, ca: srv.ca });
      const inflight = Array.from({ length: 16 }, (_, i) =>
        postReview(`${srv.url}/validate`, srv.ca, podReview(`r-${i}`, { metadata: { name: `slow-${i}` } }), agent),
      );
      await sleep(50);
      const next = generateSelfSigned(new Date());
      srv.running.webhook.reloadTls({ cert: next.cert, key: next.key });
      const results = await Promise.all(inflight);
      assert.deepEqual(
        results.map((r) => r.status),
        Array(16).fill(200),
      );
      assert.ok(results.every((r) => r.json().response.allowed === true));
      // New handshakes get the new certificate: the old CA no longer verifies, the new one does.
      agent.destroy();
      await assert.rejects(httpsRequest(`${srv.url}/healthz`, { ca: srv.ca, method: 'GET' }), /self-signed|unable to verify|certificate/i);
      const fresh = await httpsRequest(`${srv.url}/healthz`, { ca: next.caCert, method: 'GET' });
      assert.equal(fresh.status, 200);
    } finally {
      await srv.running.stop();
    }
  });

  it('on shutdown turns readiness off, stops accepting and completes every in-flight request', async () => {
    const srv = await startTestServer({ mutate: handler, validate: handler });
    const agent = new Agent({ keepAlive: true, maxSockets: 4, ca: srv.ca });
    const inflight = Array.from({ length: 8 }, (_, i) =>
      postReview(`${srv.url}/mutate`, srv.ca, podReview(`s-${i}`, { metadata: { name: `slow-${i}` } }), agent),
    );
    await sleep(60);
    const stopping = srv.running.stop();
    assert.equal(srv.running.readiness.ready, false);
    const results = await Promise.all(inflight);
    assert.deepEqual(
      results.map((r) => r.status),
      Array(8).fill(200),
    );
    const { forced } = await stopping;
    assert.equal(forced, false);
    await assert.rejects(httpsRequest(`${srv.url}/healthz`, { ca: srv.ca, method: 'GET' }), /ECONNREFUSED/);
    agent.destroy();
  });
});
