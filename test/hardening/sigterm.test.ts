import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { answerProblem } from './answers.js';
import { review, SHOP_NS, STRICT_NS, typicalPod } from './real-server.js';
import { startServeProcess, type ServeProcess } from './serve-process.js';
import { trackedPost, type Tracked } from './tracked-request.js';

// SIGTERM to the real `meshward serve` process in the middle of a load run.
//
// "In flight" here means: the request was written to an established TLS connection (a fresh one or
// a reused keep-alive one). The server has it, or will read it, so it must answer it — 200 with a
// valid AdmissionReview, never a 5xx, a reset, a hang-up or a truncated body. A request whose
// connection was never established (refused at connect once the listener closed, or cut during the
// TLS handshake) never reached meshward; those are allowed after shutdown began, and only then.

// The listener closes this long after SIGTERM (the release default is 5 s; shorter keeps the test short).
const SHUTDOWN_DELAY_MS = 1000;
const WORKERS = 16;
const MAX_REQUESTS = 20_000;
const SIGTERM_AFTER = 400;

interface Sent {
  readonly i: number;
  readonly uid: string;
  readonly outcome: Tracked;
}

describe('hardening: SIGTERM during a load run (real CLI process)', function () {
  this.timeout(90_000);
  let proc: ServeProcess | undefined;
  after(() => proc?.kill());

  it('answers every request that reached an established connection, refuses the rest at connect, and exits 0', async () => {
    proc = await startServeProcess(['--shutdown-delay-ms', String(SHUTDOWN_DELAY_MS)]);
    const { url, ca } = proc;
    const keepAlive = new Agent({ keepAlive: true, maxSockets: WORKERS });
    const results: Sent[] = [];
    let next = 0;
    let sigtermAt = Number.POSITIVE_INFINITY;
    let exitedAt = Number.POSITIVE_INFINITY;
    let exitCode: number | null | undefined;
    void proc.exited.then((code) => {
      exitCode = code;
      exitedAt = performance.now();
    });
    const deadline = performance.now() + 45_000;
    // Keep sending until 300 ms after the process is gone (those are refused), bounded in count and time.
    const keepGoing = (): boolean => next < MAX_REQUESTS && performance.now() < deadline && performance.now() < exitedAt + 300;

    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (keepGoing()) {
          const i = next++;
          const uid = `term-${i}`;
          const ns = i % 2 ? STRICT_NS : SHOP_NS;
          const body = Buffer.from(JSON.stringify(review(uid, typicalPod(ns), ns)));
          // One request in five on a fresh connection: new handshakes race the listener closing too.
          const outcome = await trackedPost(`${url}${i % 3 === 0 ? '/validate' : '/mutate'}`, ca, body, i % 5 === 0 ? false : keepAlive);
          results.push({ i, uid, outcome });
          if (results.length === SIGTERM_AFTER) {
            sigtermAt = performance.now();
            proc!.child.kill('SIGTERM');
          }
          if (outcome.kind !== 'answered') await new Promise((r) => setTimeout(r, 5)); // no hot loop on refusals
        }
      }),
    );
    keepAlive.destroy();
    await proc.exited;

    assert.ok(Number.isFinite(sigtermAt), 'SIGTERM was sent during the run');
    assert.equal(exitCode, 0, `meshward serve exit code (output: ${proc.output().slice(-1000)})`);

    const failed = results.filter((r) => r.outcome.kind === 'failed');
    assert.deepEqual(
      failed.slice(0, 10).map((r) => ({ i: r.i, ...r.outcome, sentAfterSigtermMs: Math.round(r.outcome.sentAt - sigtermAt) })),
      [],
      `${failed.length} requests on established connections got no complete answer`,
    );

    const answered = results.filter((r) => r.outcome.kind === 'answered');
    const bad = answered
      .map((r) =>
        r.outcome.kind === 'answered'
          ? answerProblem({ status: r.outcome.status, body: r.outcome.body, headers: {}, peer: '' }, r.uid)
          : undefined,
      )
      .filter(Boolean);
    assert.deepEqual(bad.slice(0, 5), [], `${bad.length} answers were not a valid 200 AdmissionReview`);
    assert.ok(
      answered.every((r) => r.outcome.kind === 'answered' && r.outcome.status === 200),
      'every answer is a 200',
    );

    const refused = results.filter((r) => r.outcome.kind === 'refused');
    // The listener stays open for the shutdown delay after SIGTERM (readiness already failing), so
    // nothing is refused before that; then a request whose connection was not established yet is.
    const firstRefused = Math.min(...refused.map((r) => r.outcome.doneAt));
    assert.ok(
      firstRefused >= sigtermAt + SHUTDOWN_DELAY_MS - 5,
      `the first refusal came ${Math.round(firstRefused - sigtermAt)} ms after SIGTERM, within the shutdown delay`,
    );
    assert.ok(
      answered.some((r) => r.outcome.kind === 'answered' && r.outcome.connectedAt > sigtermAt + 100),
      'new connections were served during the shutdown delay',
    );
    assert.ok(refused.length > 0, 'the run went on past the shutdown (requests were refused at connect)');

    // The requests in flight when SIGTERM arrived (on an established connection, not yet answered)
    // were all answered.
    const inFlight = results.filter(
      (r) => r.outcome.kind !== 'refused' && r.outcome.connectedAt < sigtermAt && r.outcome.doneAt > sigtermAt,
    );
    assert.ok(inFlight.length > 0, 'requests were in flight at SIGTERM');
    assert.ok(inFlight.every((r) => r.outcome.kind === 'answered'));
    const answeredAfter = answered.filter((r) => r.outcome.doneAt > sigtermAt).length;
    process.stdout.write(
      `      ${results.length} requests: ${answered.length} answered (${inFlight.length} in flight at SIGTERM, ${answeredAfter} answered after it), ${refused.length} refused at connect after shutdown (${[...new Set(refused.map((r) => (r.outcome.kind === 'refused' ? r.outcome.code : '')))].join(', ')}), 0 failed\n`,
    );
  });
});
