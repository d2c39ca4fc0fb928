// A STAND-IN for the policy folder's MeshAuthorizationPolicy parser and resolver, which are written
// in parallel: just enough semantics to drive the control plane and proxy tests. It is not the
// resolver and decides nothing for production; when webhook/policy's resolveWorkloadAuthorization
// lands, tests switch to POLICY_AUTHORIZATION and this file goes.
//
// Semantics here: a policy selects the pod when its matchLabels all match (no selector: every pod
// of its namespace; in the mesh namespace with no selector: every pod of the mesh); it applies to
// its listed ports, or to every port. A port's allow-list is the union of the policies applying
// to it, Enforce if any of them enforces. Namespaces become prefixes, ServiceAccounts and
// identities exact SPIFFE IDs. No policy: the mesh default.

import type { KubeObject } from '../../webhook/admission/types.js';
import type { AuthorizationSource as StandInSource, AuthorizationInput } from '../../webhook/xds/workload-authorization.js';
import type {
  DefaultAuthorization,
  MeshAuthorizationPolicy,
  PortAuthorization,
  Principal,
} from '../../webhook/policy/authorization-types.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function parseStandIn(objects: readonly KubeObject[]): MeshAuthorizationPolicy[] {
  return objects.map((o) => {
    const spec = ((o as J).spec ?? {}) as J;
    return {
      namespace: o.metadata?.namespace ?? 'default',
      name: o.metadata?.name ?? '',
      creationTimestamp: o.metadata?.creationTimestamp as string | undefined,
      selector: spec.selector?.matchLabels,
      ports: spec.ports,
      allow: spec.allow ?? [],
      enforcement: spec.enforcement ?? 'Enforce',
    };
  });
}

function principals(td: string, policies: readonly MeshAuthorizationPolicy[]): Principal[] {
  const out: Principal[] = [];
  for (const source of policies.flatMap((p) => p.allow)) {
    for (const ns of source.namespaces ?? []) out.push({ prefix: `spiffe://${td}/ns/${ns}/` });
    for (const sa of source.serviceAccounts ?? []) {
      const [ns, name] = sa.split('/');
      out.push({ exact: `spiffe://${td}/ns/${ns}/sa/${name}` });
    }
    for (const id of source.identities ?? []) out.push({ exact: id });
  }
  return out;
}

function resolveStandIn(input: AuthorizationInput, fallback: DefaultAuthorization): ReturnType<StandInSource['resolve']> {
  const seen = new Set<string>();
  const candidates = [...input.namespacePolicies, ...input.meshPolicies.filter((p) => !p.selector)].filter((p) => {
    const key = `${p.namespace}/${p.name}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const selecting = candidates.filter((p) => Object.entries(p.selector ?? {}).every(([k, v]) => input.podLabels?.[k] === v));
  const authorization = (applying: readonly MeshAuthorizationPolicy[]): PortAuthorization =>
    applying.length === 0
      ? { kind: fallback }
      : {
          kind: 'allow-list',
          principals: principals(input.config.mesh.trustDomain, applying),
          enforcement: applying.some((p) => p.enforcement === 'Enforce') ? 'Enforce' : 'Audit',
          policies: applying.map((p) => `${p.namespace}/${p.name}`).sort(),
        };
  const ports = [...new Set([...input.ports, ...selecting.flatMap((p) => p.ports ?? [])])].sort((a, b) => a - b);
  return {
    ports: ports.map((port) => ({ port, authorization: authorization(selecting.filter((p) => !p.ports || p.ports.includes(port))) })),
    undeclared: authorization(selecting.filter((p) => !p.ports)),
  };
}

/** The stand-in as the control plane takes a source; `fallback` plays the mesh default. */
export function standInAuthorization(fallback: DefaultAuthorization = 'allow-mesh'): StandInSource {
  return { parse: parseStandIn, resolve: (input) => resolveStandIn(input, fallback) };
}
