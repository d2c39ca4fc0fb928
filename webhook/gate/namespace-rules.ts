import type { KubeObject } from '../admission/types.js';
import { LABEL_INJECT, LABEL_MTLS } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { findNonStrictModes } from '../policy/mode-effects.js';
import type { PolicySet } from '../policy/resolve-modes.js';
import { isValidRequirement, namespaceInjection, namespaceLabel } from '../policy/namespace-label.js';
import { podsUngated } from './namespace-mode.js';
import { podFindings } from './pod-rules.js';
import { podViewOf } from './pod-template.js';
import { describeLevel } from './policy-rules.js';
import { finding, type Finding } from './rules.js';
import { cappedWarnings } from './warnings.js';

// Namespaces: the requirement label must be a known value; turning a namespace STRICT is
// allowed (refusing it would stop a security owner from tightening), with warnings that list
// what already violates it. Existing pods are not evicted: they are listed.

/** MW-NS-001: a meshward.io/mtls value the gate does not understand. */
export function namespaceLabelFindings(namespace: KubeObject): Finding[] {
  const value = namespaceLabel(namespace);
  if (value === undefined || isValidRequirement(value)) return [];
  return [finding('MW-NS-001', `metadata.labels["${LABEL_MTLS}"]`, `${JSON.stringify(value)} is not a requirement meshward knows`)];
}

export interface StrictTransitionInput {
  readonly config: MeshwardConfig;
  readonly namespace: KubeObject;
  readonly pods: readonly KubeObject[];
  /** The namespace's and the mesh namespace's policies. */
  readonly policies: PolicySet;
}

const TERMINAL_PHASES = new Set(['Succeeded', 'Failed']);

function podLines(input: StrictTransitionInput): string[] {
  const lines: string[] = [];
  for (const pod of input.pods) {
    const status = pod.status as { phase?: unknown } | undefined;
    if (typeof status?.phase === 'string' && TERMINAL_PHASES.has(status.phase)) continue;
    const view = podViewOf(pod, 'Pod');
    if (!view) continue;
    const rules = [...new Set(podFindings(view, input.config, { requireInjected: true }).map((f) => f.rule))];
    if (rules.length === 0) continue;
    const hint = rules.some((r) => r.startsWith('MW-SIDECAR')) ? ' (not injected: recreate it)' : '';
    lines.push(`pod ${pod.metadata?.name ?? '<unnamed>'}: ${rules.join(' ')}${hint}`);
  }
  return lines;
}

function policyLines(input: StrictTransitionInput): string[] {
  return findNonStrictModes(input.policies).map((f) =>
    f.effective.source !== 'workload' && f.effective.source !== 'port'
      ? `namespace resolves to ${f.effective.mode} from ${describeLevel(f.effective)}; add a STRICT namespace-wide policy`
      : `policy ${f.policy} ${f.field} is ${f.effective.mode}`,
  );
}

/** Warnings for a namespace that has just turned STRICT. */
export function strictTransitionWarnings(input: StrictTransitionInput): string[] {
  const name = input.namespace.metadata?.name ?? '';
  const out: string[] = [];
  if (podsUngated(name, input.config)) out.push(`[MW-ADVISE-003] meshward does not gate pods in ${name} (system or meshward namespace)`);
  if (namespaceInjection(input.namespace) !== 'enabled') {
    out.push(`[MW-ADVISE-003] ${name} lacks ${LABEL_INJECT}=enabled: its new pods will be refused as not injected`);
  }
  const pods = podLines(input);
  const policies = policyLines(input);
  if (pods.length + policies.length > 0) {
    out.push(`[MW-ADVISE-003] ${name} is now STRICT; ${pods.length} existing pod(s), ${policies.length} policy setting(s) violate it:`);
    out.push(...cappedWarnings([...policies, ...pods]));
  }
  return out;
}
