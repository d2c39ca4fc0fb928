import type { KubeObject } from '../admission/types.js';
import { ANNOTATION_STATUS } from '../config/names.js';
import { MTLS_MODES, type ResolvedMode } from '../config/types.js';
import { modeForPort, type WorkloadModes } from '../policy/resolve-modes.js';
import type { DriftItem, TrustRootState } from './model.js';

// Drift: a pod's proxy was rendered at admission from the templates, the config, the policies and
// the trust root of that moment (recorded in meshward.io/status). When any of them changed since,
// the running proxy is stale and only a restart brings it up to date.

/** The parts of meshward.io/status that status compares (inject-pod.ts InjectionStatus). */
export interface RecordedStatus {
  readonly templateHash: string;
  readonly configHash: string;
  readonly trustRoot: string;
  readonly mode?: ResolvedMode;
  readonly ports: Readonly<Record<string, ResolvedMode>>;
}

export interface CurrentInputs {
  readonly templateHash: string;
  readonly configHash: string;
  readonly trustRoot?: string;
}

function asMode(value: unknown): ResolvedMode | undefined {
  return typeof value === 'string' && value !== 'UNSET' && (MTLS_MODES as readonly string[]).includes(value)
    ? (value as ResolvedMode)
    : undefined;
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
  const ports: Record<string, ResolvedMode> = {};
  if (typeof s.ports === 'object' && s.ports !== null) {
    for (const [port, mode] of Object.entries(s.ports as Record<string, unknown>)) {
      const m = asMode(mode);
      if (m) ports[port] = m;
    }
  }
  const mode = asMode(s.mode);
  return {
    templateHash: text(s.templateHash),
    configHash: text(s.configHash),
    trustRoot: text(s.trustRoot),
    ports,
    ...(mode ? { mode } : {}),
  };
}

/** The mode the proxy enforces on a port: its own entry, else the recorded workload mode. */
export function recordedPortMode(recorded: RecordedStatus, port: number): ResolvedMode | undefined {
  return recorded.ports[String(port)] ?? recorded.mode;
}

export function trustRootState(recorded: string, current: string | undefined): TrustRootState {
  if (current === undefined || current === '') return 'unknown';
  if (recorded === '') return 'unrecorded';
  return recorded === current ? 'current' : 'stale';
}

function short(hash: string): string {
  return hash === '' ? '(none)' : hash.length > 16 ? `${hash.slice(0, 16)}…` : hash;
}

function policyDrift(recorded: RecordedStatus, modes: WorkloadModes): DriftItem | undefined {
  const ports = new Set<number>([...Object.keys(recorded.ports).map(Number), ...modes.ports.map((p) => p.port)]);
  const changes: string[] = [];
  for (const port of [...ports].sort((a, b) => a - b)) {
    const before = recordedPortMode(recorded, port);
    const now = modeForPort(modes, port).mode;
    if (before !== now) changes.push(`${port} ${before ?? '?'} → ${now}`);
  }
  if (recorded.mode && recorded.mode !== modes.workloadMode && changes.length === 0)
    changes.push(`workload ${recorded.mode} → ${modes.workloadMode}`);
  if (changes.length === 0) return undefined;
  const injected = [...ports]
    .sort((a, b) => a - b)
    .map((p) => `${p}=${recordedPortMode(recorded, p) ?? '?'}`)
    .join(',');
  const current = [...ports]
    .sort((a, b) => a - b)
    .map((p) => `${p}=${modeForPort(modes, p).mode}`)
    .join(',');
  return {
    kind: 'policy',
    injected,
    current,
    message: `policy changed since injection (${changes.join(', ')}); restart the pod so its proxy enforces it`,
  };
}

/** Everything that drifted for an injected pod; empty when its proxy is current. */
export function findDrift(pod: KubeObject, modes: WorkloadModes, current: CurrentInputs): DriftItem[] {
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
  const policy = policyDrift(recorded, modes);
  if (policy) out.push(policy);
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
