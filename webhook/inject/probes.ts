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
  if (typeof port !== 'string') return undefined;
  if (DIGITS.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

const DIGITS = /^[0-9]+$/;

/** The original target of a probe, or undefined for exec probes and unresolvable named ports. */
export function probeRoute(container: V1Container, probe: ProbeKind): ProbeRoute | undefined {
  const original = container[probe];
  if (!original) return undefined;
  const path = probePath(container.name, probe);
  // Optional members are set only when present: the route is part of a cache key (proxy-files.ts).
  if (original.httpGet) {
    const { httpGet } = original;
    const port = resolvePort(container, httpGet.port as number | string);
    if (port === undefined || port === PORTS.status) return undefined;
    const route: { -readonly [K in keyof ProbeRoute]: ProbeRoute[K] } = { path, kind: 'http', port, scheme: httpGet.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP', originalPath: httpGet.path ?? '/' };
    if (httpGet.host) route.host = httpGet.host;
    if (httpGet.httpHeaders?.length) route.headers = httpGet.httpHeaders.map((h) => ({ name: h.name, value: h.value }));
    return route;
  }
  if (original.tcpSocket) {
    const port = resolvePort(container, original.tcpSocket.port as number | string);
    if (port === undefined) return undefined;
    return original.tcpSocket.host ? { path, kind: 'tcp', port, host: original.tcpSocket.host } : { path, kind: 'tcp', port };
  }
  if (original.grpc) {
    return original.grpc.service ? { path, kind: 'grpc', port: original.grpc.port, grpcService: original.grpc.service } : { path, kind: 'grpc', port: original.grpc.port };
  }
  return undefined;
}

const HANDLERS: ReadonlySet<string> = new Set(['httpGet', 'tcpSocket', 'grpc', 'exec']);

/**
 * Rewrites httpGet/tcpSocket/grpc probes to plaintext HTTP on the proxy's status port, so the
 * kubelet's probes keep working when inbound traffic is STRICT mTLS. Timing fields (and any field
 * this version does not know) are kept, in their order.
 */
export function rewriteProbes(containers: readonly V1Container[]): ProbeRewrite[] {
  const out: ProbeRewrite[] = [];
  containers.forEach((container, containerIndex) => {
    for (const probe of PROBE_KINDS) {
      const route = probeRoute(container, probe);
      if (!route) continue;
      const original = container[probe] as Record<string, unknown>;
      const rewritten: Record<string, unknown> = {};
      for (const key of Object.keys(original)) if (!HANDLERS.has(key)) rewritten[key] = original[key];
      rewritten.httpGet = { path: route.path, port: PORTS.status, scheme: 'HTTP' };
      out.push({ containerIndex, probe, rewritten: rewritten as V1Probe, route });
    }
  });
  return out;
}
