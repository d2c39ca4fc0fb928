import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootCa } from '../../webhook/pki/create-ca.js';
import { loadCa } from '../../webhook/pki/mesh-ca.js';
import { issueServingCert } from '../../webhook/pki/serving-cert.js';
import type { TestServer } from '../helpers/test-server.js';
import { answerProblem, postRaw, type Answer } from './answers.js';
import { loadLoop } from './load-loop.js';
import { review, SHOP_NS, startRealServer, STRICT_NS, typicalPod } from './real-server.js';

// The serving certificate changes in the middle of a load run (keep-alive connections and fresh
// handshakes, /mutate and /validate): not one request may fail, and new handshakes get the new
// certificate. Once through reloadTls (what the file watcher calls), once through the files.
// Like a renewal of meshward's self-managed serving certificate: new key and leaf, same CA (the
// caBundle the API server holds does not change).

const COUNT = 1500;
const WORKERS = 12;

const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

interface Leaf {
  readonly cert: string;
  readonly key: string;
}

interface Outcome {
  readonly problem?: string;
  readonly peer?: string;
}

function requestFor(i: number): { path: string; body: Buffer; uid: string } {
  const uid = `rot-${i}`;
  const ns = i % 2 === 0 ? SHOP_NS : STRICT_NS;
  return { path: i % 3 === 0 ? '/validate' : '/mutate', body: Buffer.from(JSON.stringify(review(uid, typicalPod(ns), ns))), uid };
}

/** Load with a rotation at each of `at` (fractions of COUNT done); every answer must be a good one. */
async function loadWhileRotating(srv: TestServer, trusted: string, rotations: Array<() => void>): Promise<Outcome[]> {
  const keepAlive = new Agent({ keepAlive: true, maxSockets: WORKERS / 2 });
  const marks = rotations.map((_, k) => Math.floor(((k + 1) * COUNT) / (rotations.length + 1)));
  let rotated = 0;
  try {
    const { results } = await loadLoop<Outcome>({
      count: COUNT,
      workers: WORKERS,
      deadlineMs: 60_000,
      onDone: (done) => {
        while (rotated < rotations.length && done >= marks[rotated]!) rotations[rotated++]!();
      },
      send: async (i) => {
        const req = requestFor(i);
        try {
          // Every fourth request on a fresh connection: a full handshake while certificates change.
          const answer: Answer = await postRaw(
            `${srv.url}${req.path}`,
            trusted,
            req.body,
            'application/json',
            i % 4 === 0 ? false : keepAlive,
          );
          const problem = answer.status === 200 ? answerProblem(answer, req.uid) : `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
          return { problem, peer: i % 4 === 0 ? answer.peer : undefined };
        } catch (err) {
          return { problem: `request ${i}: ${(err as Error).message}` };
        }
      },
    });
    assert.equal(rotated, rotations.length, 'every rotation happened during the run');
    return results;
  } finally {
    keepAlive.destroy();
  }
}

function assertClean(results: readonly Outcome[], leaves: readonly Leaf[]): void {
  assert.equal(results.length, COUNT);
  const problems = results.filter((r) => r.problem).map((r) => r.problem);
  assert.deepEqual(problems, [], `${problems.length} of ${results.length} requests failed`);
  const seen = new Set(results.map((r) => r.peer).filter(Boolean));
  for (const leaf of leaves) assert.ok(seen.has(fingerprint(leaf.cert)), 'fresh handshakes saw every certificate in turn');
}

describe('hardening: serving-certificate rotation under load', function () {
  this.timeout(120_000);
  let leaves: Leaf[];
  let trusted: string;
  before(() => {
    const now = new Date();
    const root = createRootCa({ commonName: 'meshward webhook CA (rotation test)', now });
    const ca = loadCa({ ...root, now });
    trusted = root.certPem;
    leaves = Array.from({ length: 4 }, () => {
      const leaf = issueServingCert({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], ttlDays: 30, now });
      return { cert: leaf.certPem, key: leaf.keyPem };
    });
  });

  it('reloadTls three times during a run: zero failed requests, new handshakes get the new certificate', async () => {
    const srv = await startRealServer();
    try {
      srv.running.webhook.reloadTls({ cert: leaves[0]!.cert, key: leaves[0]!.key });
      const results = await loadWhileRotating(
        srv,
        trusted,
        leaves.slice(1).map((leaf) => () => srv.running.webhook.reloadTls(leaf)),
      );
      assertClean(results, leaves);
      const after = await postRaw(`${srv.url}/healthz`, trusted, Buffer.alloc(0), undefined, false);
      assert.equal(after.peer, fingerprint(leaves[3]!.cert));
    } finally {
      await srv.running.stop();
    }
  });

  it('rotating the certificate files (as a Secret volume update does) during a run: zero failed requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshward-rotation-'));
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    // Each write replaces the file atomically; between the two renames the pair does not match,
    // which the watcher must ride out (keeping the previous certificate).
    const install = (b: Leaf): void => {
      writeFileSync(`${certFile}.new`, b.cert);
      writeFileSync(`${keyFile}.new`, b.key);
      renameSync(`${certFile}.new`, certFile);
      renameSync(`${keyFile}.new`, keyFile);
    };
    install(leaves[0]!);
    const srv = await startRealServer({ 'self-signed': false, 'tls-cert': certFile, 'tls-key': keyFile });
    try {
      const results = await loadWhileRotating(
        srv,
        trusted,
        leaves.slice(1, 3).map((leaf) => () => install(leaf)),
      );
      // The watcher debounces by 100 ms: the last rotation may land after the run; wait for it.
      const deadline = Date.now() + 5000;
      let last = '';
      while (Date.now() < deadline && last !== fingerprint(leaves[2]!.cert)) {
        last = (await postRaw(`${srv.url}/healthz`, trusted, Buffer.alloc(0), undefined, false)).peer;
        if (last !== fingerprint(leaves[2]!.cert)) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(last, fingerprint(leaves[2]!.cert), 'the server serves the last certificate written');
      assertClean(results, leaves.slice(0, 2));
    } finally {
      await srv.running.stop();
    }
  });
});
