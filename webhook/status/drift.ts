import type { KubeObject } from '../admission/types.js';
import { ANNOTATION_STATUS } from '../config/names.js';
import type { DriftItem, TrustRootState } from './model.js';

// Drift: a pod was injected from the templates, the config and the trust root of that moment
// (recorded in meshward.io/status). When any of them changed since, the pod's static parts are
// out of date and only a restart brings them up to date (the report calls it "restart"; "stale"
// is a proxy that has not ACKed its live configuration). Policies are not among them: the
// proxy's modes come live from the xDS server.

/** The parts of meshward.io/status that status compares (inject-pod.ts InjectionStatus). */
export interface RecordedStatus {
  readonly templateHash: string;
  readonly configHash: string;
  readonly trustRoot: string;
}

export interface CurrentInputs {
  readonly templateHash: string;
  readonly configHash: string;
  readonly trustRoot?: string;
}

/** The recorded status, or undefined when the annotation is missing or not meshward's JSON. */
export function readRecordedStatus(pod: KubeObject): RecordedStatus | undefined {
  const raw = pod.metadata?.annotations?.[ANNOTATION_STATUS];
  if (typeof raw !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const s = parsed as Record<string, unknown>;
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return { templateHash: text(s.templateHash), configHash: text(s.configHash), trustRoot: text(s.trustRoot) };
}

export function trustRootState(recorded: string, current: string | undefined): TrustRootState {
  if (current === undefined || current === '') return 'unknown';
  if (recorded === '') return 'unrecorded';
  return recorded === current ? 'current' : 'stale';
}

function short(hash: string): string {
  return hash === '' ? '(none)' : hash.length > 16 ? `${hash.slice(0, 16)}…` : hash;
}

/** Everything that drifted for an injected pod; empty when it is current. */
export function findDrift(pod: KubeObject, current: CurrentInputs): DriftItem[] {
  const recorded = readRecordedStatus(pod);
  if (!recorded) {
    return [
      {
        kind: 'status-missing',
        injected: '',
        current: '',
        message: `injected, but ${ANNOTATION_STATUS} is missing or unreadable, so drift cannot be checked; restart the pod`,
      },
    ];
  }
  const out: DriftItem[] = [];
  if (recorded.templateHash !== current.templateHash) {
    out.push({
      kind: 'template',
      injected: recorded.templateHash,
      current: current.templateHash,
      message: `injected from other templates (${short(recorded.templateHash)}, now ${short(current.templateHash)}); restart the pod`,
    });
  }
  if (recorded.configHash !== current.configHash) {
    out.push({
      kind: 'config',
      injected: recorded.configHash,
      current: current.configHash,
      message: `injected under another configuration (${short(recorded.configHash)}, now ${short(current.configHash)}); restart the pod`,
    });
  }
  if (trustRootState(recorded.trustRoot, current.trustRoot) === 'stale') {
    out.push({
      kind: 'trust-root',
      injected: recorded.trustRoot,
      current: current.trustRoot ?? '',
      message: `trusts an older root (${short(recorded.trustRoot)}, now ${short(current.trustRoot ?? '')}); restart the pod`,
    });
  }
  return out;
}
