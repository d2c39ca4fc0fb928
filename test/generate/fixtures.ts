import type { KubeObject } from '../../webhook/admission/types.js';
import { injected, namespace, pod, policy } from '../status/fixtures.js';

// The cluster generate plans over, shared by the planner's tests and the command's.

export const webOwner = { kind: 'ReplicaSet', name: 'web-5d8f7c' };
export const webLabels = { app: 'web', 'pod-template-hash': '5d8f7c' };

/** shop (PERMISSIVE namespace-wide, STRICT for app=web, web's two injected replicas, an uninjected pod) and STRICT payments. */
export async function cluster(extra: KubeObject[] = []): Promise<KubeObject[]> {
  return [
    namespace('shop', { 'meshward.io/inject': 'enabled' }),
    namespace('payments', { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' }),
    policy('shop', 'shop-wide', { mode: 'PERMISSIVE' }),
    policy('shop', 'web-policy', { selector: { matchLabels: { app: 'web' } }, mode: 'STRICT' }),
    await injected(pod('shop', 'web-5d8f7c-a', { labels: webLabels, owner: webOwner, ports: [8080, 9090] })),
    await injected(pod('shop', 'web-5d8f7c-b', { labels: webLabels, owner: webOwner, ports: [8080, 9090] })),
    pod('shop', 'legacy', { labels: { app: 'legacy' } }),
    ...extra,
  ];
}
