// renderBootstrap: one pod's complete Envoy v3 bootstrap (plain JSON), from the editable template
// plus the per-pod parts computed here. Pure apart from reading the template once.

import { PORTS } from '../config/names.js';
import { normalizeInput, type BootstrapInput, type NormalizedInput } from './bootstrap-input.js';
import { fillTemplate } from '../template/fill-template.js';
import { defaultBootstrapTemplate, parseBootstrapTemplate } from './bootstrap-template.js';
import { dataClusters } from './data-clusters.js';
import { bindAddresses, type Json } from './envoy-fragments.js';
import { inboundListener, loopbackAddress } from './inbound-listener.js';
import { outboundListener } from './outbound-listener.js';
import { probeClusters } from './probe-clusters.js';
import { statusListener } from './status-listener.js';
import { selfPeer, upstreamMtls } from './tls-contexts.js';

export interface RenderOptions {
  /** Template text to use instead of templates/envoy-bootstrap.yaml. */
  templateText?: string;
}

export function renderBootstrap(input: BootstrapInput, options: RenderOptions = {}): Record<string, unknown> {
  const template = options.templateText !== undefined ? parseBootstrapTemplate(options.templateText) : defaultBootstrapTemplate();
  return fillTemplate(template, bootstrapContext(normalizeInput(input))) as Record<string, unknown>;
}

/** Every value the template may refer to. */
export function bootstrapContext(n: NormalizedInput): Record<string, unknown> {
  return {
    node: {
      // Informational only (no control plane). The injector leaves podName out: the proxy's
      // --service-node argument sets the id from the pod's name at run time.
      id: `sidecar~${n.namespace}~${n.podName ?? n.serviceAccount}`,
      cluster: `${n.serviceAccount}.${n.namespace}`,
      metadata: {
        namespace: n.namespace,
        service_account: n.serviceAccount,
        spiffe_id: n.spiffeId,
        workload_mode: n.workloadMode,
        port_modes: Object.fromEntries(n.ports.map(({ port, mode }) => [String(port), mode])),
      },
    },
    ports: PORTS,
    selfCheck: { address: loopbackAddress(n) },
    bind: {
      readiness: bindAddresses(PORTS.readiness, n.ipFamilies),
      metrics: bindAddresses(PORTS.metrics, n.ipFamilies),
    },
    listeners: { inbound: inboundListener(n), outbound: outboundListener(n), status: statusListener(n) },
    tls: { selfCheckClient: upstreamMtls(n, { peers: selfPeer(n), noResumption: true }) },
    clusters: [...dataClusters(n), ...probeClusters(n.probes)] satisfies Json[],
  };
}
