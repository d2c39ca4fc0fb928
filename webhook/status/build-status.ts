import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../admission/types.js';
import { SYSTEM_NAMESPACES } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import type { Violation } from '../gate/rules.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { isInjected } from '../inject/decide.js';
import type { MeshAuthorizationPolicy } from '../policy/authorization-types.js';
import type { MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import { parseStoredAuthorizationPolicies } from '../policy/parse-authorization.js';
import { parseStoredPolicies } from '../policy/parse-policy.js';
import { resolveNamespaceLevel } from '../policy/resolve-modes.js';
import { cachedSecretReader, type SecretReader } from './certificate.js';
import type { NamespaceStatus, PodStatus, StatusReport } from './model.js';
import { injectionOf, requirementOf, summarizePolicy } from './namespace-info.js';
import { buildPodStatus, type PodContext } from './pod-status.js';
import { checkableObjects, gateViolations, namespaceLevelViolations } from './violations.js';
import { readTelemetry, type TelemetryData, type TelemetryRequest } from './read-telemetry.js';
import { groupWorkloads, podCounts } from './workloads.js';

// The status model builder: everything `meshward status` and the dashboard show, from a
// ClusterState, the current injection inputs and the proxies' telemetry. Reads the cluster (and
// Secrets), and the telemetry once, up front (read-telemetry.ts): each pod's proxy state and
// counters are then decided from that data alone.

export interface StatusInput {
  readonly config: MeshwardConfig;
  readonly cluster: ClusterState;
  /** loadTemplates().hash of this meshward. */
  readonly currentTemplateHash: string;
  /** injectionConfigHash(config) of the running injector. */
  readonly currentConfigHash: string;
  /** sha256 fingerprint of the current trust root; without it trust roots are "unknown". */
  readonly currentTrustRoot?: string;
  /** Where the current injection inputs came from (a replica, a config file), for the reader. */
  readonly currentOrigin?: string;
  /** Only this namespace (it may then be a system namespace). */
  readonly namespace?: string;
  /** Also list kube-system & co. and meshward's own namespace (never injected). */
  readonly includeSystem?: boolean;
  /** Reads fallback Secrets for certificate expiry; without it their expiry is unknown. */
  readonly secrets?: SecretReader;
  /** The proxies' configuration state and counters; without `telemetry.telemetry`, unknown (offline). */
  readonly telemetry?: TelemetryRequest;
  readonly now: Date;
}

export class NamespaceNotFoundError extends Error {
  constructor(readonly namespace: string) {
    super(`namespace ${namespace} not found`);
    this.name = 'NamespaceNotFoundError';
  }
}

const TERMINAL_PHASES = new Set(['Succeeded', 'Failed']);

function isLive(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: unknown } | undefined)?.phase;
  return !(typeof phase === 'string' && TERMINAL_PHASES.has(phase));
}

function selectNamespaces(all: readonly KubeObject[], input: StatusInput): KubeObject[] {
  const named = all.filter((ns) => typeof ns.metadata?.name === 'string');
  if (input.namespace !== undefined) {
    const found = named.filter((ns) => ns.metadata!.name === input.namespace);
    if (found.length === 0) throw new NamespaceNotFoundError(input.namespace);
    return found;
  }
  const hidden = (name: string): boolean => SYSTEM_NAMESPACES.includes(name) || name === input.config.mesh.namespace;
  return named
    .filter((ns) => input.includeSystem === true || !hidden(ns.metadata!.name!))
    .sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
}

function violationsOf(all: readonly Violation[], kind: string, namespace: string, name: string): Violation[] {
  return all.filter((v) => v.kind === kind && v.namespace === namespace && v.name === name);
}

interface NamespaceInputs {
  readonly object: KubeObject;
  readonly policyObjects: KubeObject[];
  readonly pods: KubeObject[];
}

/** MeshAuthorizationPolicies that matter to a namespace's pods: the mesh namespace's and its own. */
interface AuthorizationPolicies {
  readonly mesh: readonly MeshAuthorizationPolicy[];
  readonly namespace: readonly MeshAuthorizationPolicy[];
}

async function buildNamespace(
  ns: NamespaceInputs,
  input: StatusInput,
  meshPolicies: readonly MeshTLSPolicy[],
  namespacePolicies: readonly MeshTLSPolicy[],
  authorization: AuthorizationPolicies,
  violations: readonly Violation[],
  secrets: SecretReader | undefined,
  telemetry: TelemetryData,
): Promise<NamespaceStatus> {
  const name = ns.object.metadata!.name!;
  const { requirement, label } = requirementOf(ns.object);
  const strict = requirement === 'STRICT';
  const ctx: PodContext = {
    config: input.config,
    namespace: name,
    namespaceObject: ns.object,
    meshPolicies,
    namespacePolicies,
    meshAuthorizationPolicies: authorization.mesh,
    namespaceAuthorizationPolicies: authorization.namespace,
    current: {
      templateHash: input.currentTemplateHash,
      configHash: input.currentConfigHash,
      ...(input.currentTrustRoot ? { trustRoot: input.currentTrustRoot } : {}),
    },
    ...(secrets ? { secrets } : {}),
    telemetry,
    now: input.now,
  };
  const pods: Array<{ object: KubeObject; status: PodStatus }> = [];
  for (const object of ns.pods) {
    const base = await buildPodStatus(object, ctx);
    const own = violationsOf(violations, 'Pod', name, base.name);
    pods.push({ object, status: { ...base, violations: own } });
  }
  const level = resolveNamespaceLevel({ config: input.config, meshPolicies, namespacePolicies, namespaceStrict: strict });
  const objectViolations = [
    ...violationsOf(violations, 'Namespace', '', name),
    ...(strict ? namespaceLevelViolations(name, level, input.config) : []),
    ...violations.filter((v) => v.kind !== 'Namespace' && v.kind !== 'Pod' && v.namespace === name),
  ];
  const all = [...objectViolations, ...pods.flatMap((p) => p.status.violations)];
  const workloads = groupWorkloads(pods);
  return {
    name,
    requirement,
    ...(label !== undefined ? { requirementLabel: label } : {}),
    injection: injectionOf(ns.object),
    level,
    pods: podCounts(pods.map((p) => p.status)),
    policies: [...namespacePolicies].sort((a, b) => a.name.localeCompare(b.name)).map(summarizePolicy),
    workloads,
    violations: all,
    strictViolated: strict && all.length > 0,
  };
}

/** Pods whose proxy counters are read: injected and Running (others have no proxy listening). */
function counterTargets(inputs: readonly NamespaceInputs[]): Array<{ namespace: string; name: string }> {
  return inputs.flatMap((ns) =>
    ns.pods
      .filter((p) => (p.status as { phase?: unknown } | undefined)?.phase === 'Running' && isInjected(p as V1Pod))
      .map((p) => ({ namespace: ns.object.metadata!.name!, name: p.metadata?.name ?? '' }))
      .filter((p) => p.name !== ''),
  );
}

/** Builds the status of every (or one) namespace. Throws NamespaceNotFoundError, ClusterUnavailableError. */
export async function buildStatus(input: StatusInput): Promise<StatusReport> {
  const { config, cluster } = input;
  const [namespaceObjects, policyObjects, authorizationObjects] = await Promise.all([
    cluster.listNamespaces(),
    cluster.listAllPolicies(),
    cluster.listAllAuthorizationPolicies(),
  ]);
  const selected = selectNamespaces(namespaceObjects, input);
  const parsed = parseStoredPolicies(policyObjects);
  const policiesIn = (ns: string): MeshTLSPolicy[] => parsed.policies.filter((p) => p.namespace === ns);
  const rawPoliciesIn = (ns: string): KubeObject[] => policyObjects.filter((p) => (p.metadata?.namespace ?? 'default') === ns);
  const meshPolicies = policiesIn(config.mesh.namespace);
  const authorization = parseStoredAuthorizationPolicies(authorizationObjects);
  const authorizationIn = (ns: string): MeshAuthorizationPolicy[] => authorization.policies.filter((p) => p.namespace === ns);
  const meshAuthorization = authorizationIn(config.mesh.namespace);
  const inputs: NamespaceInputs[] = [];
  for (const object of selected) {
    const name = object.metadata!.name!;
    inputs.push({ object, policyObjects: rawPoliciesIn(name), pods: (await cluster.listPods(name)).filter(isLive) });
  }
  const violations = await gateViolations(
    inputs.flatMap((ns) => checkableObjects(ns.object, ns.policyObjects, ns.pods)),
    config,
    cluster,
  );
  const secrets = input.secrets ? cachedSecretReader(input.secrets) : undefined;
  const telemetry = await readTelemetry(input.telemetry ?? {}, counterTargets(inputs));
  const namespaces: NamespaceStatus[] = [];
  for (const ns of inputs) {
    const name = ns.object.metadata!.name!;
    const authz = { mesh: meshAuthorization, namespace: authorizationIn(name) };
    namespaces.push(await buildNamespace(ns, input, meshPolicies, policiesIn(name), authz, violations, secrets, telemetry));
  }
  const { total, ...counts } = podCounts(namespaces.flatMap((ns) => ns.workloads.flatMap((w) => w.pods)));
  return {
    generatedAt: input.now.toISOString(),
    current: {
      templateHash: input.currentTemplateHash,
      configHash: input.currentConfigHash,
      ...(input.currentTrustRoot ? { trustRoot: input.currentTrustRoot } : {}),
      ...(input.currentOrigin ? { origin: input.currentOrigin } : {}),
      meshNamespace: config.mesh.namespace,
      defaultMode: config.mesh.defaultMode,
    },
    summary: {
      namespaces: namespaces.length,
      pods: total,
      ...counts,
      violations: namespaces.reduce((n, ns) => n + ns.violations.length, 0),
      strictViolated: namespaces.filter((ns) => ns.strictViolated).map((ns) => ns.name),
    },
    telemetry: telemetry.status,
    namespaces,
    notes: [...parsed.errors, ...authorization.errors].map((e) => `skipped (does not parse): ${e.message}`),
  };
}
