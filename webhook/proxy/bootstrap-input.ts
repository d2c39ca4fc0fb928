// What the injector hands the bootstrap renderer for one pod, and its normalisation: checked,
// deduplicated and sorted once, so every renderer below works on clean, ordered data and the same
// pod always yields the same bytes (whatever order its containers list ports and probes in).

import { posix } from 'node:path';
import { PORTS } from '../config/names.js';
import type { MeshwardConfig, ResolvedMode } from '../config/types.js';
import { normalizeAuthorization, type InboundAuthorization } from './inbound-authorization.js';

export interface ProbeInput {
  /** Rewritten path on the status port (15020), e.g. /app-health/web/readyz. */
  path: string;
  kind: 'http' | 'tcp' | 'grpc';
  /** The container port the original probe targeted (named ports already resolved). */
  port: number;
  scheme?: 'HTTP' | 'HTTPS';
  /** The original httpGet path (may carry a query string); default "/". */
  originalPath?: string;
  headers?: Array<{ name: string; value: string }>;
  /** gRPC probes: grpc.health.v1 service name (kubelet's grpc.service); default "". */
  service?: string;
  /** Kubelet timeoutSeconds / periodSeconds: pace the proxy's own checks of tcp and grpc probes. */
  timeoutSeconds?: number;
  periodSeconds?: number;
}

export interface BootstrapInput {
  config: MeshwardConfig;
  namespace: string;
  serviceAccount: string;
  /** Often unknown at admission (generateName); the node id then falls back to the account. */
  podName?: string;
  /** Mode of ports the pod does not declare. */
  workloadMode: ResolvedMode;
  ports: Array<{ port: number; protocol?: 'TCP' | 'UDP' | 'SCTP'; mode: ResolvedMode }>;
  probes: ProbeInput[];
  /** Who may call each port over mTLS (the policy resolver's WorkloadAuthorization); default: the whole mesh, everywhere. */
  authorization?: InboundAuthorization;
  /** Where the projected credentials are mounted, e.g. /var/run/meshward/credentials. */
  credentialsDir: string;
  /** File names (relative to credentialsDir) of the PEM chain, key and trust bundle. */
  credentialFiles: { certChain: string; privateKey: string; trustBundle: string };
  /** Where the proxy finds the SDS files renderSdsSecrets() produces; default credentialsDir. */
  sdsDir?: string;
  /** Address families the proxy listens on; default both (0.0.0.0 and ::). */
  ipFamilies?: ReadonlyArray<'IPv4' | 'IPv6'>;
}

export interface NormalizedProbe extends Required<Omit<ProbeInput, 'scheme'>> {
  scheme: 'HTTP' | 'HTTPS';
}

/** BootstrapInput after checks: TCP ports only, sorted by number; probes sorted by path. */
export interface NormalizedInput extends Omit<BootstrapInput, 'ports' | 'probes' | 'authorization'> {
  ports: Array<{ port: number; mode: ResolvedMode }>;
  probes: NormalizedProbe[];
  authorization: InboundAuthorization;
  sdsDir: string;
  ipFamilies: ReadonlyArray<'IPv4' | 'IPv6'>;
  spiffeId: string;
}

/** Every problem at once; the injector turns it into a denial naming the field. */
export class BootstrapInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`cannot render the proxy bootstrap:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BootstrapInputError';
  }
}

const RESERVED_PORTS = new Set<number>([...Object.values(PORTS)]);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
// Rewritten probe paths are injector-made; keep them to unreserved URL characters.
const PROBE_PATH = /^\/[A-Za-z0-9._~\-/]*$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const RELATIVE_FILE = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\0]+$/;

const isPort = (p: unknown): p is number => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;

/** Checks and orders the input; throws BootstrapInputError listing every problem. */
export function normalizeInput(input: BootstrapInput): NormalizedInput {
  const problems: string[] = [];
  if (!DNS_LABEL.test(input.namespace)) problems.push(`namespace ${JSON.stringify(input.namespace)}: must be a DNS label`);
  if (!DNS_SUBDOMAIN.test(input.serviceAccount))
    problems.push(`serviceAccount ${JSON.stringify(input.serviceAccount)}: must be a DNS subdomain`);
  if (!posix.isAbsolute(input.credentialsDir))
    problems.push(`credentialsDir ${JSON.stringify(input.credentialsDir)}: must be an absolute path`);
  if (input.sdsDir !== undefined && !posix.isAbsolute(input.sdsDir))
    problems.push(`sdsDir ${JSON.stringify(input.sdsDir)}: must be an absolute path`);
  for (const [key, file] of Object.entries(input.credentialFiles)) {
    if (!RELATIVE_FILE.test(file))
      problems.push(`credentialFiles.${key} ${JSON.stringify(file)}: must be a relative path inside credentialsDir`);
  }
  const ports = normalizePorts(input.ports, problems);
  const probes = normalizeProbes(input.probes, problems);
  const authorization = normalizeAuthorization(input.authorization, problems);
  const ipFamilies = [...new Set<'IPv4' | 'IPv6'>(input.ipFamilies ?? ['IPv4', 'IPv6'])].sort();
  if (ipFamilies.length === 0) problems.push('ipFamilies: must name IPv4, IPv6 or both');
  if (problems.length > 0) throw new BootstrapInputError(problems);
  return {
    ...input,
    ports,
    probes,
    authorization,
    sdsDir: posix.normalize(input.sdsDir ?? input.credentialsDir),
    credentialsDir: posix.normalize(input.credentialsDir),
    ipFamilies,
    spiffeId: `spiffe://${input.config.mesh.trustDomain}/ns/${input.namespace}/sa/${input.serviceAccount}`,
  };
}

/** What normalizeInput would say about these probes alone (the injector checks them at admission). */
export function probeInputProblems(probes: readonly ProbeInput[]): string[] {
  const problems: string[] = [];
  normalizeProbes(probes, problems);
  return problems;
}

function normalizePorts(ports: BootstrapInput['ports'], problems: string[]): NormalizedInput['ports'] {
  const byPort = new Map<number, ResolvedMode>();
  for (const { port, protocol, mode } of ports) {
    // Capture is TCP only: UDP/SCTP ports never reach the proxy.
    if (protocol !== undefined && protocol !== 'TCP') continue;
    if (!isPort(port)) problems.push(`ports: ${JSON.stringify(port)} is not a port number (1-65535)`);
    else if (RESERVED_PORTS.has(port)) problems.push(`ports: ${port} is reserved by the proxy`);
    else if (byPort.has(port) && byPort.get(port) !== mode) problems.push(`ports: ${port} has two modes (${byPort.get(port)}, ${mode})`);
    else byPort.set(port, mode);
  }
  return [...byPort].sort(([a], [b]) => a - b).map(([port, mode]) => ({ port, mode }));
}

function normalizeProbes(probes: readonly ProbeInput[], problems: string[]): NormalizedProbe[] {
  const seen = new Set<string>();
  const out: NormalizedProbe[] = [];
  for (const p of probes) {
    const where = `probes[${JSON.stringify(p.path)}]`;
    if (!PROBE_PATH.test(p.path)) problems.push(`${where}: path must start with / and use only URL-safe characters`);
    else if (seen.has(p.path)) problems.push(`${where}: path used by two probes`);
    seen.add(p.path);
    if (!isPort(p.port)) problems.push(`${where}: port ${JSON.stringify(p.port)} is not a port number`);
    if (p.originalPath !== undefined && !p.originalPath.startsWith('/')) problems.push(`${where}: originalPath must start with /`);
    for (const h of p.headers ?? [])
      if (!HEADER_NAME.test(h.name)) problems.push(`${where}: header name ${JSON.stringify(h.name)} is not a token`);
    for (const key of ['timeoutSeconds', 'periodSeconds'] as const) {
      const v = p[key];
      if (v !== undefined && !(Number.isInteger(v) && v >= 1)) problems.push(`${where}: ${key} must be a positive integer`);
    }
    out.push({
      path: p.path,
      kind: p.kind,
      port: p.port,
      scheme: p.scheme ?? 'HTTP',
      originalPath: p.originalPath ?? '/',
      headers: [...(p.headers ?? [])],
      service: p.service ?? '',
      // Kubelet's defaults: the proxy then checks as often as the kubelet would.
      timeoutSeconds: p.timeoutSeconds ?? 1,
      periodSeconds: p.periodSeconds ?? 10,
    });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
