// Who may call each port of the pod over mTLS, as the inbound listener takes it: the policy
// resolver's WorkloadAuthorization as it is. Normalisation orders everything, so the same
// authorization always renders the same bytes.

import { RESERVED_PORTS } from '../config/names.js';
import type { PortAuthorization, Principal, WorkloadAuthorization } from '../policy/authorization-types.js';

export type { PortAuthorization, Principal };
export type InboundAuthorization = WorkloadAuthorization;

export const ALLOW_MESH: PortAuthorization = { kind: 'allow-mesh' };

/** No input: every port admits the whole mesh, as before authorization existed. */
export const MESH_WIDE: InboundAuthorization = { ports: [], undeclared: ALLOW_MESH };

/**
 * Whether the port may still take a caller without a mesh identity (plaintext, the app's own TLS
 * passed through). An enforcing authorization never does: a plaintext caller would walk around
 * it, so such a port keeps only its mTLS chain whatever its mode says.
 */
export function admitsUnidentified(a: PortAuthorization): boolean {
  return a.kind === 'allow-mesh' || (a.kind === 'allow-list' && a.enforcement === 'Audit');
}

/** The port's own entry, else the rest-of-the-pod authorization. */
export function authorizationOf(auth: InboundAuthorization, port: number): PortAuthorization {
  return auth.ports.find((p) => p.port === port)?.authorization ?? auth.undeclared;
}

const SPIFFE = /^spiffe:\/\/[^/\s]+\/\S*$/;

/**
 * Checks and orders an authorization. A prefix must end with "/": "…/ns/shop" would also admit
 * namespace "shop-test". Entries for the proxy's own ports are dropped (nothing is forwarded there).
 */
export function normalizeAuthorization(input: InboundAuthorization | undefined, problems: string[]): InboundAuthorization {
  if (!input) return MESH_WIDE;
  const byPort = new Map<number, PortAuthorization>();
  for (const { port, authorization } of input.ports) {
    if (RESERVED_PORTS.has(port)) continue;
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`authorization: ${JSON.stringify(port)} is not a port number`);
    else if (byPort.has(port)) problems.push(`authorization: port ${port} is listed twice`);
    else byPort.set(port, normalizePort(authorization, `authorization.ports[${port}]`, problems));
  }
  return {
    ports: [...byPort].sort(([a], [b]) => a - b).map(([port, authorization]) => ({ port, authorization })),
    undeclared: normalizePort(input.undeclared, 'authorization.undeclared', problems),
  };
}

function normalizePort(a: PortAuthorization, where: string, problems: string[]): PortAuthorization {
  if (a.kind !== 'allow-list') return a;
  const seen = new Map<string, Principal>();
  for (const p of a.principals) {
    const value = 'exact' in p ? p.exact : p.prefix;
    if (!SPIFFE.test(value)) problems.push(`${where}: principal ${JSON.stringify(value)} is not a SPIFFE ID`);
    else if ('prefix' in p && !value.endsWith('/')) problems.push(`${where}: prefix ${JSON.stringify(value)} must end with "/"`);
    seen.set(`${'exact' in p ? 'exact' : 'prefix'} ${value}`, p);
  }
  const principals = [...seen].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, p]) => p);
  return { kind: 'allow-list', principals, enforcement: a.enforcement, policies: [...new Set(a.policies)].sort() };
}
