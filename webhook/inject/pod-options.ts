import { parseBooleanValue } from '../config/fields.js';
import { QUANTITY, QUANTITY_FORM } from '../config/quantity.js';
import { ANNOTATION_PREFIX } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { finding, formatFinding, type Finding } from '../gate/rules.js';

export const ANNOTATION_PROXY_IMAGE = `${ANNOTATION_PREFIX}proxy-image`;

/** What the pod's meshward.io/* annotations ask for, validated, with config defaults filled in. */
export interface PodInjectionOptions {
  readonly proxyImage: string;
  readonly proxyLogLevel: string;
  readonly cpuRequest: string;
  readonly memoryRequest: string;
  readonly cpuLimit: string;
  readonly memoryLimit: string;
  readonly nativeSidecar: boolean;
  readonly holdApplication: boolean;
  readonly rewriteProbes: boolean;
}

/** An invalid annotation: names it, the value and the accepted form. */
export interface AnnotationProblem {
  readonly field: string;
  readonly value: string;
  readonly message: string;
  /** When the gate has the same rule: the finding the message was formatted from. */
  readonly finding?: Finding;
}

/** A problem that is one of the gate's rules: the injector answers with the gate's words. */
export function ruleProblem(found: Finding, value: string): AnnotationProblem {
  return { field: found.field, value, message: formatFinding(found), finding: found };
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'];

function problem(name: string, value: string, accepted: string): AnnotationProblem {
  const field = `metadata.annotations["${ANNOTATION_PREFIX}${name}"]`;
  return { field, value, message: `${field}: ${JSON.stringify(value)} is not valid; use ${accepted}` };
}

/** Parses a boolean annotation ("true"/"false", any case). */
export function parseBoolAnnotation(
  annotations: Readonly<Record<string, string>>,
  name: string,
  fallback: boolean,
  problems: AnnotationProblem[],
): boolean {
  const raw = annotations[ANNOTATION_PREFIX + name];
  if (raw === undefined) return fallback;
  const value = parseBooleanValue(raw);
  if (value !== undefined) return value;
  problems.push(problem(name, raw, '"true" or "false"'));
  return fallback;
}

function pattern(
  annotations: Readonly<Record<string, string>>,
  name: string,
  fallback: string,
  regex: RegExp,
  accepted: string,
  problems: AnnotationProblem[],
): string {
  const raw = annotations[ANNOTATION_PREFIX + name];
  if (raw === undefined) return fallback;
  if (regex.test(raw.trim())) return raw.trim();
  problems.push(problem(name, raw, accepted));
  return fallback;
}

const allowLists = new WeakMap<object, ReadonlySet<string>>();

/**
 * The images that may run as the proxy (proxy.image and proxy.allowedImages), one set per config:
 * whatever runs as the proxy runs as its UID, owns inbound capture and holds the workload key.
 */
export function allowedProxyImages(config: Pick<MeshwardConfig, 'proxy'>): ReadonlySet<string> {
  let allowed = allowLists.get(config.proxy);
  if (!allowed) allowLists.set(config.proxy, (allowed = new Set([config.proxy.image, ...config.proxy.allowedImages])));
  return allowed;
}

/**
 * MW-IMAGE-001 for a meshward.io/proxy-image value off the allow-list: the one reading of that
 * annotation, for the injector and the gate (which names the field with its template prefix).
 */
export function proxyImageFinding(value: unknown, field: string, config: Pick<MeshwardConfig, 'proxy'>): Finding | undefined {
  const allowed = allowedProxyImages(config);
  if (typeof value === 'string' && allowed.has(value.trim())) return undefined;
  return finding('MW-IMAGE-001', field, `${JSON.stringify(value)} is not on the proxy allow-list (${[...allowed].join(', ')})`);
}

function proxyImage(annotations: Readonly<Record<string, string>>, config: MeshwardConfig, problems: AnnotationProblem[]): string {
  const value = annotations[ANNOTATION_PROXY_IMAGE];
  if (value === undefined) return config.proxy.image;
  // The gate's rule, in the gate's words: in a STRICT namespace this is the answer the user sees.
  const found = proxyImageFinding(value, `metadata.annotations["${ANNOTATION_PROXY_IMAGE}"]`, config);
  if (!found) return value.trim();
  problems.push(ruleProblem(found, value));
  return config.proxy.image;
}

/** Reads the proxy's per-pod annotations; every invalid one is reported, not just the first. */
export function readPodOptions(
  annotations: Readonly<Record<string, string>>,
  config: MeshwardConfig,
  problems: AnnotationProblem[],
): PodInjectionOptions {
  const p = config.proxy;
  const logLevel = pattern(
    annotations,
    'proxy-log-level',
    p.logLevel,
    new RegExp(`^(${LOG_LEVELS.join('|')})$`),
    `one of ${LOG_LEVELS.join(', ')}`,
    problems,
  );
  return {
    proxyImage: proxyImage(annotations, config, problems),
    proxyLogLevel: logLevel,
    cpuRequest: pattern(annotations, 'proxy-cpu', p.cpuRequest, QUANTITY, QUANTITY_FORM, problems),
    memoryRequest: pattern(annotations, 'proxy-memory', p.memoryRequest, QUANTITY, QUANTITY_FORM, problems),
    cpuLimit: pattern(annotations, 'proxy-cpu-limit', p.cpuLimit, QUANTITY, QUANTITY_FORM, problems),
    memoryLimit: pattern(annotations, 'proxy-memory-limit', p.memoryLimit, QUANTITY, QUANTITY_FORM, problems),
    nativeSidecar: parseBoolAnnotation(annotations, 'native-sidecar', p.nativeSidecar, problems),
    holdApplication: parseBoolAnnotation(annotations, 'hold-application', p.holdApplication, problems),
    rewriteProbes: parseBoolAnnotation(annotations, 'rewrite-probes', p.rewriteProbes, problems),
  };
}

/** Requests and limits for the proxy; empty limits are omitted. */
export function proxyResources(options: PodInjectionOptions): Record<string, Record<string, string>> {
  const limits: Record<string, string> = {};
  if (options.cpuLimit) limits.cpu = options.cpuLimit;
  if (options.memoryLimit) limits.memory = options.memoryLimit;
  const resources: Record<string, Record<string, string>> = { requests: { cpu: options.cpuRequest, memory: options.memoryRequest } };
  if (Object.keys(limits).length > 0) resources.limits = limits;
  return resources;
}
