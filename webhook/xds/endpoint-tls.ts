// Auto-mTLS, decided per endpoint: a client wraps a connection in mesh mTLS only when the peer's
// proxy will take it, and then requires exactly the peer's SPIFFE ID (secure naming). Everything
// else gets plaintext, as the app would have sent it without a mesh: an uninjected pod, a pod whose
// proxy is not ready yet, a port its capture excludes, a port whose live mode is DISABLE.

import { captureSettingsFromAnnotations } from '../capture/index.js';
import { LABEL_INJECTED, PROXY_CONTAINER_NAME } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import type { Pod } from '../kube/types.js';
import { portMode, type PodPolicies } from './mesh-view.js';

export type PlaintextReason = 'not-injected' | 'proxy-not-ready' | 'port-excluded' | 'port-disabled';

export type EndpointTls = { readonly mtls: true; readonly spiffeId: string } | { readonly mtls: false; readonly reason: PlaintextReason };

export function spiffeIdOf(config: MeshwardConfig, namespace: string, serviceAccount: string): string {
  return `spiffe://${config.mesh.trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** How a client must reach `port` (a container port) of `pod`; pod undefined = not in the mesh. */
export function endpointTls(pod: Pod | undefined, port: number, policies: PodPolicies, config: MeshwardConfig): EndpointTls {
  if (!pod || pod.metadata.labels?.[LABEL_INJECTED] !== 'true') return { mtls: false, reason: 'not-injected' };
  if (!proxyReady(pod)) return { mtls: false, reason: 'proxy-not-ready' };
  const capture = captureSettingsFromAnnotations(pod.metadata.annotations ?? {}, config);
  // An annotation the injector refused never reaches a running pod; unreadable means "do not trust it".
  if ('errors' in capture || capture.settings.excludeInboundPorts.includes(port)) return { mtls: false, reason: 'port-excluded' };
  if (portMode(policies.modes(pod), port) === 'DISABLE') return { mtls: false, reason: 'port-disabled' };
  const namespace = pod.metadata.namespace ?? 'default';
  return { mtls: true, spiffeId: spiffeIdOf(config, namespace, pod.spec?.serviceAccountName || 'default') };
}

/** The proxy container (native sidecar or classic) reports ready: its listeners and certificate are up. */
export function proxyReady(pod: Pod): boolean {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses.some((s) => s.name === PROXY_CONTAINER_NAME && s.ready === true);
}
