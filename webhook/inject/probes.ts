import type { V1Container, V1PodSpec, V1Probe } from '@kubernetes/client-node';
import type { PatchOperation } from '../admission/types.js';
import { INIT_CONTAINER_NAME, PORTS, PROXY_CONTAINER_NAME, RESERVED_PORTS } from '../config/names.js';

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
  readonly headers?: ReadonlyArray<{ name: string; value: string }>;
  readonly grpcService?: string;
}

export function probePath(container: string, probe: ProbeKind): string {
  return `/app-health/${container}/${PROBE_SUFFIX[probe]}`;
}

function resolvePort(container: V1Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port !== 'string') return undefined;
  if (DIGITS.test(port)) return Number(port);
  // Hand-written manifests reach this too (the gate, `meshward check`): tolerate a non-list.
  return Array.isArray(container.ports) ? container.ports.find((p) => p.name === port)?.containerPort : undefined;
}

const DIGITS = /^[0-9]+$/;

/** A probe aimed at one of the proxy's own ports, with its field relative to the container. */
export interface ProxyPortProbe {
  readonly probe: ProbeKind;
  readonly field: string;
  readonly port: number;
}

/**
 * Probes aimed at the proxy's own ports. Rewritten, such a probe would become a plaintext route
 * on the status port to the admin API or a capture port, so the injector refuses them, and so
 * does the gate. The one exception is the status port at exactly the path the injector gives
 * this probe: what an injected pod carries.
 */
export function probesOnProxyPorts(container: object): ProxyPortProbe[] {
  // Hand-written manifests reach this too (the gate, `meshward check`): every field is read as unknown.
  const fields = container as Readonly<Record<string, unknown>>;
  const out: ProxyPortProbe[] = [];
  for (const probe of PROBE_KINDS) {
    const handlers = fields[probe] as Readonly<Record<string, { port?: unknown; path?: unknown } | undefined>> | undefined;
    if (typeof handlers !== 'object' || handlers === null) continue;
    for (const handler of ['httpGet', 'tcpSocket', 'grpc']) {
      const action = handlers[handler];
      if (typeof action !== 'object' || action === null) continue;
      const port = resolvePort(container as V1Container, action.port as number | string);
      if (port === undefined || !RESERVED_PORTS.has(port)) continue;
      if (port === PORTS.status && handler === 'httpGet' && action.path === probePath(String(fields.name), probe)) continue;
      out.push({ probe, field: `${probe}.${handler}.port`, port });
    }
  }
  return out;
}

/**
 * The original target of a probe, or undefined for probes that stay with the kubelet: exec
 * probes, unresolvable named ports, probes on the proxy's own ports (never made a plaintext
 * route to the proxy; the injector refuses them besides), and probes that name a `host`. Those
 * aim at another address, which the kubelet reaches as it would without a mesh; rewritten, the
 * proxy (whose traffic is never captured) would relay plaintext to it.
 */
export function probeRoute(container: V1Container, probe: ProbeKind): ProbeRoute | undefined {
  const original = container[probe];
  if (!original) return undefined;
  const path = probePath(container.name, probe);
  // Optional members are set only when present: the route is part of a cache key (inject-pod.ts).
  if (original.httpGet) {
    const { httpGet } = original;
    const port = resolvePort(container, httpGet.port as number | string);
    if (port === undefined || RESERVED_PORTS.has(port) || httpGet.host) return undefined;
    const route: { -readonly [K in keyof ProbeRoute]: ProbeRoute[K] } = {
      path,
      kind: 'http',
      port,
      scheme: httpGet.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
      originalPath: httpGet.path ?? '/',
    };
    if (httpGet.httpHeaders?.length) route.headers = httpGet.httpHeaders.map((h) => ({ name: h.name, value: h.value }));
    return route;
  }
  if (original.tcpSocket) {
    const port = resolvePort(container, original.tcpSocket.port as number | string);
    if (port === undefined || RESERVED_PORTS.has(port) || original.tcpSocket.host) return undefined;
    return { path, kind: 'tcp', port };
  }
  if (original.grpc) {
    if (RESERVED_PORTS.has(original.grpc.port)) return undefined;
    return original.grpc.service
      ? { path, kind: 'grpc', port: original.grpc.port, grpcService: original.grpc.service }
      : { path, kind: 'grpc', port: original.grpc.port };
  }
  return undefined;
}

const HANDLERS: ReadonlySet<string> = new Set(['httpGet', 'tcpSocket', 'grpc', 'exec']);

/** A probe rewrite, addressed in the pod: `/spec/containers/0/readinessProbe`. */
export interface PodProbeRewrite {
  readonly pointer: string;
  readonly probe: ProbeKind;
  /** Handlers the probe has besides httpGet (tcpSocket, grpc): removed. */
  readonly removed: readonly string[];
  /** Whether the probe has an httpGet to replace (else one is added). */
  readonly hadHttpGet: boolean;
  /** The new handler: plaintext HTTP on the status port (scheme HTTP is the API server's default, left out). */
  readonly httpGet: { readonly path: string; readonly port: number };
  readonly route: ProbeRoute;
}

/**
 * Every probe of a pod's app containers and native sidecars that goes through the proxy,
 * rewritten to plaintext HTTP on the status port, so the kubelet's probes keep working when
 * inbound traffic is STRICT mTLS. Only the handler changes: timing fields (and any field this
 * version does not know) stay where they are and are not repeated in the patch. In the order
 * routes are recorded (containers, then native sidecars): injection and reinvocation record the
 * same routes in the same order, so the gate can re-render either. meshward's own containers are
 * skipped. On the admission path: no intermediate arrays.
 */
export function podProbeRewrites(spec: V1PodSpec | undefined): PodProbeRewrite[] {
  const out: PodProbeRewrite[] = [];
  addRewrites(out, 'containers', spec?.containers, false);
  addRewrites(out, 'initContainers', spec?.initContainers, true);
  return out;
}

function addRewrites(out: PodProbeRewrite[], list: string, containers: readonly V1Container[] | undefined, sidecarsOnly: boolean): void {
  if (!containers) return;
  for (let index = 0; index < containers.length; index++) {
    const container = containers[index]!;
    if (container.name === PROXY_CONTAINER_NAME || container.name === INIT_CONTAINER_NAME) continue;
    if (sidecarsOnly && container.restartPolicy !== 'Always') continue;
    for (const probe of PROBE_KINDS) {
      const route = probeRoute(container, probe);
      if (!route) continue;
      const original = container[probe] as Record<string, unknown>;
      const removed: string[] = [];
      for (const key in original) if (HANDLERS.has(key) && key !== 'httpGet') removed.push(key);
      out.push({
        pointer: `/spec/${list}/${index}/${probe}`,
        probe,
        removed,
        hadHttpGet: original.httpGet !== undefined,
        httpGet: { path: route.path, port: PORTS.status },
        route,
      });
    }
  }
}

/** The rewrite as patch operations: other handlers removed, then httpGet replaced or added. */
export function probeRewriteOperations(r: PodProbeRewrite): PatchOperation[] {
  return [
    ...r.removed.map((handler): PatchOperation => ({ op: 'remove', path: `${r.pointer}/${handler}` })),
    { op: r.hadHttpGet ? 'replace' : 'add', path: `${r.pointer}/httpGet`, value: r.httpGet },
  ];
}

/**
 * The probe a rewritten one came from, given its recorded route: the route's target as the
 * handler, the rewritten probe's other fields as they are. The inverse of podProbeRewrites for the
 * fields a route keeps (a named port comes back as its number, which rewrites alike).
 */
export function restoreProbe(rewritten: V1Probe, route: ProbeRoute): V1Probe {
  const probe: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rewritten)) if (!HANDLERS.has(key)) probe[key] = value;
  if (route.kind === 'http') {
    probe.httpGet = {
      path: route.originalPath ?? '/',
      port: route.port,
      scheme: route.scheme ?? 'HTTP',
      ...(route.headers ? { httpHeaders: route.headers.map((h) => ({ name: h.name, value: h.value })) } : {}),
    };
  } else if (route.kind === 'tcp') {
    probe.tcpSocket = { port: route.port };
  } else {
    probe.grpc = { port: route.port, ...(route.grpcService ? { service: route.grpcService } : {}) };
  }
  return probe as V1Probe;
}
