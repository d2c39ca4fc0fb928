import type { Logger } from 'pino';
import type { MeshwardConfig } from '../config/types.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { startDashboardServer, type DashboardServer } from './dashboard-server.js';

// The dashboard inside `meshward serve`, on server.dashboardPort (0 = off) and
// server.dashboardHost (default 127.0.0.1), over the same ClusterState as the webhooks.

/**
 * Why serve's dashboard shows no proxy state: it would read the replicas and every proxy through
 * pods/proxy, a grant (reaching any pod's port) meshward's ServiceAccount does not have.
 */
export const SERVE_NO_TELEMETRY = 'not read by the dashboard in meshward serve (no pods/proxy grant); meshward status --serve reads them';

export interface ServeDashboardDeps {
  readonly config: MeshwardConfig;
  readonly cluster: ClusterState;
  /** loadTemplates().hash and injectionConfigHash(config): what the injector stamps now. */
  readonly templateHash: string;
  readonly configHash: string;
  /** The identity's current trust-root fingerprint, when it has one. */
  readonly currentTrustRoot?: () => string | undefined;
  readonly logger?: Logger;
}

/**
 * Starts the dashboard when server.dashboardPort is set. It is an observer: failing to listen
 * (port taken) is logged and resolves undefined, and never takes the admission webhooks down.
 */
export async function startServeDashboard(deps: ServeDashboardDeps): Promise<DashboardServer | undefined> {
  const { config } = deps;
  if (config.server.dashboardPort === 0) return undefined;
  try {
    const server = await startDashboardServer({
      deps: {
        config,
        cluster: deps.cluster,
        currentTemplateHash: deps.templateHash,
        currentConfigHash: deps.configHash,
        ...(deps.currentTrustRoot ? { currentTrustRoot: deps.currentTrustRoot } : {}),
        telemetry: { unavailable: SERVE_NO_TELEMETRY },
      },
      port: config.server.dashboardPort,
      host: config.server.dashboardHost,
    });
    deps.logger?.info({ url: server.url }, 'dashboard listening (read-only, plain HTTP)');
    return server;
  } catch (err) {
    deps.logger?.error(
      { err, port: config.server.dashboardPort, host: config.server.dashboardHost },
      'dashboard could not listen; the webhooks keep running',
    );
    return undefined;
  }
}
