// The rules travel in the meshward-init container's env, as literal values, so anyone reading
// the pod spec sees exactly what was installed in the pod's network namespace.

import { INIT_CONTAINER_NAME } from '../config/names.js';
import { LOOPBACK, RULES_ENV, type CaptureRules } from './settings.js';

export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

/**
 * The IPv6 rules meshward-init derives from one rule set for both families: the IPv4 loopback
 * addresses replaced by IPv6 ones, literally (meshward-init.sh does the same with sed). The only
 * other per-family lines, CIDR exclusions and inclusions, make the two sets differ, and then both
 * are carried.
 */
export function ipv6FromShared(rules: string): string {
  return rules
    .replaceAll(LOOPBACK.ipv4.passthroughSource, LOOPBACK.ipv6.passthroughSource)
    .replaceAll(LOOPBACK.ipv4.loopback, LOOPBACK.ipv6.loopback);
}

/**
 * Env entries for meshward-init: one rule set when the IPv6 rules follow from the IPv4 ones (the
 * common pod: about 1.1 KB less in every admission patch and stored pod), else one per captured
 * family (a family with no rules is left out).
 */
export function initContainerEnv(rules: CaptureRules): EnvVar[] {
  if (rules.ipv4 !== '' && rules.ipv6 !== '' && ipv6FromShared(rules.ipv4) === rules.ipv6)
    return [{ name: RULES_ENV.both, value: rules.ipv4 }];
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
 * Reads back the rules the injector put into a pod spec, per family, as meshward-init applies
 * them. Not found when there is no meshward-init init container, or when a rules variable is not
 * a literal value (valueFrom hides the rules from the spec, which defeats auditing), or when the
 * shared rule set comes with per-family ones (meshward-init refuses that).
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
  const picked = [pick(RULES_ENV.both), pick(RULES_ENV.ipv4), pick(RULES_ENV.ipv6)];
  const bad = picked.find((v): v is { error: string } => typeof v !== 'string');
  if (bad) return { found: false, reason: `${INIT_CONTAINER_NAME} env: ${bad.error}` };
  const [both, ipv4, ipv6] = picked as string[];
  if (both === '') return { found: true, rules: { ipv4, ipv6 } };
  if (ipv4 !== '' || ipv6 !== '')
    return { found: false, reason: `${INIT_CONTAINER_NAME} env: ${RULES_ENV.both} is set together with per-family rules` };
  return { found: true, rules: { ipv4: both, ipv6: ipv6FromShared(both) } };
}
