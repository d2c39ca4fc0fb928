// Resources for the xDS encoding tests: every listener, cluster and SDS secret today's
// the control plane sends for a few representative pods, each carrying its "@type" as the ADS
// server will send it, plus an EDS assignment shaped like the ones the control plane will build.

import fc from 'fast-check';
import protobuf from 'protobufjs';
import type { ResolvedMode } from '../../webhook/config/types.js';
import { renderSdsSecrets, type BootstrapInput } from '../../webhook/proxy/index.js';
import { envoyRoot, TYPE_URLS } from '../../webhook/xds/index.js';
import { ALL_PROBE_KINDS, makeInput, podResources, type J } from '../proxy/bootstrap-fixtures.js';

export const PODS: Record<string, BootstrapInput> = {
  strict: makeInput(),
  permissive: makeInput({
    workloadMode: 'PERMISSIVE',
    ports: [
      { port: 8080, mode: 'PERMISSIVE' },
      { port: 9090, mode: 'PERMISSIVE' },
    ],
  }),
  'mixed, every probe kind': makeInput({
    workloadMode: 'STRICT',
    ports: [
      { port: 8080, mode: 'STRICT' },
      { port: 9090, mode: 'PERMISSIVE' },
      { port: 7070, mode: 'DISABLE' },
    ],
    probes: ALL_PROBE_KINDS,
  }),
  'IPv6 only, DISABLE': makeInput({ ipFamilies: ['IPv6'], workloadMode: 'DISABLE', ports: [{ port: 8080, mode: 'DISABLE' }] }),
  'no ports, no probes': makeInput({ ports: [], probes: [] }),
};

export interface NamedResource {
  name: string;
  json: J;
}

/** Every listener and cluster of the pod's bootstrap, and its two SDS secrets, as typed resources. */
export function resourcesOf(input: BootstrapInput): NamedResource[] {
  const b = podResources(input);
  const typed = (kind: 'listener' | 'cluster', r: J): NamedResource => ({
    name: `${kind} ${r.name}`,
    json: { '@type': TYPE_URLS[kind], ...r },
  });
  return [
    ...(b.static_resources.listeners as J[]).map((l) => typed('listener', l)),
    ...(b.static_resources.clusters as J[]).map((c) => typed('cluster', c)),
    ...renderSdsSecrets(input).flatMap((f) => (f.document.resources as J[]).map((s) => ({ name: `secret ${s.name}`, json: s }))),
  ];
}

/** A fresh copy of one resource of a PODS entry, e.g. byName('strict', 'listener inbound'). */
export function byName(pod: string, name: string): J {
  return structuredClone(resourcesOf(PODS[pod]!).find((r) => r.name === name)!.json);
}

/** EDS for a meshed Service port: one meshed endpoint tagged with its identity (auto-mTLS), one plaintext. */
export function endpointAssignment(): J {
  return {
    '@type': TYPE_URLS.endpoint,
    cluster_name: 'outbound|8080|web.shop',
    endpoints: [
      {
        locality: { zone: 'zone-a' },
        lb_endpoints: [
          {
            endpoint: { address: { socket_address: { address: '10.1.2.3', port_value: 8080 } } },
            health_status: 'HEALTHY',
            metadata: { filter_metadata: { 'envoy.transport_socket_match': { mtls: 'spiffe://cluster.local/ns/shop/sa/web' } } },
            load_balancing_weight: 2,
          },
          { endpoint: { address: { socket_address: { address: '10.1.2.4', port_value: 8080 } } }, health_status: 'UNKNOWN' },
        ],
      },
    ],
    policy: { overprovisioning_factor: 140 },
  };
}

/** Names of every enum's zero value: proto3 leaves those off the wire, so a round trip drops them. */
function zeroEnumNames(): Set<string> {
  const names = new Set<string>();
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Enum && nested.valuesById[0] !== undefined) names.add(nested.valuesById[0]);
      if (nested instanceof protobuf.Namespace) visit(nested);
    }
  };
  visit(envoyRoot());
  return names;
}

let zeroNames: Set<string> | undefined;

/**
 * Where `back` (a decoded resource) differs from `original` other than by a proto3 default left
 * out (0, "", false, [], an enum's zero value). Empty: equal modulo defaults.
 */
export function differencesModuloDefaults(original: unknown, back: unknown, path = ''): string[] {
  zeroNames ??= zeroEnumNames();
  const isDefault = (v: unknown): boolean =>
    v === 0 || v === '' || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === 'string' && zeroNames!.has(v));
  if (Array.isArray(original)) {
    if (!Array.isArray(back) || back.length !== original.length) return [`${path}: list differs`];
    return original.flatMap((v, i) => differencesModuloDefaults(v, back[i], `${path}[${i}]`));
  }
  if (typeof original === 'object' && original !== null) {
    if (typeof back !== 'object' || back === null || Array.isArray(back)) return [`${path}: not an object`];
    const b = back as J;
    return [
      ...Object.entries(original).flatMap(([k, v]) =>
        k in b ? differencesModuloDefaults(v, b[k], `${path}.${k}`) : isDefault(v) ? [] : [`${path}.${k}: lost`],
      ),
      ...Object.keys(b)
        .filter((k) => !(k in original))
        .map((k) => `${path}.${k}: added`),
    ];
  }
  return Object.is(original, back) ? [] : [`${path}: ${JSON.stringify(original)} became ${JSON.stringify(back)}`];
}

const mode = fc.constantFrom<ResolvedMode>('STRICT', 'PERMISSIVE', 'DISABLE');
const appPort = fc.integer({ min: 1, max: 65535 }).filter((p) => p < 15000 || p > 15100);

/** Random pods: any mix of port modes, families and probes the injector could hand the renderer. */
export const arbitraryPod: fc.Arbitrary<BootstrapInput> = fc
  .record({
    workloadMode: mode,
    ports: fc.uniqueArray(fc.record({ port: appPort, mode }), { selector: (p) => p.port, maxLength: 4 }),
    ipFamilies: fc.constantFrom<Array<'IPv4' | 'IPv6'>>(['IPv4'], ['IPv6'], ['IPv4', 'IPv6']),
    probes: fc.subarray(ALL_PROBE_KINDS),
  })
  .map((overrides) => makeInput(overrides));
