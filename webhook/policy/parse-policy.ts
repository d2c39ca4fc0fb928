import type { KubeObject } from '../admission/types.js';
import { POLICY_GROUP, POLICY_KIND, POLICY_VERSION } from '../config/names.js';
import { MTLS_MODES, type MtlsMode } from '../config/types.js';
import type { MeshTLSPolicy, PortLevelMode } from './mesh-tls-policy.js';

/** One thing wrong with a MeshTLSPolicy: the field, what is wrong, and what to write instead. */
export interface PolicyProblem {
  readonly field: string;
  readonly problem: string;
  readonly fix: string;
}

/** Every problem of one object at once, so the author fixes the YAML in one go. */
export class PolicyParseError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly PolicyProblem[],
  ) {
    super(`${source}: ${problems.map((p) => `${p.field}: ${p.problem}. Fix: ${p.fix}`).join('; ')}`);
    this.name = 'PolicyParseError';
  }
}

const API_VERSION = `${POLICY_GROUP}/${POLICY_VERSION}`;
const MODES_FORM = MTLS_MODES.join(', ');
const SPEC_FIELDS = new Set(['selector', 'mode', 'portLevelMtls']);
// Canonical port keys only: "080" and "80" would otherwise name the same port twice.
const PORT_KEY = /^[1-9][0-9]{0,4}$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseMode(raw: unknown, field: string, problems: PolicyProblem[]): MtlsMode {
  if (raw === undefined || raw === null) return 'UNSET';
  if (typeof raw === 'string' && (MTLS_MODES as readonly string[]).includes(raw)) return raw as MtlsMode;
  problems.push({ field, problem: `${JSON.stringify(raw)} is not a mode`, fix: `use one of ${MODES_FORM} (upper case)` });
  return 'UNSET';
}

/** spec.selector of either meshward policy kind: matchLabels only, at least one. */
export function parseSelector(raw: unknown, problems: PolicyProblem[]): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) {
    problems.push({ field: 'spec.selector', problem: 'must be a mapping', fix: 'write selector: {matchLabels: {app: web}}' });
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (key !== 'matchLabels') {
      problems.push({
        field: `spec.selector.${key}`,
        problem: 'is not supported',
        fix: 'select workloads with spec.selector.matchLabels only',
      });
    }
  }
  const labels = raw.matchLabels;
  if (labels !== undefined && labels !== null && !isRecord(labels)) {
    problems.push({ field: 'spec.selector.matchLabels', problem: 'must be a map of label to value', fix: 'write matchLabels: {app: web}' });
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (typeof value === 'string') out[key] = value;
    else
      problems.push({
        field: `spec.selector.matchLabels["${key}"]`,
        problem: `${JSON.stringify(value)} is not a string`,
        fix: 'quote the value in YAML, e.g. version: "1"',
      });
  }
  // Istio reads `matchLabels: {}` as namespace scope; meshward refuses it (as the CRD does),
  // because it is also what pruning leaves of an unsupported matchExpressions.
  if (Object.keys(labels ?? {}).length === 0) {
    problems.push({
      field: 'spec.selector',
      problem: 'selects nothing (no matchLabels)',
      fix: 'add matchLabels, or remove selector for a namespace-wide policy',
    });
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function parsePorts(raw: unknown, problems: PolicyProblem[]): PortLevelMode[] {
  if (raw === undefined || raw === null) return [];
  if (!isRecord(raw) || Object.keys(raw).length === 0) {
    problems.push({
      field: 'spec.portLevelMtls',
      problem: 'must be a non-empty map of container port to {mode}',
      fix: 'write portLevelMtls: {"8080": {mode: STRICT}} or remove it',
    });
    return [];
  }
  const out: PortLevelMode[] = [];
  for (const [key, entry] of Object.entries(raw)) {
    const field = `spec.portLevelMtls["${key}"]`;
    if (!PORT_KEY.test(key) || Number(key) > 65535) {
      problems.push({
        field,
        problem: `"${key}" is not a port number`,
        fix: 'key each entry by a container port from 1 to 65535, e.g. "8080"',
      });
      continue;
    }
    if (!isRecord(entry)) {
      problems.push({ field, problem: 'must be a mapping', fix: `write "${key}": {mode: STRICT}` });
      continue;
    }
    out.push({ port: Number(key), mode: parseMode(entry.mode, `${field}.mode`, problems) });
  }
  return out.sort((a, b) => a.port - b.port);
}

function checkEnvelope(object: KubeObject, problems: PolicyProblem[]): void {
  if (object.kind !== POLICY_KIND) {
    problems.push({ field: 'kind', problem: `${JSON.stringify(object.kind)} is not ${POLICY_KIND}`, fix: `set kind: ${POLICY_KIND}` });
  }
  if (object.apiVersion !== undefined && object.apiVersion !== API_VERSION) {
    problems.push({
      field: 'apiVersion',
      problem: `${JSON.stringify(object.apiVersion)} is not served`,
      fix: `set apiVersion: ${API_VERSION}`,
    });
  }
  if (!object.metadata?.name && !object.metadata?.generateName) {
    problems.push({ field: 'metadata.name', problem: 'is missing', fix: 'give the policy a name' });
  }
}

/**
 * Parses a MeshTLSPolicy from plain JSON. A missing spec or mode is UNSET (inherit), like Istio.
 * Unknown spec fields are errors: `spec.mtls.mode` (Istio's spelling) would otherwise be pruned
 * and the policy would silently inherit. Throws PolicyParseError listing every problem.
 */
export function parseMeshTLSPolicy(object: KubeObject, defaultNamespace = 'default'): MeshTLSPolicy {
  const problems: PolicyProblem[] = [];
  checkEnvelope(object, problems);
  const spec = object.spec ?? {};
  if (!isRecord(spec)) {
    problems.push({ field: 'spec', problem: 'must be a mapping', fix: 'write spec: {mode: STRICT}' });
  }
  const fields = isRecord(spec) ? spec : {};
  for (const key of Object.keys(fields)) {
    if (!SPEC_FIELDS.has(key)) {
      const hint = key === 'mtls' ? 'meshward uses spec.mode, not spec.mtls.mode' : 'remove it';
      problems.push({
        field: `spec.${key}`,
        problem: 'is not a MeshTLSPolicy field',
        fix: `${hint} (fields: selector, mode, portLevelMtls)`,
      });
    }
  }
  const selector = parseSelector(fields.selector, problems);
  const mode = parseMode(fields.mode, 'spec.mode', problems);
  const portLevelMtls = parsePorts(fields.portLevelMtls, problems);
  if (fields.portLevelMtls !== undefined && fields.portLevelMtls !== null && (fields.selector === undefined || fields.selector === null)) {
    problems.push({
      field: 'spec.portLevelMtls',
      problem: 'needs a workload selector',
      fix: 'add spec.selector.matchLabels naming the workload whose ports these are',
    });
  }
  const namespace = object.metadata?.namespace || defaultNamespace;
  const name = object.metadata?.name || object.metadata?.generateName || '';
  if (problems.length > 0) throw new PolicyParseError(`${POLICY_KIND} ${namespace}/${name || '<unnamed>'}`, problems);
  const creationTimestamp = typeof object.metadata?.creationTimestamp === 'string' ? object.metadata.creationTimestamp : undefined;
  return { namespace, name, mode, portLevelMtls, ...(selector ? { selector } : {}), ...(creationTimestamp ? { creationTimestamp } : {}) };
}

/**
 * A parser of stored policies (MeshTLSPolicy, MeshAuthorizationPolicy) that parses each object
 * once: admission and the control plane read the stored policies on every pod and every push. An
 * object from the API server carries a resourceVersion that changes with every update (informer
 * caches swap the object then), so its parse is reused until it changes; others are re-parsed. The
 * CRD's schema keeps invalid objects out, so one that fails here predates it: it is skipped and
 * reported the same way by every caller.
 */
export function storedPolicyParser<T>(
  parse: (object: KubeObject) => T,
): (objects: readonly KubeObject[]) => { policies: T[]; errors: PolicyParseError[] } {
  const parses = new WeakMap<KubeObject, { readonly resourceVersion: string; readonly parsed: T | PolicyParseError }>();
  const parseOne = (object: KubeObject): T | PolicyParseError => {
    const resourceVersion = typeof object.metadata?.resourceVersion === 'string' ? object.metadata.resourceVersion : undefined;
    const known = resourceVersion ? parses.get(object) : undefined;
    if (known && known.resourceVersion === resourceVersion) return known.parsed;
    let parsed: T | PolicyParseError;
    try {
      parsed = parse(object);
    } catch (err) {
      if (!(err instanceof PolicyParseError)) throw err;
      parsed = err;
    }
    if (resourceVersion) parses.set(object, { resourceVersion, parsed });
    return parsed;
  };
  return (objects) => {
    const policies: T[] = [];
    const errors: PolicyParseError[] = [];
    for (const object of objects) {
      const parsed = parseOne(object);
      if (parsed instanceof PolicyParseError) errors.push(parsed);
      else policies.push(parsed);
    }
    return { policies, errors };
  };
}

/** The MeshTLSPolicies already stored in the cluster (see storedPolicyParser). */
export const parseStoredPolicies = storedPolicyParser(parseMeshTLSPolicy);
