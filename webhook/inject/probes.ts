import type { V1Container, V1Probe } from '@kubernetes/client-node';
import { PORTS } from '../config/names.js';

export const PROBE_KINDS = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];
const PROBE_SUFFIX: Record<ProbeKind, string> = { livenessProbe: 'livez', readinessProbe: 'readyz', startupProbe: 'startupz' };

/** A probe the proxy serves on its status port and forwards to the app's original target. */
export interface ProbeRoute {
  readonly path: string;
  readonly kind: 'http' | 'tcp' | 'grpc';
  readonly port: number;
  readonly scheme?: 'HTTP' | 'HTTPS';
  readonly originalPath?: string;
  readonly host?: string;
  readonly headers?: ReadonlyArray<{ name: string; value: string }>;
  readonly grpcService?: string;
}

export interface ProbeRewrite {
  readonly containerIndex: number;
  readonly probe: ProbeKind;
  readonly rewritten: V1Probe;
  readonly route: ProbeRoute;
}

export function probePath(container: string, probe: ProbeKind): string {
  return `/app-health/${container}/${PROBE_SUFFIX[probe]}`;
}

function resolvePort(container: V1Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^[0-9]+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** The original target of a probe, or undefined for exec probes and unresolvable named ports. */
export function probeRoute(container: V1Container, probe: ProbeKind): ProbeRoute | undefined {
  const original = container[probe];
  if (!original) return undefined;
  const path = probePath(container.name, probe);
  if (original.httpGet) {
    const port = resolvePort(container, original.httpGet.port as number | string);
    if (port === undefined || port === PORTS.status) return undefined;
    const scheme = original.httpGet.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP';
    return {
      path,
      kind: 'http',
      port,
      scheme,
      originalPath: original.httpGet.path ?? '/',
      ...(original.httpGet.host ? { host: original.httpGet.host } : {}),
      ...(original.httpGet.httpHeaders?.length ? { headers: original.httpGet.httpHeaders.map((h) => ({ name: h.name, value: h.value })) } : {}),
    };
  }
  if (original.tcpSocket) {
    const port = resolvePort(container, original.tcpSocket.port as number | string);
    return port === undefined ? undefined : { path, kind: 'tcp', port, ...(original.tcpSocket.host ? { host: original.tcpSocket.host } : {}) };
  }
  if (original.grpc) {
    return { path, kind: 'grpc', port: original.grpc.port, ...(original.grpc.service ? { grpcService: original.grpc.service } : {}) };
  }
  return undefined;
}

/**
 * Rewrites httpGet/tcpSocket/grpc probes to plaintext HTTP on the proxy's status port, so the
 * kubelet's probes keep working when inbound traffic is STRICT mTLS. Timing fields are kept.
 */
export function rewriteProbes(containers: readonly V1Container[]): ProbeRewrite[] {
  const out: ProbeRewrite[] = [];
  containers.forEach((container, containerIndex) => {
    for (const probe of PROBE_KINDS) {
      const route = probeRoute(container, probe);
      if (!route) continue;
      const { httpGet: _h, tcpSocket: _t, grpc: _g, exec: _e, ...timing } = container[probe]!;
      const rewritten: V1Probe = { ...timing, httpGet: { path: route.path, port: PORTS.status, scheme: 'HTTP' } };
      out.push({ containerIndex, probe, rewritten, route });
    }
  });
  return out;
}
