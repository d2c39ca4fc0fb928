import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import { buildConfig } from '../../webhook/config/load.js';
import { kustomize } from '../helpers/kustomize.js';

const root = repoRoot();
const OVERLAYS = readdirSync(join(root, 'manifests/overlays')).sort();

type Obj = Record<string, any>;

function find(objects: Obj[], kind: string, name: string): Obj {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  assert.ok(found, `${kind}/${name} in the build`);
  return found;
}

describe('release manifests (kustomize)', function () {
  this.timeout(120_000);
  let base: Obj[];
  before(async () => {
    base = await kustomize(join(root, 'manifests/base'));
  });

  it('has the overlays a platform team chooses from', () => {
    for (const overlay of ['self-signed', 'cert-manager', 'secret-fallback']) assert.ok(OVERLAYS.includes(overlay), overlay);
  });

  for (const overlay of ['base', ...['self-signed', 'cert-manager', 'secret-fallback']]) {
    it(`builds ${overlay} with kubectl kustomize`, async () => {
      const objects = await kustomize(join(root, 'manifests', overlay === 'base' ? 'base' : `overlays/${overlay}`));
      assert.ok(objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'meshward'));
      assert.ok(objects.some((o) => o.kind === 'CustomResourceDefinition'));
    });
  }

  it('runs meshward highly available and under restricted Pod Security', () => {
    const deployment = find(base, 'Deployment', 'meshward');
    assert.ok(deployment.spec.replicas >= 2);
    assert.ok(deployment.spec.template.spec.affinity.podAntiAffinity);
    assert.equal(find(base, 'PodDisruptionBudget', 'meshward').spec.minAvailable, 1);
    assert.equal(find(base, 'Namespace', 'meshward-system').metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
    const pod = deployment.spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    for (const c of pod.containers) {
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
      assert.ok(c.readinessProbe && c.livenessProbe && c.resources.requests && c.resources.limits.memory);
    }
  });

  it('stops a replica well within its grace period, and waits for in-flight admissions as long as the API server does', () => {
    const pod = find(base, 'Deployment', 'meshward').spec.template.spec;
    const args: string[] = pod.containers[0].args;
    const flags = Object.fromEntries(args.flatMap((a, i) => (a.startsWith('--') ? [[a.slice(2), args[i + 1]!]] : [])));
    const { shutdownDelayMs, shutdownTimeoutMs } = buildConfig({ flags }).server;
    // After both: the controllers' stop (the xDS streams end within 2 s, then the lease is released).
    assert.ok((shutdownDelayMs + shutdownTimeoutMs) / 1000 + 5 <= pod.terminationGracePeriodSeconds);
    const longestWebhook = Math.max(
      ...base.filter((o) => /WebhookConfiguration$/.test(o.kind)).flatMap((o) => o.webhooks.map((w: Obj) => w.timeoutSeconds ?? 10)),
    );
    assert.ok(longestWebhook * 1000 <= shutdownTimeoutMs, `webhook timeout ${longestWebhook} s`);
  });

  it('fails the injector open, narrowly scoped, idempotent and never on its own or system namespaces', () => {
    const mwc = find(base, 'MutatingWebhookConfiguration', 'meshward-injector');
    for (const hook of mwc.webhooks) {
      assert.equal(hook.failurePolicy, 'Ignore');
      assert.equal(hook.sideEffects, 'None');
      assert.equal(hook.reinvocationPolicy, 'IfNeeded');
      assert.ok(hook.timeoutSeconds <= 10);
      assert.deepEqual(hook.admissionReviewVersions, ['v1']);
      const excluded = hook.namespaceSelector.matchExpressions.find((e: Obj) => e.key === 'kubernetes.io/metadata.name');
      for (const ns of ['kube-system', 'meshward-system']) assert.ok(excluded.values.includes(ns), ns);
      assert.ok(hook.matchConditions.some((c: Obj) => c.expression.includes('kubernetes.io/config.mirror')));
    }
    assert.deepEqual(mwc.webhooks[0].objectSelector.matchExpressions, [
      { key: 'meshward.io/inject', operator: 'NotIn', values: ['false'] },
    ]);
  });

  it('fails the gate closed for STRICT namespaces and policies, open for namespace warnings', () => {
    const vwc = find(base, 'ValidatingWebhookConfiguration', 'meshward-gate');
    const byName = Object.fromEntries(vwc.webhooks.map((w: Obj) => [w.name, w]));
    assert.equal(byName['workloads.gate.meshward.io'].failurePolicy, 'Fail');
    assert.deepEqual(byName['workloads.gate.meshward.io'].namespaceSelector, { matchLabels: { 'meshward.io/mtls': 'STRICT' } });
    assert.equal(byName['policies.gate.meshward.io'].failurePolicy, 'Fail');
    assert.equal(byName['namespaces.gate.meshward.io'].failurePolicy, 'Ignore');
    const resources = byName['workloads.gate.meshward.io'].rules.flatMap((r: Obj) => r.resources);
    for (const r of ['pods', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs'])
      assert.ok(resources.includes(r), r);
    assert.deepEqual(byName['policies.gate.meshward.io'].rules, [
      {
        apiGroups: ['meshward.io'],
        apiVersions: ['v1alpha1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['meshtlspolicies', 'meshauthorizationpolicies'],
        scope: 'Namespaced',
      },
    ]);
  });

  it('installs both CRDs and lets meshward only read its policies (list, watch)', () => {
    find(base, 'CustomResourceDefinition', 'meshtlspolicies.meshward.io');
    find(base, 'CustomResourceDefinition', 'meshauthorizationpolicies.meshward.io');
    const rules = find(base, 'ClusterRole', 'meshward').rules.filter((r: Obj) => r.apiGroups.includes('meshward.io'));
    assert.deepEqual(rules, [
      { apiGroups: ['meshward.io'], resources: ['meshtlspolicies', 'meshauthorizationpolicies'], verbs: ['list', 'watch'] },
    ]);
  });

  it('backs STRICT up with a CEL ValidatingAdmissionPolicy bound to STRICT namespaces with Deny', () => {
    const vap = find(base, 'ValidatingAdmissionPolicy', 'meshward-strict-backstop');
    const text = JSON.stringify(vap.spec.validations);
    for (const needle of ['meshward-init', 'meshward-proxy', 'meshward-credentials', 'hostNetwork'])
      assert.ok(text.includes(needle), needle);
    const binding = find(base, 'ValidatingAdmissionPolicyBinding', 'meshward-strict-backstop');
    assert.deepEqual(binding.spec.validationActions, ['Deny']);
    assert.deepEqual(binding.spec.matchResources.namespaceSelector, { matchLabels: { 'meshward.io/mtls': 'STRICT' } });
  });
});
