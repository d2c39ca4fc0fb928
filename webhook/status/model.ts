import type { NamespaceInjection } from '../policy/namespace-label.js';
import type { ResolvedMode } from '../config/types.js';
import type { Violation } from '../gate/rules.js';
import type { ModeSource, ResolvedLevel } from '../policy/resolve-modes.js';
import type { PortCounters } from './proxy-counters.js';
import type { Enforcement } from '../policy/authorization-types.js';

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
  /** Who may call the port over mTLS: the authorization resolver's answer now (the proxy gets it live, like the mode). */
  readonly authorization: PortAuthorizationStatus;
}

/**
 * Who may call a port over mTLS: `allow-mesh` (any identity of the trust domain) or `deny` when no
 * MeshAuthorizationPolicy selects it (mesh.defaultAuthorization), else the union of the selecting
 * policies' allow lists. Callers as policies write them: `<ns>/<sa>`, `ns:<ns>`, other SPIFFE IDs as given.
 */
export type PortAuthorizationStatus =
  | { readonly kind: 'allow-mesh' }
  | { readonly kind: 'deny' }
  | {
      readonly kind: 'allow-list';
      /** Audit: the proxy lets every caller through and counts those it would refuse. */
      readonly enforcement: Enforcement;
      readonly callers: readonly string[];
      /** `namespace/name` of every policy that selects the port. */
      readonly policies: readonly string[];
    };

export type DriftKind = 'template' | 'config' | 'trust-root' | 'status-missing';

/** Something static the pod was injected with that differs from now (templates, config, trust root): restart the pod. */
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

/**
 * The proxy's configuration as meshward's replicas see it: `current` (it ACKed the latest of every
 * type), `stale` (sent, not ACKed yet), `rejected` (it NACKed: it keeps its last good configuration),
 * `not-connected` (no replica serves it), `unknown` (nothing to tell: offline, or a replica did not answer).
 */
export type ProxyConfigState = 'current' | 'stale' | 'rejected' | 'not-connected' | 'unknown';

export interface ProxyConfigStatus {
  readonly state: ProxyConfigState;
  /** The meshward replica (pod) serving the proxy, and since when. */
  readonly replica?: string;
  readonly connectedAt?: string;
  /** stale: the types sent and not ACKed yet; for how long, when the replica dates its pushes. */
  readonly pending?: readonly string[];
  readonly pendingSeconds?: number;
  /** rejected: per type, the refused version and the proxy's message. */
  readonly rejected?: ReadonlyArray<{ readonly type: string; readonly version: string; readonly message: string }>;
  /** not-connected: true when the pod is not Running and ready, so no connection is expected yet. */
  readonly expected?: boolean;
  /** One line for people. */
  readonly note: string;
}

/**
 * Inbound connections per port since the proxy started (mTLS, plaintext, the app's own TLS passed
 * through), from its metrics: `read`, `unavailable` (the read failed: why), or `not-read` (why not:
 * the pod is not Running, --no-proxy-stats, offline).
 */
export type PodCounters =
  | { readonly state: 'read'; readonly ports: readonly PortCounters[] }
  | { readonly state: 'unavailable'; readonly reason: string }
  | { readonly state: 'not-read'; readonly reason: string };

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
  /** True when the pod is injected and anything static drifted: restart it. */
  readonly restart: boolean;
  /** Injected pods: its proxy's configuration (live over xDS: policy and mode changes need no restart). */
  readonly proxyConfig?: ProxyConfigStatus;
  /** Injected pods: its proxy's inbound connections per port (declared ports always listed, "undeclared" last). */
  readonly counters?: PodCounters;
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
  /** Who may call it (`mixed` when the pods' labels select different policies). */
  readonly authorization: PortAuthorizationStatus | 'mixed';
}

export interface WorkloadStatus extends PodCounts {
  /** Deployment, StatefulSet, DaemonSet, Job, ReplicaSet, ... or Pod (no controller). */
  readonly kind: string;
  readonly name: string;
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
  readonly pods: PodCounts;
  readonly policies: readonly PolicySummary[];
  readonly workloads: readonly WorkloadStatus[];
  /** Gate violations of the namespace, its policies and its pods (pods' are also on each pod). */
  readonly violations: readonly Violation[];
  /** True when the namespace is STRICT and something violates that. */
  readonly strictViolated: boolean;
}

/** Pods by what needs doing: restart (static drift), proxies stale, rejected, disconnected. */
export interface PodCounts {
  readonly meshed: number;
  readonly total: number;
  readonly restart: number;
  readonly stale: number;
  readonly rejected: number;
  /** Running, ready pods whose proxy no replica serves. */
  readonly disconnected: number;
}

export interface StatusSummary extends Omit<PodCounts, 'total'> {
  readonly namespaces: number;
  readonly pods: number;
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
    /** Where these came from: a replica (what it injects now), a config file, the local configuration. */
    readonly origin?: string;
    readonly meshNamespace: string;
    readonly defaultMode: ResolvedMode;
  };
  readonly summary: StatusSummary;
  /** Where the proxies' configuration state and counters came from, or why they are unknown. */
  readonly telemetry: TelemetryStatus;
  readonly namespaces: readonly NamespaceStatus[];
  /** Stored objects meshward could not use (policies predating the CRD schema, ...). */
  readonly notes: readonly string[];
}

export interface ReplicaStatus {
  readonly name: string;
  /** Proxies it serves; absent when it did not answer. */
  readonly proxies?: number;
  readonly error?: string;
}

export interface TelemetryStatus {
  /** The replicas' GET /xds/proxies: read (some may have failed), or not (offline: why). */
  readonly controlPlane: { readonly read: boolean; readonly note: string; readonly replicas: readonly ReplicaStatus[] };
  /** The proxies' metrics: read from the Running injected pods, or not (--no-proxy-stats, offline: why). */
  readonly counters: { readonly read: boolean; readonly note: string };
}
