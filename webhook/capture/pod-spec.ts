// The rules travel in the meshward-init container's env, as literal values, so anyone reading
// the pod spec sees exactly what was installed in the pod's network namespace.

import { INIT_CONTAINER_NAME } from '../config/names.js';
import { RULES_ENV, type CaptureRules } from './settings.js';

export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

/** Env entries for meshward-init: one per captured family (a family with no rules is left out). */
export function initContainerEnv(rules: CaptureRules): EnvVar[] {
  const env: EnvVar[] = [];
  if (rules.ipv4 !== '') env.push({ name: RULES_ENV.ipv4, value: rules.ipv4 });
  if (rules.ipv6 !== '') env.push({ name: RULES_ENV.ipv6, value: rules.ipv6 });
  return env;
}

/** The part of a pod spec this module reads; anything else in it is ignored. */
export interface PodSpecLike {
  readonly initContainers?: ReadonlyArray<{
    readonly name?: string;
    readonly env?: ReadonlyArray<{ readonly name?: string; readonly value?: string; readonly valueFrom?: unknown }>;
  }>;
}

export type RulesFromSpec = { readonly found: true; readonly rules: CaptureRules } | { readonly found: false; readonly reason: string };

/**
 * Reads back the rules the injector put into a pod spec. Not found when there is no meshward-init
 * init container, or when a rules variable is not a literal value (valueFrom hides the rules from
 * the spec, which defeats auditing).
 */
export function captureRulesFromPodSpec(spec: PodSpecLike | undefined): RulesFromSpec {
  const init = spec?.initContainers?.find((c) => c.name === INIT_CONTAINER_NAME);
  if (init === undefined) return { found: false, reason: `no ${INIT_CONTAINER_NAME} in spec.initContainers` };
  const pick = (name: string): string | { error: string } => {
    const matches = (init.env ?? []).filter((e) => e.name === name);
    if (matches.length > 1) return { error: `${name} is set ${matches.length} times` };
    const entry = matches[0];
    if (entry === undefined) return '';
    if (entry.valueFrom !== undefined) return { error: `${name} uses valueFrom; it must be a literal value` };
    return entry.value ?? '';
  };
  const ipv4 = pick(RULES_ENV.ipv4);
  const ipv6 = pick(RULES_ENV.ipv6);
  if (typeof ipv4 !== 'string') return { found: false, reason: `${INIT_CONTAINER_NAME} env: ${ipv4.error}` };
  if (typeof ipv6 !== 'string') return { found: false, reason: `${INIT_CONTAINER_NAME} env: ${ipv6.error}` };
  return { found: true, rules: { ipv4, ipv6 } };
}
