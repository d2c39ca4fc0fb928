import { ANNOTATION_PREFIX, LABEL_INJECT } from '../config/names.js';
import { finding, type Finding } from './rules.js';
import { readTrue } from './pod-fields.js';
import type { PodView } from './pod-template.js';

// Rules 1–3: a pod (template) that asks not to be captured: opt-out, host network, inbound
// exclusions.

export const ANNOTATION_EXCLUDE_INBOUND = `${ANNOTATION_PREFIX}exclude-inbound-ports`;

// Recognised spellings, case-insensitive. In a STRICT namespace anything that is not clearly
// "inject" is refused, so a spelling the injector happens to read as false can never slip by.
const ENABLED = new Set(['true', 'yes', 'y', 'on', '1', 'enabled', 'enable']);
const DISABLED = new Set(['false', 'no', 'n', 'off', '0', 'disabled', 'disable']);

export type InjectOverride = 'enabled' | 'disabled' | 'unrecognized';

/** How the gate reads a `meshward.io/inject` value (label or annotation). */
export function classifyInjectOverride(value: unknown): InjectOverride {
  if (typeof value === 'boolean') return value ? 'enabled' : 'disabled';
  if (typeof value === 'number') return value === 1 ? 'enabled' : value === 0 ? 'disabled' : 'unrecognized';
  if (typeof value !== 'string') return 'unrecognized';
  const normalised = value.trim().toLowerCase();
  if (ENABLED.has(normalised)) return 'enabled';
  if (DISABLED.has(normalised)) return 'disabled';
  return 'unrecognized';
}

function injectFindings(view: PodView): Finding[] {
  const out: Finding[] = [];
  for (const [where, values] of [['labels', view.labels], ['annotations', view.annotations]] as const) {
    if (!(LABEL_INJECT in values)) continue;
    const value = values[LABEL_INJECT];
    const verdict = classifyInjectOverride(value);
    if (verdict === 'enabled') continue;
    const problem = verdict === 'disabled' ? `${JSON.stringify(value)} opts the pod out of the mesh` : `${JSON.stringify(value)} is not a recognised value (true or false)`;
    out.push(finding('MW-INJECT-001', `${view.prefix}metadata.${where}["${LABEL_INJECT}"]`, problem));
  }
  return out;
}

/** Rules 1–3 for one pod or pod template. */
export function metadataFindings(view: PodView): Finding[] {
  const out = injectFindings(view);
  if (readTrue(view.spec, 'hostNetwork')) {
    out.push(finding('MW-HOSTNET-001', `${view.prefix}spec.hostNetwork`, 'the pod shares the node network, where meshward cannot capture its traffic'));
  }
  const exclusions = view.annotations[ANNOTATION_EXCLUDE_INBOUND];
  if (exclusions !== undefined && exclusions !== null && String(exclusions).trim() !== '') {
    out.push(
      finding(
        'MW-CAPTURE-001',
        `${view.prefix}metadata.annotations["${ANNOTATION_EXCLUDE_INBOUND}"]`,
        `ports ${JSON.stringify(exclusions)} would accept plaintext, bypassing the proxy`,
        `remove the annotation; health probes keep working through probe rewriting (meshward.io/rewrite-probes)`,
      ),
    );
  }
  return out;
}
