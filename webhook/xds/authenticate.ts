// Who may receive a proxy's configuration: only the proxy of that pod. The client certificate
// (already chained to the mesh trust bundle by TLS) names a namespace and ServiceAccount; the
// node id the proxy sends names a pod; the pod must exist in that namespace, run as that
// ServiceAccount and be injected. A pod's configuration shows its ports, probes and peers, and
// the ACK state is what `meshward status` reports, so nobody may ask for another pod's.

import { LABEL_INJECTED } from '../config/names.js';
import type { Pod } from '../kube/types.js';
import { verifyPeerSpiffeId, type PeerCertificateInput } from '../pki/peer-spiffe-id.js';

export const NODE_ID_FORM = "sidecar~<namespace>~<pod name> (the proxy's --service-node)";

export type DenyReason =
  'bad-certificate' | 'bad-node-id' | 'namespace-mismatch' | 'pod-not-found' | 'service-account-mismatch' | 'not-injected';

export type ProxyAuth =
  | { readonly ok: true; readonly namespace: string; readonly pod: string; readonly serviceAccount: string; readonly spiffeId: string }
  | { readonly ok: false; readonly reason: DenyReason; readonly message: string };

const deny = (reason: DenyReason, message: string): ProxyAuth => ({ ok: false, reason, message });

export function parseNodeId(nodeId: string | undefined): { namespace: string; pod: string } | undefined {
  const m = /^sidecar~([a-z0-9]([-a-z0-9]*[a-z0-9])?)~([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(nodeId ?? '');
  return m ? { namespace: m[1]!, pod: m[3]! } : undefined;
}

export function authenticateProxy(
  peer: PeerCertificateInput | undefined,
  nodeId: string | undefined,
  trustDomain: string,
  podOf: (namespace: string, name: string) => Pod | undefined,
): ProxyAuth {
  const identity = verifyPeerSpiffeId(peer, trustDomain);
  if (!identity.ok) return deny('bad-certificate', identity.reason);
  const m = /^\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(identity.path);
  if (!m)
    return deny(
      'bad-certificate',
      `${identity.spiffeId} is not a workload identity (expected spiffe://${trustDomain}/ns/<namespace>/sa/<serviceaccount>)`,
    );
  const [, certNamespace, certAccount] = m as unknown as [string, string, string];
  const node = parseNodeId(nodeId);
  if (!node) return deny('bad-node-id', `node.id ${JSON.stringify(nodeId ?? '')} is not of the form ${NODE_ID_FORM}`);
  if (node.namespace !== certNamespace) {
    return deny('namespace-mismatch', `node.id names namespace ${node.namespace} but the certificate is ${identity.spiffeId}`);
  }
  const pod = podOf(node.namespace, node.pod);
  if (!pod) return deny('pod-not-found', `no injected pod ${node.namespace}/${node.pod}`);
  const account = pod.spec?.serviceAccountName || 'default';
  if (account !== certAccount) {
    return deny(
      'service-account-mismatch',
      `pod ${node.namespace}/${node.pod} runs as ${account}, the certificate is ${identity.spiffeId}`,
    );
  }
  if (pod.metadata.labels?.[LABEL_INJECTED] !== 'true') return deny('not-injected', `pod ${node.namespace}/${node.pod} is not injected`);
  return { ok: true, namespace: node.namespace, pod: node.pod, serviceAccount: account, spiffeId: identity.spiffeId };
}
