import assert from 'node:assert/strict';
import type { AdmissionDecision, KubeObject } from '../../webhook/admission/types.js';
import { createGateHandler } from '../../webhook/gate/gate-handler.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { requirementOf } from '../../webhook/status/namespace-info.js';
import { appTemplate, clone, config, cronJob, deployment, failingCluster, injectedPod, namespace, request, strictNs } from './fixtures.js';

// The handler for Pods and workload templates: messages, dry-run, DELETE, UPDATE, fail closed.

type Spec = Record<string, any>;

const cluster = new StaticClusterState([
  strictNs('shop'),
  namespace('dev', { 'meshward.io/mtls': 'PERMISSIVE' }),
  namespace('plain'),
  namespace('lax', { 'meshward.io/mtls': 'strict' }),
]);
const gate = createGateHandler({ config, cluster });

function bypassPod(ns = 'shop'): KubeObject {
  const pod = injectedPod() as Spec;
  pod.metadata.namespace = ns;
  pod.spec.hostNetwork = true;
  pod.spec.containers[0].securityContext.capabilities = { add: ['NET_ADMIN'] };
  return pod;
}

function hostNetworkDeployment(): KubeObject {
  const template = appTemplate() as Spec;
  template.spec.hostNetwork = true;
  return deployment('web', template);
}

describe('gate handler: pods and workloads', () => {
  it('denies with every rule ID, field and fix in the message, reason = first rule', async () => {
    const decision = await gate(request(bypassPod()));
    assert.equal(decision.allowed, false);
    assert.equal(decision.reason, 'MW-HOSTNET-001');
    assert.equal(decision.code, 403);
    const parts = decision.message!.split('; ');
    assert.equal(parts.length, 2);
    assert.match(parts[0]!, /^\[MW-HOSTNET-001\] spec\.hostNetwork: .+\. Fix: remove hostNetwork: true/);
    assert.match(
      parts[1]!,
      /^\[MW-CAPS-001\] spec\.containers\[0\]\.securityContext\.capabilities\.add: container "web" adds NET_ADMIN.*\. Fix: remove NET_ADMIN/,
    );
  });

  it("denies a workload by its template field path, at the workload's admission", async () => {
    const decision = await gate(request(hostNetworkDeployment()));
    assert.equal(decision.allowed, false);
    assert.match(decision.message!, /^\[MW-HOSTNET-001\] spec\.template\.spec\.hostNetwork: /);
    const cron = cronJob('nightly', { metadata: { annotations: { 'meshward.io/inject': 'FALSE' } }, spec: (appTemplate() as Spec).spec });
    assert.match(
      (await gate(request(cron))).message!,
      /\[MW-INJECT-001\] spec\.jobTemplate\.spec\.template\.metadata\.annotations\["meshward\.io\/inject"\]/,
    );
  });

  it('refuses a pod that arrives without the sidecar (the injector fails open, the gate does not)', async () => {
    const pod = injectedPod() as Spec;
    pod.spec.initContainers = [];
    const decision = await gate(request(pod));
    assert.equal(decision.reason, 'MW-SIDECAR-001');
    assert.match(decision.message!, /\[MW-SIDECAR-002\] spec\.initContainers: /);
  });

  const allowed: Array<[string, KubeObject, string]> = [
    ['a violating pod in a PERMISSIVE namespace', bypassPod('dev'), 'not-strict'],
    ['a violating pod in an unlabelled namespace', bypassPod('plain'), 'not-strict'],
    ['a pod in kube-system', bypassPod('kube-system'), 'not-gated'],
    ["a pod in meshward's own namespace", bypassPod('meshward-system'), 'not-gated'],
    ['a compliant pod', injectedPod(), 'compliant'],
  ];
  for (const [name, object, reason] of allowed) {
    it(`allows ${name} (${reason})`, async () => {
      const decision = await gate(request(object));
      assert.deepEqual([decision.allowed, decision.reason], [true, reason]);
    });
  }

  it('reads a lower-case "strict" label as the webhook selector and status do: not STRICT (status shows it invalid)', async () => {
    // The API server never sends pods of such a namespace (matchLabels: {meshward.io/mtls: STRICT}):
    // meshward must not report it STRICT while its pods go ungated.
    const decision = await gate(request(bypassPod('lax')));
    assert.deepEqual([decision.allowed, decision.reason], [true, 'not-strict']);
    assert.deepEqual(requirementOf(namespace('lax', { 'meshward.io/mtls': 'strict' })), { requirement: 'invalid', label: 'strict' });
  });

  it('answers dry-run requests exactly like real ones', async () => {
    for (const object of [bypassPod(), injectedPod(), hostNetworkDeployment()]) {
      assert.deepEqual(await gate(request(clone(object), { dryRun: true })), await gate(request(clone(object))));
    }
  });

  it('never refuses DELETE, and ignores CONNECT, unknown kinds and subresources', async () => {
    const decisions: AdmissionDecision[] = [
      await gate({ ...request(bypassPod()), operation: 'DELETE', object: null, oldObject: bypassPod() }),
      await gate({ ...request(bypassPod()), operation: 'CONNECT' }),
      await gate(request({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' } })),
      await gate(request(bypassPod(), { subResource: 'status', operation: 'UPDATE', oldObject: injectedPod() })),
      await gate(request(hostNetworkDeployment(), { subResource: 'scale', operation: 'UPDATE' })),
    ];
    for (const d of decisions) assert.deepEqual([d.allowed, d.reason], [true, 'not-gated']);
  });

  it('checks ephemeral containers added through the ephemeralcontainers subresource', async () => {
    const updated = injectedPod() as Spec;
    updated.spec.ephemeralContainers = [{ name: 'dbg', image: 'netshoot', securityContext: { capabilities: { add: ['NET_ADMIN'] } } }];
    const decision = await gate(request(updated, { operation: 'UPDATE', oldObject: injectedPod(), subResource: 'ephemeralcontainers' }));
    assert.equal(decision.reason, 'MW-CAPS-001');
    assert.match(decision.message!, /spec\.ephemeralContainers\[0\]/);
  });

  it('on Pod UPDATE refuses only what the update introduced; old violations become warnings', async () => {
    const old = bypassPod();
    const relabelled = clone(old) as Spec;
    relabelled.metadata.finalizers = [];
    const decision = await gate(request(relabelled, { operation: 'UPDATE', oldObject: old }));
    assert.deepEqual([decision.allowed, decision.reason], [true, 'preexisting-violations']);
    assert.ok(decision.warnings!.some((w) => w.startsWith('pre-existing: [MW-HOSTNET-001]')));
    assert.ok(decision.warnings!.every((w) => w.length <= 120));
    const optedOut = clone(old) as Spec;
    optedOut.metadata.annotations['meshward.io/exclude-inbound-ports'] = '8080';
    const refused = await gate(request(optedOut, { operation: 'UPDATE', oldObject: old }));
    assert.equal(refused.reason, 'MW-CAPTURE-001');
    assert.doesNotMatch(refused.message!, /MW-HOSTNET-001/);
  });

  it('on workload UPDATE judges a changed template in full, but lets metadata-only updates through', async () => {
    const old = hostNetworkDeployment() as Spec;
    const imageBump = clone(old);
    imageBump.spec.template.spec.containers[0].image = 'ghcr.io/acme/web:1.5.0';
    assert.equal((await gate(request(imageBump, { operation: 'UPDATE', oldObject: old }))).reason, 'MW-HOSTNET-001');
    const scaled = clone(old);
    scaled.spec.replicas = 5;
    scaled.metadata.labels = { team: 'shop' };
    const decision = await gate(request(scaled, { operation: 'UPDATE', oldObject: old }));
    assert.deepEqual([decision.allowed, decision.reason], [true, 'preexisting-violations']);
  });

  it('fails closed when the namespace cannot be read, and says so', async () => {
    const down = createGateHandler({ config, cluster: failingCluster(cluster) });
    for (const object of [injectedPod(), deployment()]) {
      const decision = await down(request(object));
      assert.equal(decision.allowed, false);
      assert.equal(decision.reason, 'MW-GATE-001');
      assert.match(
        decision.message!,
        /^\[MW-GATE-001\] metadata\.namespace: the API server could not be read \(cannot read namespace .*ECONNREFUSED.*fail closed\)\. Fix: retry/,
      );
    }
  });

  it('fails closed when the namespace is unknown (a stale cache)', async () => {
    const decision = await gate(request({ ...injectedPod(), metadata: { name: 'p', namespace: 'brand-new' } }));
    assert.deepEqual([decision.allowed, decision.reason], [false, 'MW-GATE-002']);
    assert.match(decision.message!, /brand-new/);
  });

  it('refuses a CREATE without an object with a 400', async () => {
    const decision = await gate({ ...request(injectedPod()), object: null });
    assert.deepEqual([decision.allowed, decision.reason, decision.code], [false, 'MW-GATE-003', 400]);
  });
});
