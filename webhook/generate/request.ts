import type { ResolvedMode } from '../config/types.js';
import { formatSelector } from '../policy/label-selector.js';

// What `meshward generate` is asked for: a namespace, optionally a workload (selector) and ports,
// and the mode they should have.

export const GENERATE_MODES = ['STRICT', 'PERMISSIVE', 'DISABLE'] as const;

export interface GenerateRequest {
  readonly namespace: string;
  /** matchLabels of the workload; absent: the whole namespace. */
  readonly selector?: Readonly<Record<string, string>>;
  /** Container ports (need a selector); empty: the workload's (or namespace's) mode. */
  readonly ports: readonly number[];
  readonly mode: ResolvedMode;
  /** Name of a new policy; default: `default` (namespace-wide) or derived from the selector. */
  readonly name?: string;
}

/** Thrown for a request that cannot be expressed as a MeshTLSPolicy (exit 2). */
export class GenerateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenerateInputError';
  }
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** `app=web` and `app=web,tier=front` (repeatable) into matchLabels. */
export function parseSelectorArgs(args: readonly string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const pair of args
    .flatMap((a) => a.split(','))
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new GenerateInputError(`--selector ${JSON.stringify(pair)}: write key=value, e.g. app=web`);
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (!LABEL_KEY.test(key)) throw new GenerateInputError(`--selector: ${JSON.stringify(key)} is not a label key`);
    if (!LABEL_VALUE.test(value))
      throw new GenerateInputError(`--selector: ${JSON.stringify(value)} is not a label value (63 letters, digits, "-", "_", "." at most)`);
    if (key in out && out[key] !== value) throw new GenerateInputError(`--selector: ${key} is given twice with different values`);
    out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function parsePortArgs(args: readonly string[]): number[] {
  const ports = args
    .flatMap((a) => a.split(','))
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const n = Number(p);
      if (!/^[1-9][0-9]{0,4}$/.test(p) || n > 65535)
        throw new GenerateInputError(`--port ${JSON.stringify(p)}: a container port from 1 to 65535`);
      return n;
    });
  return [...new Set(ports)].sort((a, b) => a - b);
}

export function parseModeArg(raw: string | undefined): ResolvedMode {
  if (raw === undefined) throw new GenerateInputError(`--mode is required: ${GENERATE_MODES.join(', ')}`);
  const mode = raw.trim().toUpperCase();
  if (!(GENERATE_MODES as readonly string[]).includes(mode))
    throw new GenerateInputError(`--mode ${JSON.stringify(raw)}: use ${GENERATE_MODES.join(', ')}`);
  return mode as ResolvedMode;
}

/** Checks the combination: ports need a selector (the CRD's rule), names must be valid. */
export function buildRequest(input: {
  namespace?: string;
  selector: readonly string[];
  ports: readonly string[];
  mode?: string;
  name?: string;
}): GenerateRequest {
  if (!input.namespace) throw new GenerateInputError('--namespace is required');
  if (!DNS_LABEL.test(input.namespace))
    throw new GenerateInputError(`--namespace ${JSON.stringify(input.namespace)} is not a namespace name`);
  const selector = parseSelectorArgs(input.selector);
  const ports = parsePortArgs(input.ports);
  const mode = parseModeArg(input.mode);
  if (ports.length > 0 && !selector) {
    throw new GenerateInputError(
      '--port needs --selector: spec.portLevelMtls applies to the workload a selector names (add e.g. --selector app=web)',
    );
  }
  if (input.name !== undefined && !NAME.test(input.name))
    throw new GenerateInputError(`--name ${JSON.stringify(input.name)} is not a valid object name`);
  return { namespace: input.namespace, ports, mode, ...(selector ? { selector } : {}), ...(input.name ? { name: input.name } : {}) };
}

/** `namespace shop`, `shop, selector app=web, port 8080`: the request in one phrase. */
export function describeRequest(request: GenerateRequest): string {
  const parts = [`namespace ${request.namespace}`];
  if (request.selector) parts.push(`selector ${formatSelector(request.selector)}`);
  if (request.ports.length > 0) parts.push(`port${request.ports.length > 1 ? 's' : ''} ${request.ports.join(',')}`);
  return `${parts.join(', ')} → ${request.mode}`;
}
