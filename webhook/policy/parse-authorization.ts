import type { KubeObject } from '../admission/types.js';
import { AUTHZ_POLICY_KIND, POLICY_GROUP, POLICY_VERSION } from '../config/names.js';
import { ENFORCEMENTS, type AuthorizationSource, type Enforcement, type MeshAuthorizationPolicy } from './authorization-types.js';
import { isRecord, parseSelector, PolicyParseError, storedPolicyParser, type PolicyProblem } from './parse-policy.js';

// Parses a MeshAuthorizationPolicy with the CRD's rules (manifests/crds/meshauthorizationpolicies.yaml),
// so `meshward check` and the gate name the same field and accepted form the API server would,
// and a stored object that predates the schema is skipped rather than half-read.

const API_VERSION = `${POLICY_GROUP}/${POLICY_VERSION}`;
const SPEC_FIELDS = new Set(['selector', 'ports', 'allow', 'enforcement']);
const SOURCE_FIELDS = ['namespaces', 'serviceAccounts', 'identities'] as const;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SERVICE_ACCOUNT = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
// The CRD's pattern: path segments of SPIFFE's characters, never "." or "..".
const SPIFFE_ID = /^spiffe:\/\/[a-z0-9._-]+(\/([.]?[A-Za-z0-9_-][A-Za-z0-9._-]*|[.][.][A-Za-z0-9._-]+))+$/;
const MAX_SPIFFE_ID = 2048;

type SourceField = (typeof SOURCE_FIELDS)[number];

const SOURCE_FORMS: Record<SourceField, { readonly valid: (value: string) => boolean; readonly form: string }> = {
  namespaces: { valid: (v) => DNS_LABEL.test(v), form: 'a namespace name (DNS label), e.g. frontend' },
  serviceAccounts: { valid: (v) => SERVICE_ACCOUNT.test(v), form: '"<namespace>/<serviceaccount>", e.g. frontend/web' },
  identities: {
    valid: (v) => v.length <= MAX_SPIFFE_ID && SPIFFE_ID.test(v),
    form: 'an exact SPIFFE ID, e.g. spiffe://cluster.local/ns/frontend/sa/web (no "." or ".." path segments)',
  },
};

function parseNames(raw: unknown, field: string, kind: SourceField, problems: PolicyProblem[]): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  const { valid, form } = SOURCE_FORMS[kind];
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push({ field, problem: 'must be a non-empty list', fix: `list each as ${form}, or remove ${kind}` });
    return undefined;
  }
  const seen = new Set<string>();
  raw.forEach((value, i) => {
    if (typeof value !== 'string' || !valid(value))
      problems.push({ field: `${field}[${i}]`, problem: `${JSON.stringify(value)} is not ${form}`, fix: `write ${form}` });
    else if (seen.has(value))
      problems.push({ field: `${field}[${i}]`, problem: `${JSON.stringify(value)} is listed twice`, fix: 'list it once' });
    else seen.add(value);
  });
  return [...seen];
}

function parseSource(raw: unknown, field: string, problems: PolicyProblem[]): AuthorizationSource {
  const example = `write {serviceAccounts: [frontend/web]}, {namespaces: [frontend]} or {identities: [spiffe://…]}`;
  if (!isRecord(raw)) {
    problems.push({ field, problem: 'must be a mapping', fix: example });
    return {};
  }
  for (const key of Object.keys(raw)) {
    if (!(SOURCE_FIELDS as readonly string[]).includes(key))
      problems.push({ field: `${field}.${key}`, problem: 'is not a source field', fix: `use ${SOURCE_FIELDS.join(', ')}` });
  }
  const out: Partial<Record<SourceField, string[]>> = {};
  for (const kind of SOURCE_FIELDS) {
    const names = parseNames(raw[kind], `${field}.${kind}`, kind, problems);
    if (names) out[kind] = names;
  }
  if (SOURCE_FIELDS.every((kind) => raw[kind] === undefined || raw[kind] === null))
    problems.push({ field, problem: 'names no caller', fix: `give at least one of ${SOURCE_FIELDS.join(', ')}: ${example}` });
  return out;
}

function parseAllow(raw: unknown, problems: PolicyProblem[]): AuthorizationSource[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push({
      field: 'spec.allow',
      problem: raw === undefined || raw === null ? 'is missing' : 'must be a non-empty list of sources',
      fix: 'list who may call, e.g. allow: [{serviceAccounts: [frontend/web]}] (to admit nobody, set mesh.defaultAuthorization: deny instead)',
    });
    return [];
  }
  return raw.map((entry, i) => parseSource(entry, `spec.allow[${i}]`, problems));
}

function parsePorts(raw: unknown, problems: PolicyProblem[]): number[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  const fix = 'list container ports from 1 to 65535, e.g. ports: [8080], or remove ports for every port';
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push({ field: 'spec.ports', problem: 'must be a non-empty list of container ports', fix });
    return undefined;
  }
  const ports = new Set<number>();
  raw.forEach((port, i) => {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
      problems.push({ field: `spec.ports[${i}]`, problem: `${JSON.stringify(port)} is not a port number`, fix });
    else if (ports.has(port)) problems.push({ field: `spec.ports[${i}]`, problem: `${port} is listed twice`, fix: 'list each port once' });
    else ports.add(port);
  });
  return [...ports].sort((a, b) => a - b);
}

function parseEnforcement(raw: unknown, problems: PolicyProblem[]): Enforcement {
  if (raw === undefined || raw === null) return 'Enforce';
  if (typeof raw === 'string' && (ENFORCEMENTS as readonly string[]).includes(raw)) return raw as Enforcement;
  problems.push({
    field: 'spec.enforcement',
    problem: `${JSON.stringify(raw)} is not an enforcement`,
    fix: `use ${ENFORCEMENTS.join(' or ')} (Audit counts what it would deny and denies nothing)`,
  });
  return 'Enforce';
}

function checkEnvelope(object: KubeObject, problems: PolicyProblem[]): void {
  if (object.kind !== AUTHZ_POLICY_KIND)
    problems.push({
      field: 'kind',
      problem: `${JSON.stringify(object.kind)} is not ${AUTHZ_POLICY_KIND}`,
      fix: `set kind: ${AUTHZ_POLICY_KIND}`,
    });
  if (object.apiVersion !== undefined && object.apiVersion !== API_VERSION)
    problems.push({
      field: 'apiVersion',
      problem: `${JSON.stringify(object.apiVersion)} is not served`,
      fix: `set apiVersion: ${API_VERSION}`,
    });
  if (!object.metadata?.name && !object.metadata?.generateName)
    problems.push({ field: 'metadata.name', problem: 'is missing', fix: 'give the policy a name' });
}

/**
 * Parses a MeshAuthorizationPolicy from plain JSON. Unknown fields are errors (Istio's
 * `rules`/`action` would otherwise be pruned, leaving a policy that says something else).
 * Throws PolicyParseError listing every problem.
 */
export function parseMeshAuthorizationPolicy(object: KubeObject, defaultNamespace = 'default'): MeshAuthorizationPolicy {
  const problems: PolicyProblem[] = [];
  checkEnvelope(object, problems);
  const spec = object.spec;
  if (!isRecord(spec))
    problems.push({ field: 'spec', problem: spec === undefined ? 'is missing' : 'must be a mapping', fix: 'write spec: {allow: [...]}' });
  const fields = isRecord(spec) ? spec : {};
  for (const key of Object.keys(fields)) {
    if (SPEC_FIELDS.has(key)) continue;
    const hint = key === 'rules' || key === 'action' ? 'meshward lists callers in spec.allow (there is no deny action)' : 'remove it';
    problems.push({
      field: `spec.${key}`,
      problem: `is not a ${AUTHZ_POLICY_KIND} field`,
      fix: `${hint} (fields: ${[...SPEC_FIELDS].join(', ')})`,
    });
  }
  const selector = parseSelector(fields.selector, problems);
  const ports = parsePorts(fields.ports, problems);
  const allow = isRecord(spec) ? parseAllow(fields.allow, problems) : [];
  const enforcement = parseEnforcement(fields.enforcement, problems);
  const namespace = object.metadata?.namespace || defaultNamespace;
  const name = object.metadata?.name || object.metadata?.generateName || '';
  if (problems.length > 0) throw new PolicyParseError(`${AUTHZ_POLICY_KIND} ${namespace}/${name || '<unnamed>'}`, problems);
  const creationTimestamp = typeof object.metadata?.creationTimestamp === 'string' ? object.metadata.creationTimestamp : undefined;
  return {
    namespace,
    name,
    allow,
    enforcement,
    ...(selector ? { selector } : {}),
    ...(ports ? { ports } : {}),
    ...(creationTimestamp ? { creationTimestamp } : {}),
  };
}

/** The MeshAuthorizationPolicies already stored in the cluster (see storedPolicyParser). */
export const parseStoredAuthorizationPolicies = storedPolicyParser((object: KubeObject) => parseMeshAuthorizationPolicy(object));
