// Inputs and lookups shared by the proxy tests.

import { buildConfig } from '../../webhook/config/load.js';
import {
  blackholeCluster,
  dataClusters,
  inboundListener,
  normalizeInput,
  outboundListener,
  probeClusters,
  readinessSelfCheckCluster,
  statusListener,
  type BootstrapInput,
} from '../../webhook/proxy/index.js';

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
    credentialsDir: '/var/run/meshward/credentials',
    credentialFiles: { certChain: 'tls.crt', privateKey: 'tls.key', trustBundle: 'ca.crt' },
    ...overrides,
  };
}

export type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * One pod's own resources, as the xDS server sends them (LDS: inbound, outbound, status; CDS: data,
 * probe, readiness self-check and blackhole clusters), in a bootstrap's static_resources shape so
 * the lookups below read both.
 */
export function podResources(input: BootstrapInput): J {
  const n = normalizeInput(input);
  return {
    static_resources: {
      listeners: [inboundListener(n), outboundListener(n), statusListener(n)],
      clusters: [...dataClusters(n), ...probeClusters(n.probes), readinessSelfCheckCluster(n), blackholeCluster()],
    },
  };
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
