import type { NamespaceInjection } from '../policy/namespace-label.js';
import type { ResolvedMode } from '../config/types.js';
import type { Violation } from '../gate/rules.js';
import type { ModeSource, ResolvedLevel } from '../policy/resolve-modes.js';

// The status model: what `meshward status` prints (table, JSON) and the dashboard renders.
// Built by build-status.ts from a ClusterState; plain JSON (the JSON output is this object).

/** The namespace's meshward.io/mtls label as the gate reads it. */
export type Requirement = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'none' | 'invalid';

/** The namespace's meshward.io/inject label. */
/** The namespace's meshward.io/inject label, as policy/namespace-label.ts reads it. */
export type InjectionOptIn = NamespaceInjection;

/** One port of a pod: what the policies say now, which its proxy enforces (the xDS server sends it live). */
export interface PortStatus {
  readonly port: number;
  /** The resolver's answer for the pod's labels now. */
  readonly resolved: ResolvedMode;
  readonly source: ModeSource;
  /** `namespace/name` of the deciding policy; absent when the mesh default decides. */
  readonly policy?: string;
  /** Under the namespace's STRICT label: the weaker mode (and its policy) the label overrides. */
  readonly overrides?: { readonly mode: ResolvedMode; readonly policy?: string };
  /** The mode the pod's proxy enforces: the resolved one, live over xDS; absent without a proxy (plaintext). */
  readonly proxy?: ResolvedMode;
}

export type DriftKind = 'template' | 'config' | 'trust-root' | 'status-missing';

/** Something the pod was injected with that differs from now: restart the pod. */
export interface DriftItem {
  readonly kind: DriftKind;
  /** What the status annotation records (empty when it records nothing). */
  readonly injected: string;
  readonly current: string;
  readonly message: string;
}

export type TrustRootState = 'current' | 'stale' | 'unrecorded' | 'unknown';

export type CertificateSource = 'pod-certificate' | 'secret' | 'none';

export type ExpiryState = 'rotated-by-kubelet' | 'valid' | 'expiring' | 'expired' | 'unknown' | 'none';

export interface CertificateStatus {
  readonly source: CertificateSource;
  readonly signerName?: string;
  /** Fallback source: the Secret the pod mounts. */
  readonly secretName?: string;
  /** podCertificate: the requested lifetime cap. */
  readonly maxExpirationSeconds?: number;
  /** RFC 3339, when the certificate could be read (fallback Secret). */
  readonly notAfter?: string;
  readonly expiry: ExpiryState;
  /** One line for people: "rotated by the kubelet (≤ 24h)", "expires in 3h 12m", why unknown. */
  readonly note: string;
}

export interface PodStatus {
  readonly name: string;
  readonly phase: string;
  readonly injected: boolean;
  /** Why not injected: a decideInjection reason code, or `created-before-opt-in`. */
  readonly notInjectedReason?: string;
  readonly notInjectedMessage?: string;
  readonly ports: readonly PortStatus[];
  /** The workload-level mode (ports without an entry of their own). */
  readonly mode: ResolvedLevel;
  readonly drift: readonly DriftItem[];
  /** True when the pod is injected and anything drifted: restart it. */
  readonly stale: boolean;
  readonly trustRoot: { readonly recorded: string; readonly state: TrustRootState };
  readonly certificate: CertificateStatus;
  readonly violations: readonly Violation[];
}

/** The mode of one port across a workload's pods ("mixed" when they disagree). */
export interface WorkloadPort {
  readonly port: number;
  readonly resolved: ResolvedMode | 'mixed';
  /** The proxies' mode: `none` when no pod has a proxy, `mixed` when pods disagree. */
  readonly proxy: ResolvedMode | 'none' | 'mixed';
}

export interface WorkloadStatus {
  /** Deployment, StatefulSet, DaemonSet, Job, ReplicaSet, ... or Pod (no controller). */
  readonly kind: string;
  readonly name: string;
  readonly meshed: number;
  readonly total: number;
  readonly stale: number;
  readonly violations: number;
  readonly ports: readonly WorkloadPort[];
  readonly pods: readonly PodStatus[];
}

export interface PolicySummary {
  readonly name: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly mode: string;
  readonly ports: Readonly<Record<string, string>>;
}

export interface NamespaceStatus {
  readonly name: string;
  readonly requirement: Requirement;
  /** The label's raw value when it is not a known requirement. */
  readonly requirementLabel?: string;
  readonly injection: InjectionOptIn;
  /** What a pod gets when no workload policy selects it, and what decided it. */
  readonly level: ResolvedLevel;
  readonly pods: { readonly meshed: number; readonly total: number; readonly stale: number };
  readonly policies: readonly PolicySummary[];
  readonly workloads: readonly WorkloadStatus[];
  /** Gate violations of the namespace, its policies and its pods (pods' are also on each pod). */
  readonly violations: readonly Violation[];
  /** True when the namespace is STRICT and something violates that. */
  readonly strictViolated: boolean;
}

export interface StatusSummary {
  readonly namespaces: number;
  readonly pods: number;
  readonly meshed: number;
  readonly stale: number;
  readonly violations: number;
  /** Namespaces labelled STRICT with violations: `meshward status` exits 1 when non-empty. */
  readonly strictViolated: readonly string[];
}

export interface StatusReport {
  readonly generatedAt: string;
  readonly current: {
    readonly templateHash: string;
    readonly configHash: string;
    /** Absent when the caller does not know the current trust root. */
    readonly trustRoot?: string;
    readonly meshNamespace: string;
    readonly defaultMode: ResolvedMode;
  };
  readonly summary: StatusSummary;
  readonly namespaces: readonly NamespaceStatus[];
  /** Stored objects meshward could not use (policies predating the CRD schema, ...). */
  readonly notes: readonly string[];
}
