import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { restartCommand, workloadOf } from '../../webhook/status/workload-owner.js';

function podOwnedBy(
  owner: { kind: string; name: string; controller?: boolean } | undefined,
  labels: Record<string, string> = {},
): KubeObject {
  return { kind: 'Pod', metadata: { name: 'p-1', labels, ...(owner ? { ownerReferences: [{ controller: true, ...owner }] } : {}) } };
}

describe('workloadOf', () => {
  it('names the Deployment behind a ReplicaSet whose name ends in the pod-template-hash', () => {
    assert.deepEqual(workloadOf(podOwnedBy({ kind: 'ReplicaSet', name: 'web-api-7d9f8c' }, { 'pod-template-hash': '7d9f8c' })), {
      kind: 'Deployment',
      name: 'web-api',
    });
  });

  it('keeps a bare ReplicaSet (no matching hash label), and other controllers as they are', () => {
    assert.deepEqual(workloadOf(podOwnedBy({ kind: 'ReplicaSet', name: 'rs-one' })), { kind: 'ReplicaSet', name: 'rs-one' });
    assert.deepEqual(workloadOf(podOwnedBy({ kind: 'ReplicaSet', name: 'web-x' }, { 'pod-template-hash': 'y' })), {
      kind: 'ReplicaSet',
      name: 'web-x',
    });
    assert.deepEqual(workloadOf(podOwnedBy({ kind: 'StatefulSet', name: 'db' })), { kind: 'StatefulSet', name: 'db' });
    assert.deepEqual(workloadOf(podOwnedBy({ kind: 'Job', name: 'nightly-2901' })), { kind: 'Job', name: 'nightly-2901' });
  });

  it('makes a pod without a controller its own workload', () => {
    assert.deepEqual(workloadOf(podOwnedBy(undefined)), { kind: 'Pod', name: 'p-1' });
    assert.deepEqual(workloadOf(podOwnedBy({ kind: 'Node', name: 'n1', controller: false })), { kind: 'Node', name: 'n1' });
  });

  it('says how to restart each kind of workload', () => {
    assert.equal(restartCommand({ kind: 'Deployment', name: 'web' }, 'shop'), 'kubectl rollout restart deployment/web -n shop');
    assert.match(restartCommand({ kind: 'Pod', name: 'p' }, 'shop'), /^kubectl delete pod p -n shop/);
    assert.match(restartCommand({ kind: 'Job', name: 'j' }, 'shop'), /recreate the pods of Job\/j/);
  });
});
