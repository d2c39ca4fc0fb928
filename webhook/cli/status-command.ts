import { parseArgs } from 'node:util';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CommandIo } from './io.js';
import { startDashboardServer, type DashboardServer } from '../dashboard/dashboard-server.js';
import { buildStatus } from '../status/build-status.js';
import {
  chooseCurrentInjection,
  LOCAL_CONFIGURATION,
  loadCurrentInjection,
  type CurrentInjection,
  type ResolvedInjection,
} from './current-injection.js';
import { formatStatusTable } from '../status/format-table.js';
import { OFFLINE, type TelemetryRequest } from '../status/read-telemetry.js';
import { openCluster, type ClusterSource, type OpenedCluster } from './open-cluster.js';

// `meshward status`: live mTLS status and drift. Exit 0: no STRICT namespace is violated; 1: one
// is (so it can gate a pipeline); 2: bad input, or the cluster could not be read.

export const STATUS_USAGE = `Usage: meshward status [-n NS] [-o table|json] [--kubeconfig FILE | --state FILE] [--no-proxy-stats] [--serve [--port P]]

Shows, per namespace, its mTLS requirement, injection opt-in and meshed pods; per workload and pod
whether it is injected (and why not), the mode of each port (the policies' now, which the proxies
get live), whether each proxy ACKed its current configuration (current, stale, rejected, not
connected: asked of every meshward replica), the inbound connections each Running proxy counted
per port (mTLS, plaintext, the app's own TLS), drift (injected under older templates, config or
trust root: restart), the certificate source and expiry, and the gate's violations with rule IDs.
  -n, --namespace NS   only this namespace
  -o, --output FORMAT  table (default, 100 columns) or json
  --kubeconfig FILE    the cluster (default: in-cluster, then $KUBECONFIG, then ~/.kube/config)
  --state FILE         offline: Namespaces, MeshTLSPolicies and Pods from manifests (repeatable)
  --config FILE        judge injections against this config (as given to serve); by default, on a
                       live cluster, against what meshward's replicas say they inject now
  --trust-root SHA256  the current trust-root fingerprint (pods recording another one need a
                       restart); by default the replicas'
  --include-system     also list kube-system, kube-public, kube-node-lease and meshward's namespace
  --no-proxy-stats     do not read each Running proxy's counters (one request per pod; big clusters)
  --serve              serve the read-only dashboard instead of printing (Ctrl-C stops it)
  --port P             dashboard port (default 8089; 0 = any free port)
  --host H             dashboard address (default 127.0.0.1)
Exit status: 0 no STRICT namespace violated, 1 a STRICT namespace is violated, 2 bad input or
the cluster could not be read.`;

export interface StatusCommandDeps {
  /** Opens the cluster (tests pass a StaticClusterState). */
  readonly openCluster?: (source: ClusterSource) => Promise<OpenedCluster>;
  readonly current?: CurrentInjection;
  readonly now?: () => Date;
  /** --serve: resolves when the dashboard should stop (default: SIGINT or SIGTERM). */
  readonly untilStopped?: (server: DashboardServer) => Promise<void>;
}

const OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  output: { type: 'string', short: 'o' },
  kubeconfig: { type: 'string' },
  state: { type: 'string', multiple: true },
  config: { type: 'string' },
  'trust-root': { type: 'string' },
  'include-system': { type: 'boolean' },
  'no-proxy-stats': { type: 'boolean' },
  serve: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

interface StatusArgs {
  readonly namespace?: string;
  readonly output: 'table' | 'json';
  readonly source: ClusterSource;
  readonly configFile?: string;
  readonly trustRoot?: string;
  readonly includeSystem: boolean;
  readonly proxyStats: boolean;
  readonly serve?: { readonly port: number; readonly host: string };
}

function parseStatusArgs(argv: string[]): StatusArgs | 'help' {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const output = values.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`-o ${output}: use table or json`);
  if (values.kubeconfig !== undefined && values.state !== undefined) throw new UsageError('give --kubeconfig or --state, not both');
  if (!values.serve && (values.port !== undefined || values.host !== undefined)) throw new UsageError('--port and --host need --serve');
  const port = values.port === undefined ? 8089 : Number(values.port);
  if (!/^[0-9]{1,5}$/.test(values.port ?? '0') || port > 65535) throw new UsageError(`--port ${values.port}: a port from 0 to 65535`);
  const trustRoot = values['trust-root']
    ?.toLowerCase()
    .replace(/^sha256:/, '')
    .replace(/:/g, '');
  if (trustRoot !== undefined && !/^[0-9a-f]{64}$/.test(trustRoot))
    throw new UsageError('--trust-root: a SHA-256 fingerprint (64 hex digits)');
  return {
    output,
    source: values.state
      ? { kind: 'manifests', paths: values.state }
      : { kind: 'live', kubeconfig: values.kubeconfig ?? '', ...(values.serve ? { fresh: true } : {}) },
    includeSystem: values['include-system'] === true,
    proxyStats: values['no-proxy-stats'] !== true,
    ...(values.namespace ? { namespace: values.namespace } : {}),
    ...(values.config ? { configFile: values.config } : {}),
    ...(trustRoot ? { trustRoot } : {}),
    ...(values.serve ? { serve: { port, host: values.host ?? '127.0.0.1' } } : {}),
  };
}

/**
 * What pods are judged against: the injection a caller gave, or --config (or MESHWARD_CONFIG); on
 * a live cluster what the replicas inject; else the local MESHWARD_* environment and defaults.
 */
async function resolveInjection(local: ResolvedInjection, opened: OpenedCluster, io: CommandIo): Promise<ResolvedInjection> {
  if (local.origin !== LOCAL_CONFIGURATION || !opened.replicaInjections) return local;
  const { current, notes } = chooseCurrentInjection(local, await opened.replicaInjections(local.config.mesh.namespace));
  for (const note of notes) io.stderr.write(`meshward status: ${note}\n`);
  return current;
}

/** What status reads of the proxies: live clusters through the pod proxy; manifests have nothing to ask. */
function telemetryFor(args: StatusArgs, opened: OpenedCluster, current: ResolvedInjection): TelemetryRequest {
  if (!opened.telemetry) return { unavailable: OFFLINE };
  return { telemetry: opened.telemetry(current.config.mesh.namespace), proxyStats: args.proxyStats };
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function serveDashboard(
  args: StatusArgs,
  opened: OpenedCluster,
  current: ResolvedInjection,
  io: CommandIo,
  deps: StatusCommandDeps,
): Promise<number> {
  const server = await startDashboardServer({
    deps: {
      config: current.config,
      cluster: opened.cluster,
      currentTemplateHash: current.templateHash,
      currentConfigHash: current.configHash,
      ...(current.trustRoot ? { currentTrustRoot: () => current.trustRoot } : {}),
      ...(opened.secrets ? { secrets: opened.secrets } : {}),
      telemetry: telemetryFor(args, opened, current),
      ...(args.includeSystem ? { includeSystem: true } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    },
    port: args.serve!.port,
    host: args.serve!.host,
    ...(args.namespace ? { defaults: { namespace: args.namespace } } : {}),
  });
  io.stdout.write(`meshward status: dashboard at ${server.url} (read-only; reading ${opened.origin}; Ctrl-C stops it)\n`);
  await (deps.untilStopped ?? untilSignal)(server);
  await server.close();
  return EXIT_OK;
}

/** Runs `meshward status`; never throws for bad input or an unreachable cluster (exit 2). */
export async function runStatusCommand(argv: string[], io: CommandIo, deps: StatusCommandDeps = {}): Promise<number> {
  let args: StatusArgs | 'help';
  try {
    args = parseStatusArgs(argv);
  } catch (err) {
    io.stderr.write(`meshward status: ${(err as Error).message}\n\n${STATUS_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (args === 'help') {
    io.stdout.write(`${STATUS_USAGE}\n`);
    return EXIT_OK;
  }
  let opened: OpenedCluster | undefined;
  try {
    // The local configuration first: a bad --config is reported before the cluster is asked.
    const local = deps.current ?? loadCurrentInjection(args.configFile);
    opened = await (deps.openCluster ?? openCluster)(args.source);
    const resolved = await resolveInjection(local, opened, io);
    // --trust-root overrides what a replica said.
    const current: ResolvedInjection = args.trustRoot ? { ...resolved, trustRoot: args.trustRoot } : resolved;
    if (args.serve) return await serveDashboard(args, opened, current, io, deps);
    const report = await buildStatus({
      config: current.config,
      cluster: opened.cluster,
      currentTemplateHash: current.templateHash,
      currentConfigHash: current.configHash,
      ...(current.trustRoot ? { currentTrustRoot: current.trustRoot } : {}),
      ...(current.origin ? { currentOrigin: current.origin } : {}),
      ...(args.namespace ? { namespace: args.namespace } : {}),
      ...(opened.secrets ? { secrets: opened.secrets } : {}),
      telemetry: telemetryFor(args, opened, current),
      includeSystem: args.includeSystem,
      now: (deps.now ?? (() => new Date()))(),
    });
    io.stdout.write(args.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatStatusTable(report));
    if (report.summary.strictViolated.length > 0) {
      io.stderr.write(`meshward status: STRICT violated in ${report.summary.strictViolated.join(', ')}\n`);
      return EXIT_FINDINGS;
    }
    return EXIT_OK;
  } catch (err) {
    // NamespaceNotFoundError, ManifestError, ConfigError, ClusterUnavailableError, a busy port.
    io.stderr.write(`meshward status: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_USAGE;
  } finally {
    await opened?.close();
  }
}
