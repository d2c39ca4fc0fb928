/** Stable reason codes for every injector outcome (metric label, log field) with a human message. */
export const INJECT_REASONS = {
  injected: 'the pod was injected',
  'reinvoked-probes': 'containers added after injection had their probes rewritten',
  'already-injected': 'the pod already carries meshward-proxy; nothing to change',
  'not-a-pod-create': 'only Pod CREATE is injected',
  'namespace-not-enabled': 'the namespace is not labelled meshward.io/inject=enabled and the pod did not opt in',
  'namespace-disabled': 'the namespace is labelled meshward.io/inject=disabled',
  'pod-opted-out': 'the pod says meshward.io/inject: "false"',
  'host-network': 'hostNetwork pods share the node network namespace and cannot be captured',
  'system-namespace': 'kube-system, kube-public and kube-node-lease are never injected',
  'meshward-namespace': "meshward's own namespace is never injected",
  'mirror-pod': 'static (mirror) pods are immutable',
  'invalid-annotation': 'a meshward.io/* annotation has an invalid value',
  'reserved-port': "a container declares one of the proxy's own ports",
  'cluster-unavailable': 'the namespace or policies could not be read from the API server',
} as const;

export type InjectReason = keyof typeof INJECT_REASONS;
