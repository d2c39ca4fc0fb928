// Inputs and lookups shared by the proxy tests.

import { buildConfig } from '../../webhook/config/load.js';
import { normalizeInput, outboundListener, PROXY_PATHS, renderStaticBootstrap, type BootstrapInput } from '../../webhook/proxy/index.js';
import { podResources as xdsPodResources } from '../../webhook/xds/pod-resources.js';

export const config = buildConfig({ flags: { 'self-signed': true } });

export function makeInput(overrides: Partial<BootstrapInput> = {}): BootstrapInput {
  return {
    config,
    namespace: 'shop',
    serviceAccount: 'web',
    podName: 'web-7d9f-abcde',
    workloadMode: 'STRICT',
    ports: [{ port: 8080, protocol: 'TCP', mode: 'STRICT' }],
    probes: [
      { path: '/app-health/web/readyz', kind: 'http', port: 8080, originalPath: '/ready' },
      { path: '/app-health/web/livez', kind: 'tcp', port: 8080 },
    ],
    ...PROXY_PATHS,
    ...overrides,
  };
}

/** One probe of every kind the status port serves (http with a query and headers, tcp, grpc, https). */
export const ALL_PROBE_KINDS: BootstrapInput['probes'] = [
  {
    path: '/app-health/web/readyz',
    kind: 'http',
    port: 8080,
    originalPath: '/healthz?full=1',
    headers: [
      { name: 'Host', value: 'web.local' },
      { name: 'X-Probe', value: 'kubelet' },
    ],
  },
  { path: '/app-health/web/livez', kind: 'tcp', port: 8080, timeoutSeconds: 2, periodSeconds: 5 },
  { path: '/app-health/web/startupz', kind: 'grpc', port: 9090, service: 'shop.Cart' },
  { path: '/app-health/tls/readyz', kind: 'http', scheme: 'HTTPS', port: 8443 },
  { path: '/app-health/ip/livez', kind: 'tcp', port: 7000 },
];

export type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * One pod's own resources exactly as the xDS server sends them (webhook/xds/pod-resources.ts: LDS
 * inbound and status, CDS data, probe, readiness self-check and blackhole clusters) plus the
 * outbound listener, in a bootstrap's static_resources shape so the lookups below read both.
 */
export function podResources(input: BootstrapInput, meshChains: readonly J[] = []): J {
  const own = xdsPodResources(normalizeInput(input));
  return { static_resources: { listeners: [...own.listeners, outboundListener(own.input, meshChains)], clusters: [...own.clusters] } };
}

/**
 * What a proxy runs once its first configuration is loaded: the static bootstrap with the pod's
 * resources added, so Envoy's load-time checks (every cluster a filter or route names exists,
 * no overlapping filter chains) see the whole configuration at once.
 */
export function runningConfig(input: BootstrapInput, meshChains: readonly J[] = []): J {
  const bootstrap = structuredClone(renderStaticBootstrap(input.config)[0]!.document) as J;
  const own = podResources(input, meshChains).static_resources;
  bootstrap.static_resources.listeners.push(...own.listeners);
  bootstrap.static_resources.clusters.push(...own.clusters);
  return bootstrap;
}

export function listener(bootstrap: J, name: string): J {
  const found = (bootstrap.static_resources.listeners as J[]).find((l) => l.name === name);
  if (!found) throw new Error(`no listener ${name}`);
  return found;
}

export function cluster(bootstrap: J, name: string): J {
  const found = (bootstrap.static_resources.clusters as J[]).find((c) => c.name === name);
  if (!found) throw new Error(`no cluster ${name}`);
  return found;
}

/** Inbound filter chains for a destination port (undefined: the undeclared-port fallback chains). */
export function inboundChains(bootstrap: J, port: number | undefined): J[] {
  return (listener(bootstrap, 'inbound').filter_chains as J[]).filter(
    (c) => c.filter_chain_match?.destination_port === port && !c.filter_chain_match?.prefix_ranges,
  );
}

export function tlsContext(chain: J): J | undefined {
  return chain.transport_socket?.typed_config;
}

/** The single network filter's typed config (tcp_proxy or HCM). */
export function filterConfig(chain: J): J {
  return chain.filters[0].typed_config;
}
