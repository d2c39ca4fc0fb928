import type { MeshwardConfig } from '../config/types.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { buildStatus } from '../status/build-status.js';
import type { SecretReader } from '../status/certificate.js';
import type { StatusReport } from '../status/model.js';
import type { TelemetryRequest } from '../status/read-telemetry.js';

// Builds the status for the dashboard at most once per `cacheMs` (page views and auto-refresh of
// several browsers share one build: each build lists every namespace's pods from the API server,
// and with telemetry reads every replica and every Running proxy's counters).

export interface DashboardDeps {
  readonly config: MeshwardConfig;
  readonly cluster: ClusterState;
  readonly currentTemplateHash: string;
  readonly currentConfigHash: string;
  /** The current trust-root fingerprint, read on every build (it rotates). */
  readonly currentTrustRoot?: () => string | undefined;
  readonly secrets?: SecretReader;
  /** The proxies' configuration state and counters (read on every build); without it they show as unknown. */
  readonly telemetry?: TelemetryRequest;
  /** Show kube-system & co. and meshward's namespace too. */
  readonly includeSystem?: boolean;
  readonly now?: () => Date;
  /** Default 2000 ms; 0 builds on every request. */
  readonly cacheMs?: number;
}

export type StatusSource = () => Promise<StatusReport>;

export function createStatusSource(deps: DashboardDeps): StatusSource {
  const now = deps.now ?? (() => new Date());
  const cacheMs = deps.cacheMs ?? 2000;
  let cached: { at: number; report: Promise<StatusReport> } | undefined;
  return () => {
    const at = Date.now();
    if (cached && at - cached.at < cacheMs) return cached.report;
    const trustRoot = deps.currentTrustRoot?.();
    const report = buildStatus({
      config: deps.config,
      cluster: deps.cluster,
      currentTemplateHash: deps.currentTemplateHash,
      currentConfigHash: deps.currentConfigHash,
      ...(trustRoot ? { currentTrustRoot: trustRoot } : {}),
      ...(deps.secrets ? { secrets: deps.secrets } : {}),
      ...(deps.telemetry ? { telemetry: deps.telemetry } : {}),
      ...(deps.includeSystem ? { includeSystem: true } : {}),
      now: now(),
    });
    cached = { at, report };
    // A failed build is not cached: the next request tries again.
    report.catch(() => {
      if (cached?.report === report) cached = undefined;
    });
    return report;
  };
}
