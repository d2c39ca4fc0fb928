// The gate's rules. IDs are stable and user-facing (denials, `meshward check`, docs, metrics):
// never renumber or reuse one. MW-<AREA>-<NNN>; advisories (warnings only) are MW-ADVISE-*.

export const RULES = {
  'MW-INJECT-001': { title: 'pod opts out of injection', fix: 'remove the meshward.io/inject label and annotation, or set it to "true"' },
  'MW-HOSTNET-001': { title: 'pod uses the host network', fix: 'remove hostNetwork: true (host-network pods cannot be captured)' },
  'MW-CAPTURE-001': { title: 'pod excludes inbound ports from capture', fix: 'remove the meshward.io/exclude-inbound-ports annotation' },
  'MW-UID-001': { title: 'container runs as the proxy UID', fix: 'run the container as another UID' },
  'MW-GID-001': { title: 'container runs as the proxy GID', fix: 'run the container with another primary GID' },
  'MW-CAPS-001': {
    title: 'container adds a capability that can rewrite iptables',
    fix: 'remove NET_ADMIN, NET_RAW and ALL from capabilities.add',
  },
  'MW-PRIV-001': { title: 'container is privileged', fix: 'remove privileged: true' },
  'MW-SIDECAR-001': {
    title: 'pod has no meshward-proxy sidecar',
    fix: 'let the injector add it: label the namespace meshward.io/inject=enabled and recreate the pod',
  },
  'MW-SIDECAR-002': {
    title: 'pod has no meshward-init capture container',
    fix: 'let the injector add it: label the namespace meshward.io/inject=enabled and recreate the pod',
  },
  'MW-SIDECAR-003': {
    title: 'pod has no meshward-credentials volume',
    fix: 'let the injector add it: label the namespace meshward.io/inject=enabled and recreate the pod',
  },
  'MW-SIDECAR-004': {
    title: "pod carries meshward's containers, but not as meshward injects them",
    fix: 'remove the hand-made meshward containers, volumes and meshward.io/status annotation and let the injector inject the pod',
  },
  'MW-SIDECAR-005': {
    title: "an update changes meshward's injection",
    fix: "leave meshward's containers, images and meshward.io/* annotations as injected; recreate the pod to change them",
  },
  'MW-IMAGE-001': {
    title: 'proxy image is not on the allow-list',
    fix: 'remove the meshward.io/proxy-image annotation, or ask the mesh operator to add the image to proxy.allowedImages',
  },
  'MW-EPHEMERAL-001': {
    title: "ephemeral container targets meshward's containers",
    fix: 'target the app container (kubectl debug --target=<app>), or debug without --target',
  },
  'MW-PTRACE-001': {
    title: 'container can trace the proxy through a shared process namespace',
    fix: 'remove SYS_PTRACE from capabilities.add (kubectl debug --profile=baseline), or set shareProcessNamespace: false',
  },
  'MW-VOLUME-001': {
    title: "container mounts one of meshward's volumes",
    fix: "remove the volumeMount: meshward's volumes hold the proxy's configuration and the workload key",
  },
  'MW-GID-002': { title: "pod puts its containers in the proxy's group", fix: 'remove the proxy GID from supplementalGroups and fsGroup' },
  'MW-PROBE-001': { title: "probe targets one of the proxy's ports", fix: "probe the app's own port" },
  'MW-PORT-001': {
    title: 'container declares a port the proxy cannot capture',
    fix: 'serve TCP only in a STRICT namespace (UDP and SCTP are never captured), or run this workload in a namespace that is not STRICT',
  },
  'MW-PORT-002': {
    title: "container declares one of the proxy's ports",
    fix: "use another containerPort (15000, 15001, 15006, 15020, 15021 and 15090 are the proxy's)",
  },
  'MW-HOSTPID-001': {
    title: "pod shares the node's process namespace",
    fix: 'remove hostPID: true (it exposes every proxy on the node and its key)',
  },
  'MW-HOSTIPC-001': { title: "pod shares the node's IPC namespace", fix: 'remove hostIPC: true' },
  'MW-INJECT-002': {
    title: 'pod will not be injected',
    fix: 'label the namespace meshward.io/inject=enabled (or the pod meshward.io/inject: "true")',
  },
  'MW-POLICY-001': { title: 'policy makes part of a STRICT namespace less than STRICT', fix: 'set the mode to STRICT' },
  'MW-POLICY-002': {
    title: 'mesh-wide policy makes STRICT namespaces less than STRICT',
    fix: 'set the mesh-wide mode to STRICT, or give each STRICT namespace a namespace-wide STRICT policy first',
  },
  'MW-POLICY-003': { title: 'policy is not a valid MeshTLSPolicy', fix: 'correct the field' },
  'MW-AMBIG-001': {
    title: 'second namespace-wide policy in a namespace',
    fix: 'edit the existing policy instead of adding another one without a selector',
  },
  'MW-AMBIG-002': {
    title: 'workload policies with overlapping selectors disagree',
    fix: 'make the selectors disjoint (a shared label key with different values), or give both the same settings',
  },
  'MW-AUTHZ-001': { title: 'policy is not a valid MeshAuthorizationPolicy', fix: 'correct the field' },
  'MW-AUTHZ-002': {
    title: 'authorization policy selects a port that accepts plaintext',
    fix: 'make the selected ports STRICT first (namespace label meshward.io/mtls=STRICT or a STRICT MeshTLSPolicy), then apply the allow list',
  },
  'MW-AUTHZ-003': {
    title: 'authorization policies are ambiguous',
    fix: 'add the callers to the existing policy instead, or select other pods or ports',
  },
  'MW-AUTHZ-004': {
    title: 'MeshTLSPolicy would accept plaintext on a port an authorization policy restricts',
    fix: 'keep the port STRICT, or delete or narrow the MeshAuthorizationPolicy first',
  },
  'MW-NS-001': {
    title: 'invalid meshward.io/mtls namespace label',
    fix: 'set meshward.io/mtls to STRICT, PERMISSIVE or DISABLE (upper case), or remove it',
  },
  'MW-GATE-001': { title: 'API server could not be read', fix: 'retry when the API server is reachable from meshward' },
  'MW-GATE-002': { title: 'namespace not found', fix: 'retry once the namespace exists' },
  'MW-GATE-003': { title: 'request cannot be checked', fix: 'send the object in request.object' },
  'MW-ADVISE-001': { title: 'policy accepts plaintext', fix: 'use STRICT once every client has a sidecar' },
  'MW-ADVISE-002': { title: 'selector policy in the mesh namespace', fix: 'to set a mesh-wide mode, drop the selector' },
  'MW-ADVISE-003': { title: 'namespace STRICT with existing violations', fix: 'recreate or fix the objects listed' },
  'MW-ADVISE-004': {
    title: 'deleted policy leaves STRICT namespaces less than STRICT',
    fix: 'add a STRICT namespace-wide policy to each namespace listed',
  },
} as const satisfies Record<string, { title: string; fix: string }>;

export type RuleId = keyof typeof RULES;

/** One thing wrong with an object: the rule, the offending field, what is wrong, how to fix it. */
export interface Finding {
  readonly rule: RuleId;
  readonly field: string;
  readonly problem: string;
  readonly fix: string;
}

export function finding(rule: RuleId, field: string, problem: string, fix: string = RULES[rule].fix): Finding {
  return { rule, field, problem, fix };
}

/** `[RULE-ID] <field>: <what is wrong>. Fix: <what to change>` */
export function formatFinding(f: Finding): string {
  return `[${f.rule}] ${f.field}: ${f.problem}. Fix: ${f.fix}`;
}

/** Every finding, not just the first, joined with "; " (the denial message). */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map(formatFinding).join('; ');
}

/** The offline form (`meshward check`): a finding on a named object. */
export interface Violation {
  readonly rule: RuleId;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly field: string;
  /** `<what is wrong>. Fix: <what to change>` */
  readonly message: string;
}

export function toViolation(f: Finding, object: { kind: string; namespace: string; name: string }): Violation {
  return {
    rule: f.rule,
    kind: object.kind,
    namespace: object.namespace,
    name: object.name,
    field: f.field,
    message: `${f.problem}. Fix: ${f.fix}`,
  };
}
