import assert from 'node:assert/strict';
import { injectionConfigHash } from '../../webhook/config/hash.js';
import { buildConfig } from '../../webhook/config/load.js';
import { chooseCurrentInjection, injectionFromReplica, loadCurrentInjection } from '../../webhook/cli/current-injection.js';
import type { ReplicaReads } from '../../webhook/status/telemetry.js';

// What `meshward status` judges pods against on a live cluster: what the replicas say they inject
// (GET /injection), validated like a config file; the local configuration only when none says.

const TRUST_ROOT = 'ab'.repeat(32);
const running = buildConfig({ env: { MESHWARD_PROXY_IMAGE: 'registry.local/proxy:7', MESHWARD_MESH_NAMESPACE: 'mesh-sys' } });

/** The body a replica writes (wire-handlers.ts), with overrides. */
function body(changes: Record<string, unknown> = {}): string {
  return JSON.stringify({
    config: running,
    templateHash: '0123456789abcdef',
    configHash: injectionConfigHash(running),
    trustRoot: TRUST_ROOT,
    ...changes,
  });
}

const local = loadCurrentInjection(undefined, { MESHWARD_MESH_NAMESPACE: 'mesh-sys' });
const reads = (...replicas: ReplicaReads<string>['replicas']): ReplicaReads<string> => ({ replicas });

describe('status: the current injection, from the running replicas', () => {
  it('a replica answer gives back its config exactly, with its hashes, trust root and name', () => {
    const got = injectionFromReplica('mesh-sys/meshward-a', body());
    assert.deepEqual(got.config, running);
    assert.equal(got.config.proxy.image, 'registry.local/proxy:7');
    assert.equal(got.configHash, injectionConfigHash(running));
    assert.equal(got.templateHash, '0123456789abcdef');
    assert.equal(got.trustRoot, TRUST_ROOT);
    assert.equal(got.origin, 'replica mesh-sys/meshward-a');
  });

  it('a malformed answer names the replica and the field, and the accepted form', () => {
    const cases: Array<[string, RegExp]> = [
      ['<html>', /replica r GET \/injection: the answer is not JSON/],
      ['null', /templateHash must be a lowercase hex hash/],
      [body({ templateHash: 'ZZ' }), /templateHash must be a lowercase hex hash/],
      [body({ configHash: 7 }), /configHash must be a lowercase hex hash/],
      [body({ trustRoot: 'short' }), /trustRoot must be a SHA-256 fingerprint \(64 hex digits\)/],
      [
        body({ config: { ...running, proxy: { ...running.proxy, uid: 'root' } } }),
        /proxy\.uid \(replica r GET \/injection\): "root" must be an integer from 1/,
      ],
      [body({ config: { ...running, surprise: 1 } }), /surprise \(replica r GET \/injection\): unknown field/],
    ];
    for (const [answer, message] of cases) assert.throws(() => injectionFromReplica('r', answer), message, answer.slice(0, 60));
  });

  it('takes the first replica that answers, in name order; a replica that failed is skipped silently', () => {
    const { current, notes } = chooseCurrentInjection(
      local,
      reads(
        { replica: 'mesh-sys/a', error: 'timeout' },
        { replica: 'mesh-sys/b', answer: body() },
        { replica: 'mesh-sys/c', answer: body() },
      ),
    );
    assert.equal(current.origin, 'replica mesh-sys/b');
    assert.equal(current.config.proxy.image, 'registry.local/proxy:7');
    assert.deepEqual(notes, []);
  });

  it('says so when replicas inject differently (a rollout) and judges by the first', () => {
    const { current, notes } = chooseCurrentInjection(
      local,
      reads({ replica: 'mesh-sys/a', answer: body() }, { replica: 'mesh-sys/b', answer: body({ templateHash: 'fedcba9876543210' }) }),
    );
    assert.equal(current.origin, 'replica mesh-sys/a');
    assert.equal(notes.length, 1);
    assert.match(
      notes[0]!,
      /replicas inject differently.*mesh-sys\/a templates 0123456789abcdef.*mesh-sys\/b templates fedcba9876543210.*judging against replica mesh-sys\/a/,
    );
  });

  it('falls back to the local configuration, saying why, when no replica says', () => {
    const none = chooseCurrentInjection(local, reads());
    assert.equal(none.current.origin, 'local configuration');
    assert.equal(none.current.configHash, local.configHash);
    assert.match(none.notes[0]!, /no Running meshward pod in mesh-sys.*judging against the local configuration/);

    const failed = chooseCurrentInjection(
      local,
      reads({ replica: 'mesh-sys/a', error: 'no GET /injection (an older meshward?)' }, { replica: 'mesh-sys/b', answer: '{}' }),
    );
    assert.equal(failed.current.origin, 'local configuration');
    assert.match(
      failed.notes[0]!,
      /mesh-sys\/a: no GET \/injection \(an older meshward\?\); replica mesh-sys\/b GET \/injection: templateHash/,
    );

    const forbidden = chooseCurrentInjection(local, { replicas: [], error: "cannot list meshward's pods: forbidden" });
    assert.match(forbidden.notes[0]!, /cannot list meshward's pods: forbidden/);
  });
});
