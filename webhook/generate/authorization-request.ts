import { AUTHZ_POLICY_KIND, POLICY_GROUP, POLICY_VERSION } from '../config/names.js';
import type { AuthorizationSource, Enforcement } from '../policy/authorization-types.js';
import { formatPorts } from '../policy/authorization-policy.js';
import { formatSelector } from '../policy/label-selector.js';
import { parseMeshAuthorizationPolicy } from '../policy/parse-authorization.js';
import { PolicyParseError } from '../policy/parse-policy.js';
import { GenerateInputError, parsePortArgs, parseSelectorArgs } from './request.js';

// What `meshward generate --allow-*` is asked for: let these callers reach a namespace, a workload
// (selector) or some of its ports. The callers are checked by the same parser the gate uses, so a
// form the CRD would refuse is refused here, naming the flag.

export interface AuthorizationRequest {
  readonly namespace: string;
  readonly selector?: Readonly<Record<string, string>>;
  /** Container ports; empty: every port. */
  readonly ports: readonly number[];
  readonly allow: AuthorizationSource;
  readonly enforcement: Enforcement;
  readonly name?: string;
}

const FLAGS: Record<string, string> = { namespaces: '--allow-ns', serviceAccounts: '--allow-sa', identities: '--allow-id' };
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function values(args: readonly string[]): string[] {
  return [
    ...new Set(
      args
        .flatMap((a) => a.split(','))
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ].sort();
}

/** The callers as one allow entry, checked by the MeshAuthorizationPolicy parser. */
function parseCallers(input: { allowNs: readonly string[]; allowSa: readonly string[]; allowId: readonly string[] }): AuthorizationSource {
  const source: AuthorizationSource = {
    ...(input.allowNs.length > 0 ? { namespaces: values(input.allowNs) } : {}),
    ...(input.allowSa.length > 0 ? { serviceAccounts: values(input.allowSa) } : {}),
    ...(input.allowId.length > 0 ? { identities: values(input.allowId) } : {}),
  };
  if (Object.keys(source).length === 0)
    throw new GenerateInputError('name the callers: --allow-sa NS/SA, --allow-ns NS or --allow-id spiffe://… (repeatable)');
  try {
    parseMeshAuthorizationPolicy({
      apiVersion: `${POLICY_GROUP}/${POLICY_VERSION}`,
      kind: AUTHZ_POLICY_KIND,
      metadata: { name: 'request' },
      spec: { allow: [source] },
    });
  } catch (err) {
    if (!(err instanceof PolicyParseError)) throw err;
    const problem = err.problems[0]!;
    const flag = FLAGS[/\.(namespaces|serviceAccounts|identities)/.exec(problem.field)?.[1] ?? ''] ?? '--allow-*';
    throw new GenerateInputError(`${flag}: ${problem.problem}`);
  }
  return source;
}

export function buildAuthorizationRequest(input: {
  namespace?: string;
  selector: readonly string[];
  ports: readonly string[];
  allowNs: readonly string[];
  allowSa: readonly string[];
  allowId: readonly string[];
  audit: boolean;
  name?: string;
}): AuthorizationRequest {
  if (!input.namespace) throw new GenerateInputError('--namespace is required');
  if (!DNS_LABEL.test(input.namespace))
    throw new GenerateInputError(`--namespace ${JSON.stringify(input.namespace)} is not a namespace name`);
  const selector = parseSelectorArgs(input.selector);
  const ports = parsePortArgs(input.ports);
  const allow = parseCallers(input);
  if (input.name !== undefined && !NAME.test(input.name))
    throw new GenerateInputError(`--name ${JSON.stringify(input.name)} is not a valid object name`);
  return {
    namespace: input.namespace,
    ports,
    allow,
    enforcement: input.audit ? 'Audit' : 'Enforce',
    ...(selector ? { selector } : {}),
    ...(input.name ? { name: input.name } : {}),
  };
}

/** `frontend/web (ServiceAccount), namespace batch → shop, selector app=web, port 8080 (Enforce)` */
export function describeAuthorizationRequest(request: AuthorizationRequest): string {
  const callers = [
    ...(request.allow.serviceAccounts ?? []).map((sa) => `ServiceAccount ${sa}`),
    ...(request.allow.namespaces ?? []).map((ns) => `namespace ${ns}`),
    ...(request.allow.identities ?? []),
  ];
  const target = [`namespace ${request.namespace}`];
  if (request.selector) target.push(`selector ${formatSelector(request.selector)}`);
  target.push(formatPorts(request.ports.length > 0 ? request.ports : undefined));
  return `${callers.join(', ')} may call ${target.join(', ')} (${request.enforcement})`;
}
