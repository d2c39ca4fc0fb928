import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import type { AdmissionHandler } from '../../webhook/admission/types.js';
import { buildConfig } from '../../webhook/config/load.js';
import { httpsRequest, podReview, postReview } from '../helpers/https-client.js';
import { startTestServer } from '../helpers/test-server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// SIGTERM's sequence (RunningMeshward.terminate): /readyz fails at once, admission goes on for the
// shutdown delay (answers close their connections, so clients re-dial where the endpoints now
// point), then the listener closes and in-flight requests finish.

// A pod named "held" is answered only once the test releases it.
let release: () => void = () => undefined;
const handler: AdmissionHandler = async (req) => {
  if (req.object?.metadata?.name === 'held') await new Promise<void>((r) => (release = r));
  return { allowed: true, reason: 'allowed', patch: [] };
};

async function refusedAt(url: string, ca: string): Promise<number> {
  for (const deadline = performance.now() + 10_000; performance.now() < deadline; await sleep(25)) {
    try {
      await httpsRequest(`${url}/healthz`, { ca, method: 'GET' });
    } catch (err) {
      // Refused at connect, or reset: a connection still in the accept queue when the listener closed.
      if (['ECONNREFUSED', 'ECONNRESET'].includes(String((err as NodeJS.ErrnoException).code))) return performance.now();
      throw err;
    }
  }
  throw new Error('the listener never closed');
}
const DELAY_MS = 800;

describe('graceful termination: readiness first, then the shutdown delay, then the listener', () => {
  it('the shutdown delay is a config field with a flag, 5 s by default', () => {
    assert.equal(buildConfig({ flags: { 'self-signed': true } }).server.shutdownDelayMs, 5000);
    assert.equal(buildConfig({ flags: { 'self-signed': true, 'shutdown-delay-ms': '0' } }).server.shutdownDelayMs, 0);
    assert.throws(() => buildConfig({ flags: { 'self-signed': true, 'shutdown-delay-ms': '-1' } }), /server\.shutdownDelayMs/);
    const defaults = buildConfig({ flags: { 'self-signed': true } }).server;
    // The kubelet sends SIGKILL after terminationGracePeriodSeconds (30 s); the controllers' stop needs a moment after both.
    assert.ok(defaults.shutdownDelayMs + defaults.shutdownTimeoutMs <= 25_000);
  });

  it('keeps answering admission while /readyz fails, closing each connection after its answer; then refuses, with in-flight requests answered', async () => {
    const srv = await startTestServer({ mutate: handler, validate: handler }, { 'shutdown-delay-ms': String(DELAY_MS) });
    const agent = new Agent({ keepAlive: true, maxSockets: 2, ca: srv.ca });
    try {
      assert.equal((await postReview(`${srv.url}/mutate`, srv.ca, podReview('before'), agent)).headers.connection, 'keep-alive');
      const started = performance.now();
      const terminating = srv.running.terminate();

      const readyz = await httpsRequest(`${srv.url}/readyz`, { ca: srv.ca, method: 'GET' });
      assert.equal(readyz.status, 503);
      assert.deepEqual(readyz.json().pending, ['not-shutting-down']);

      // The kept-alive connection and a fresh one are both still served, each told to close.
      const reused = await postReview(`${srv.url}/mutate`, srv.ca, podReview('reused'), agent);
      const fresh = await postReview(`${srv.url}/validate`, srv.ca, podReview('fresh'));
      for (const r of [reused, fresh]) {
        assert.equal(r.status, 200);
        assert.equal(r.json().response.allowed, true);
        assert.equal(r.headers.connection, 'close');
      }

      // A request in flight when the listener closes is still answered.
      const held = postReview(`${srv.url}/mutate`, srv.ca, podReview('held', { metadata: { name: 'held' } }));
      const closedAfter = (await refusedAt(srv.url, srv.ca)) - started;
      assert.ok(closedAfter >= DELAY_MS, `the listener closed ${Math.round(closedAfter)} ms after terminate()`);
      release();
      assert.equal((await held).status, 200);
      assert.equal((await held).json().response.allowed, true);

      const { forced } = await terminating;
      assert.equal(forced, false);
      const messages = srv.lines.map((l) => l.msg);
      assert.ok(messages.includes('draining: /readyz fails; admission and xDS go on for the shutdown delay'), messages.join('\n'));
    } finally {
      agent.destroy();
    }
  });
});
