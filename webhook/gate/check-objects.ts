import type { KubeObject } from '../admission/types.js';
import { AUTHZ_POLICY_KIND, POLICY_KIND } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { policyRef, samePolicy, type MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import type { MeshAuthorizationPolicy } from '../policy/authorization-types.js';
import { parseMeshAuthorizationPolicy, parseStoredAuthorizationPolicies } from '../policy/parse-authorization.js';
import { parseMeshTLSPolicy, parseStoredPolicies, PolicyParseError } from '../policy/parse-policy.js';
import { authorizationManifestFindings, tlsManifestAuthorizationFindings, type CheckWorld } from './check-authorization.js';
import { isStrictNamespace } from '../policy/namespace-label.js';
import { podsUngated } from './namespace-mode.js';
import { namespaceLabelFindings } from './namespace-rules.js';
import { podFindings } from './pod-rules.js';
import { isWorkloadKind, podViewOf } from './pod-template.js';
import { evaluatePolicy } from './policy-rules.js';
import { finding, toViolation, type Finding, type Violation } from './rules.js';

// `meshward check`: the gate's rules on manifests, offline (authorization: check-authorization.ts). Namespaces and policies come from the
// objects themselves, on top of a ClusterState when one is given (a manifest replaces the stored
// object of the same namespace/name). Manifests in CI are usually not injected yet, so
// MW-SIDECAR-001..003 (arrived injected) only apply with requireInjected; whether the injector
// will see them at all (MW-INJECT-002) is judged whenever the namespace is known.

export interface CheckOptions {
  readonly config: MeshwardConfig;
  readonly cluster?: ClusterState;
  /** Require Pods to arrive injected, MW-SIDECAR-001..003 (for manifests that went through `meshward inject`). */
  readonly requireInjected?: boolean;
  /** Namespace of objects that name none (like `kubectl apply -n`). Default "default". */
  readonly defaultNamespace?: string;
  /** Treat every namespace as STRICT (when the Namespace objects are not in the manifests). */
  readonly assumeStrict?: boolean;
}

interface World extends CheckWorld {
  readonly namespaces: Map<string, KubeObject>;
  readonly policies: MeshTLSPolicy[];
}

async function buildWorld(
  objects: readonly KubeObject[],
  options: CheckOptions,
  given: readonly MeshTLSPolicy[],
  givenAuthorization: readonly MeshAuthorizationPolicy[],
): Promise<World> {
  const namespaces = new Map<string, KubeObject>();
  const { cluster } = options;
  const stored = cluster ? parseStoredPolicies(await cluster.listAllPolicies()).policies : [];
  const storedAuthorization = cluster ? parseStoredAuthorizationPolicies(await cluster.listAllAuthorizationPolicies()).policies : [];
  for (const ns of cluster ? await cluster.listNamespaces() : []) if (ns.metadata?.name) namespaces.set(ns.metadata.name, ns);
  for (const object of objects) if (object.kind === 'Namespace' && object.metadata?.name) namespaces.set(object.metadata.name, object);
  return {
    namespaces,
    policies: [...stored.filter((s) => !given.some((g) => samePolicy(s, g))), ...given],
    storedPolicies: stored,
    authorizationPolicies: [...storedAuthorization.filter((s) => !givenAuthorization.some((g) => samePolicy(s, g))), ...givenAuthorization],
  };
}

function hasPodSpec(object: KubeObject): boolean {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return (object.kind === 'Pod' && group === '') || isWorkloadKind(group, String(object.kind));
}

function identify(object: KubeObject, namespace: string): { kind: string; namespace: string; name: string } {
  return { kind: String(object.kind), namespace, name: object.metadata?.name || object.metadata?.generateName || '<unnamed>' };
}

function policyFindings(
  policy: MeshTLSPolicy,
  index: number,
  given: readonly MeshTLSPolicy[],
  world: World,
  options: CheckOptions,
): Finding[] {
  const meshNamespace = options.config.mesh.namespace;
  const strict = (name: string): boolean => options.assumeStrict === true || isStrictNamespace(world.namespaces.get(name));
  const inNamespace = (name: string): MeshTLSPolicy[] => world.policies.filter((p) => p.namespace === name);
  // A conflicting pair is reported once, on the later manifest (the one admission would refuse).
  const later = new Set(given.slice(index + 1).map(policyRef));
  const knownNamespaces = new Set([...world.namespaces.keys(), ...world.policies.map((p) => p.namespace)]);
  const verdict = evaluatePolicy(policy, {
    config: options.config,
    namespaceStrict: strict(policy.namespace),
    namespacePolicies: inNamespace(policy.namespace),
    conflictCandidates: inNamespace(policy.namespace).filter((p) => !later.has(policyRef(p))),
    meshPolicies: inNamespace(meshNamespace),
    strictNamespaces: [...knownNamespaces].filter(strict).map((name) => ({ name, policies: inNamespace(name) })),
  });
  return [...verdict.findings, ...tlsManifestAuthorizationFindings(policy, world, options)];
}

function parseManifest<T>(object: KubeObject, kind: string, parse: (o: KubeObject) => T): T | PolicyParseError | undefined {
  if (object.kind !== kind) return undefined;
  try {
    return parse(object);
  } catch (err) {
    if (err instanceof PolicyParseError) return err;
    throw err;
  }
}

function isParsed<T>(value: T | PolicyParseError | undefined): value is T {
  return value !== undefined && !(value instanceof PolicyParseError);
}

/** The gate's rules on a set of manifests. Reads the ClusterState (if any) once; otherwise pure. */
export async function checkObjects(objects: readonly KubeObject[], options: CheckOptions): Promise<Violation[]> {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const namespaceOf = (object: KubeObject): string => object.metadata?.namespace || defaultNamespace;
  const parsed = objects.map((o) => parseManifest(o, POLICY_KIND, (x) => parseMeshTLSPolicy(x, defaultNamespace)));
  const parsedAuthorization = objects.map((o) =>
    parseManifest(o, AUTHZ_POLICY_KIND, (x) => parseMeshAuthorizationPolicy(x, defaultNamespace)),
  );
  const given = parsed.filter(isParsed);
  const givenAuthorization = parsedAuthorization.filter(isParsed);
  const world = await buildWorld(objects, options, given, givenAuthorization);
  const violations: Violation[] = [];
  objects.forEach((object, i) => {
    const namespace = object.kind === 'Namespace' ? '' : namespaceOf(object);
    let findings: Finding[] = [];
    const policy = parsed[i];
    const authorization = parsedAuthorization[i];
    if (authorization instanceof PolicyParseError)
      findings = authorization.problems.map((p) => finding('MW-AUTHZ-001', p.field, p.problem, p.fix));
    else if (authorization)
      findings = authorizationManifestFindings(
        authorization,
        givenAuthorization.indexOf(authorization),
        givenAuthorization,
        world,
        options,
      );
    else if (policy instanceof PolicyParseError) findings = policy.problems.map((p) => finding('MW-POLICY-003', p.field, p.problem, p.fix));
    else if (policy) findings = policyFindings(policy, given.indexOf(policy), given, world, options);
    else if (object.kind === 'Namespace') findings = namespaceLabelFindings(object);
    else if (hasPodSpec(object) && !podsUngated(namespace, options.config)) {
      const strict = options.assumeStrict === true || isStrictNamespace(world.namespaces.get(namespace));
      const view = strict ? podViewOf(object) : undefined;
      const requireInjected = object.kind === 'Pod' && options.requireInjected === true;
      if (view) findings = podFindings(view, options.config, { requireInjected, namespace: world.namespaces.get(namespace) });
    }
    violations.push(...findings.map((f) => toViolation(f, identify(object, namespace))));
  });
  return violations;
}
