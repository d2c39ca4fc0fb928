import type { KubeObject } from '../../webhook/admission/types.js';
import { injectionConfigHash } from '../../webhook/config/hash.js';
import { buildConfig } from '../../webhook/config/load.js';
import type { MeshwardConfig } from '../../webhook/config/types.js';
import { injectObject } from '../../webhook/inject/inject-objects.js';
import { loadTemplates } from '../../webhook/inject/templates.js';

// A mixed cluster for status, generate and dashboard tests. Injected pods go through the real
// injector (injectObject), so their containers, volumes and meshward.io/status are the real ones.

export const config: MeshwardConfig = buildConfig({});
export const templates = loadTemplates();
export const CONFIG_HASH = injectionConfigHash(config);
export const TRUST_ROOT = 'a'.repeat(64);
export const OLD_TRUST_ROOT = 'b'.repeat(64);
export const NOW = new Date('2026-03-01T12:00:00Z');

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function policy(ns: string, name: string, spec: Record<string, unknown>, creationTimestamp = '2026-01-01T00:00:00Z'): KubeObject {
  return { apiVersion: 'meshward.io/v1alpha1', kind: 'MeshTLSPolicy', metadata: { name, namespace: ns, creationTimestamp }, spec };
}

export function authorizationPolicy(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'meshward.io/v1alpha1',
    kind: 'MeshAuthorizationPolicy',
    metadata: { name, namespace: ns, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec,
  };
}

interface PodOptions {
  labels?: Record<string, string>;
  ports?: number[];
  owner?: { kind: string; name: string };
  phase?: string;
  serviceAccountName?: string;
}

export function pod(ns: string, name: string, options: PodOptions = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      labels: options.labels ?? {},
      ...(options.owner ? { ownerReferences: [{ kind: options.owner.kind, name: options.owner.name, controller: true }] } : {}),
    },
    spec: {
      ...(options.serviceAccountName ? { serviceAccountName: options.serviceAccountName } : {}),
      containers: [{ name: 'app', image: 'app:1', ports: (options.ports ?? [8080]).map((containerPort) => ({ containerPort })) }],
    },
    status: { phase: options.phase ?? 'Pending' },
  };
}

/** The pod as the real injector stores it (policies play no part: the proxy's modes come live over xDS). */
export async function injected(object: KubeObject, cfg: MeshwardConfig = config): Promise<KubeObject> {
  const outcome = await injectObject(object, { config: cfg, templates, configHash: injectionConfigHash(cfg) });
  if (!outcome.injected) throw new Error(`fixture pod ${object.metadata?.name} was not injected: ${JSON.stringify(outcome)}`);
  return outcome.object;
}

/** Rewrites fields of a pod's meshward.io/status annotation (an old injection). */
export function withStatus(object: KubeObject, changes: Record<string, unknown>): KubeObject {
  const copy = structuredClone(object);
  const annotations = copy.metadata!.annotations!;
  annotations['meshward.io/status'] = JSON.stringify({ ...JSON.parse(annotations['meshward.io/status']!), ...changes });
  return copy;
}

/**
 * - shop: opted in, no requirement: Deployment web (2 injected pods), a pod from before the opt-in.
 * - plain: not opted in: one plaintext pod.
 * - payments: STRICT: StatefulSet db (current), api (stale templates + trust root), batch (opted
 *   out: gate violations), cache (a policy relaxes 6379, which the namespace's STRICT label overrides).
 * - kube-system: hidden by default.
 */
export async function mixedCluster(): Promise<KubeObject[]> {
  const current = (p: KubeObject): KubeObject => withStatus(p, { trustRoot: TRUST_ROOT });
  const webOwner = { kind: 'ReplicaSet', name: 'web-5d8f7c' };
  const webLabels = { app: 'web', 'pod-template-hash': '5d8f7c' };
  return [
    namespace('shop', { 'meshward.io/inject': 'enabled' }),
    namespace('plain'),
    namespace('payments', { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' }),
    namespace('kube-system'),
    current(await injected(pod('shop', 'web-5d8f7c-aaaaa', { labels: webLabels, owner: webOwner }))),
    current(await injected(pod('shop', 'web-5d8f7c-bbbbb', { labels: webLabels, owner: webOwner, phase: 'Running' }))),
    pod('shop', 'legacy', { labels: { app: 'legacy' } }),
    pod('shop', 'done', { phase: 'Succeeded' }),
    pod('plain', 'worker', { labels: { app: 'worker' }, owner: { kind: 'Job', name: 'nightly' } }),
    current(await injected(pod('payments', 'db-0', { labels: { app: 'db' }, ports: [5432], owner: { kind: 'StatefulSet', name: 'db' } }))),
    withStatus(
      await injected(
        pod('payments', 'api-6c9d-xyz', {
          labels: { app: 'api', 'pod-template-hash': '6c9d' },
          owner: { kind: 'ReplicaSet', name: 'api-6c9d' },
        }),
      ),
      {
        templateHash: '0123456789abcdef',
        trustRoot: OLD_TRUST_ROOT,
      },
    ),
    pod('payments', 'batch', { labels: { app: 'batch', 'meshward.io/inject': 'false' } }),
    current(
      await injected(
        pod('payments', 'cache-0', { labels: { app: 'cache' }, ports: [6379], owner: { kind: 'StatefulSet', name: 'cache' } }),
      ),
    ),
    pod('kube-system', 'coredns'),
  ];
}
