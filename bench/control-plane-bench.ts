import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig } from '../webhook/config/load.js';
import { createRootCa } from '../webhook/pki/create-ca.js';
import { serverSpiffeId } from '../webhook/xds/server-certificates.js';
import { round, summarize, type LatencySummary } from './stats.js';
import { readProcMemory, sampleRss } from './rss.js';
import { forkProxies, startXdsServer, type ProxiesChild, type XdsServerChild } from './xds-children.js';
import { namespaceName, proxyIdentities, type MeshShape } from './xds-mesh.js';
import { hrMs } from './xds-protocol.js';

// The control-plane section: meshward's ADS server (its own process, xds-server-main.ts) over a
// synthetic mesh of S Services in K namespaces, R meshed endpoints each, and N simulated Envoy
// proxies (xds-proxies.ts, in separate processes) on real mTLS with real SVIDs. For each N: the
// time until every proxy has ACKed its initial configuration; then cluster changes, each timed
// from the command sent to the server to the last ACK of the last proxy it reached (the push is
// over when the proxies have received as many responses as the server counted sent after a
// rebuild), with the bytes sent, meshward's CPU and RSS. One server process per N, so each row's
// memory is its own.

export type ChangeKind = 'namespace' | 'mesh' | 'endpoint';

export interface ControlPlaneOptions {
  /** Proxy counts, one server process each. */
  readonly proxies: readonly number[];
  readonly shape: MeshShape;
  readonly clientProcesses: number;
  /** Proxies dialling and syncing at once, per client process; 0: all at once (every proxy reconnecting after a restart). */
  readonly connectConcurrency: number;
  readonly changes: Readonly<Record<ChangeKind, number>>;
  /** node --cpu-prof for the server process, profiles written here. */
  readonly cpuProfDir?: string;
}

export interface ChangeRow {
  readonly kind: ChangeKind;
  readonly what: string;
  readonly changes: number;
  /** Proxies that received a response, per change. */
  readonly proxiesPushed: { readonly min: number; readonly max: number };
  /** Command sent → last ACK, ms, over the changes. */
  readonly latency: LatencySummary;
  /** Resource bytes the server sent per change (meshward_xds_response_bytes_total), mean. */
  readonly bytesPerChange: number;
  /** meshward's CPU (user + system) per change, command to last ACK, mean. */
  readonly cpuSecondsPerChange: number;
  /** The client processes' CPU per change, mean: when it nears the wall time, the simulated proxies, not meshward, set the pace. */
  readonly clientCpuSecondsPerChange?: number;
  /** meshward_xds_rebuild_seconds per change (snapshot + every proxy's push computed and written), mean, ms. */
  readonly rebuildMsPerChange: number;
  readonly peakRssMb: number;
}

export interface ControlPlaneRow {
  readonly proxies: number;
  /** Server RSS after start (snapshot built), before any proxy. */
  readonly idleRssMb: number;
  readonly connect: {
    /** First dial → last proxy's initial CDS, EDS and LDS ACKed. */
    readonly seconds: number;
    readonly perProxyP50Ms: number;
    readonly perProxyP99Ms: number;
    readonly bytes: number;
    readonly cpuSeconds: number;
    /** The client processes' CPU over the connect phase (SVID issuance excluded). */
    readonly clientCpuSeconds?: number;
    readonly rssMb: number;
    readonly peakRssMb: number;
  };
  readonly changes: readonly ChangeRow[];
  /** VmRSS at the end and VmHWM (peak over the process's life). */
  readonly endRssMb: number;
  readonly hwmMb: number;
}

export interface ControlPlaneSection {
  readonly measuredAt: string;
  readonly shape: MeshShape;
  readonly clientProcesses: number;
  readonly connectConcurrency: number;
  readonly debounceMs: number;
  readonly maxDebounceMs: number;
  readonly rows: readonly ControlPlaneRow[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

interface Sample {
  readonly latencyMs: number;
  readonly pushed: number;
  readonly bytes: number;
  readonly cpuSeconds: number;
  readonly clientCpuSeconds: number;
  readonly rebuildMs: number;
}

/** One change: mark the proxies, apply it, wait until every response the server sent for it is received (and so ACKed). */
async function measureChange(server: XdsServerChild, clients: readonly ProxiesChild[], apply: () => Promise<void>): Promise<Sample> {
  const marks = await Promise.all(clients.map((c) => c.ask({ cmd: 'mark' }, 'marked')));
  const before = await server.stats();
  const t0 = hrMs();
  await apply();
  for (;;) {
    await sleep(20);
    // The server answers between rebuilds, never during one: once the count moved, its responses are all counted.
    const s = await server.stats();
    if (s.rebuilds > before.rebuilds) {
      const reports = await Promise.all(clients.map((c) => c.ask({ cmd: 'report' }, 'report')));
      const broken = reports.reduce((n, r) => n + r.broken, 0);
      if (broken > 0) throw new Error(`${broken} proxy streams broke during a change (see ${server.logFile})`);
      const received = reports.reduce((n, r) => n + r.responses, 0);
      if (received >= s.responses - before.responses) {
        const after = await server.stats();
        const lastAck = Math.max(...reports.map((r) => r.lastAckAt));
        return {
          latencyMs: lastAck > 0 ? lastAck - t0 : Number.NaN,
          pushed: reports.reduce((n, r) => n + r.pushed.length, 0),
          bytes: after.responseBytes - before.responseBytes,
          cpuSeconds: after.cpuSeconds - before.cpuSeconds,
          rebuildMs: (after.rebuildSeconds - before.rebuildSeconds) * 1000,
          clientCpuSeconds: reports.reduce((n, r) => n + r.cpuSeconds, 0) - marks.reduce((n, m) => n + m.cpuSeconds, 0),
        };
      }
    }
    if (hrMs() - t0 > 120_000) throw new Error(`a change was not delivered within 120 s (see ${server.logFile})`);
  }
}

function changeRow(kind: ChangeKind, what: string, samples: readonly Sample[], peakRssMb: number): ChangeRow {
  return {
    kind,
    what,
    changes: samples.length,
    proxiesPushed: { min: Math.min(...samples.map((s) => s.pushed)), max: Math.max(...samples.map((s) => s.pushed)) },
    latency: summarize(samples.map((s) => s.latencyMs)),
    bytesPerChange: Math.round(mean(samples.map((s) => s.bytes))),
    cpuSecondsPerChange: round(mean(samples.map((s) => s.cpuSeconds)), 3),
    clientCpuSecondsPerChange: round(mean(samples.map((s) => s.clientCpuSeconds)), 3),
    rebuildMsPerChange: round(mean(samples.map((s) => s.rebuildMs)), 1),
    peakRssMb: Math.round(peakRssMb),
  };
}

async function runRow(
  n: number,
  options: ControlPlaneOptions,
  ca: { certFile: string; keyFile: string },
  say: (line: string) => void,
): Promise<ControlPlaneRow> {
  const { shape } = options;
  const config = buildConfig({ flags: { 'self-signed': true } });
  const server = await startXdsServer(ca, shape, options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []);
  const clients: ProxiesChild[] = [];
  try {
    const idle = await server.stats();
    const identities = proxyIdentities(shape, n);
    const per = Math.ceil(n / options.clientProcesses);
    for (let c = 0; c * per < n; c++) clients.push(forkProxies());
    await Promise.all(
      clients.map((client, c) =>
        client.ask(
          {
            cmd: 'prepare',
            caCertFile: ca.certFile,
            caKeyFile: ca.keyFile,
            trustDomain: config.mesh.trustDomain,
            serverId: serverSpiffeId(config),
            proxies: identities.slice(c * per, (c + 1) * per),
            firstIndex: c * per,
          },
          'prepared',
        ),
      ),
    );
    const clientsBefore = await Promise.all(clients.map((c) => c.ask({ cmd: 'mark' }, 'marked')));
    const beforeConnect = await server.stats();
    const sampler = sampleRss(server.pid, 50);
    const t0 = hrMs();
    const synced = await Promise.all(
      clients.map((client) => client.ask({ cmd: 'connect', port: server.port, concurrency: options.connectConcurrency }, 'synced')),
    );
    const connectMs = Math.max(...synced.map((s) => s.syncedAt)) - t0;
    sampler.stop();
    const failed = synced.flatMap((s) => s.failed);
    if (failed.length) throw new Error(`${failed.length} proxies failed to sync: ${failed.slice(0, 3).join('; ')}`);
    const afterConnect = await server.stats();
    if (afterConnect.proxies !== n) throw new Error(`server counts ${afterConnect.proxies} proxies, expected ${n}`);
    const perProxy = summarize(synced.flatMap((s) => s.perProxyMs));
    say(
      `  ${n} proxies: connected and initial config ACKed in ${round(connectMs / 1000, 2)} s (per proxy p50 ${round(perProxy.p50Ms, 0)} ms, p99 ${round(perProxy.p99Ms, 0)} ms), ${round((afterConnect.responseBytes - beforeConnect.responseBytes) / 1048576, 1)} MB sent, RSS ${afterConnect.rssMb} MB (peak ${Math.round(sampler.peak())}; heap ${afterConnect.heapUsedMb} MB, external ${afterConnect.externalMb} MB), CPU ${round(afterConnect.cpuSeconds - beforeConnect.cpuSeconds, 1)} s (clients ${round(synced.reduce((t, s) => t + s.cpuSeconds, 0) - clientsBefore.reduce((t, m) => t + m.cpuSeconds, 0), 1)} s)`,
    );

    const changes: ChangeRow[] = [];
    const run = async (kind: ChangeKind, what: string, count: number, apply: (i: number) => Promise<void>): Promise<void> => {
      if (count <= 0) return;
      const rss = sampleRss(server.pid, 50);
      const samples: Sample[] = [];
      for (let i = 0; i < count; i++) samples.push(await measureChange(server, clients, () => apply(i)));
      rss.stop();
      const row = changeRow(kind, what, samples, rss.peak());
      changes.push(row);
      say(
        `    ${kind.padEnd(9)} ×${count}: to last ACK p50 ${round(row.latency.p50Ms, 0)} ms, p99 ${round(row.latency.p99Ms, 0)} ms; ${row.proxiesPushed.max} proxies pushed, ${round(row.bytesPerChange / 1048576, 2)} MB, CPU ${row.cpuSecondsPerChange} s (clients ${row.clientCpuSecondsPerChange} s), rebuild ${row.rebuildMsPerChange} ms per change`,
      );
    };
    // Mesh-wide first, an even number of times (STRICT, back to PERMISSIVE): it ends where it began,
    // so the namespace-wide changes after it are not hidden under a mesh-wide STRICT.
    const meshChanges = options.changes.mesh + (options.changes.mesh % 2);
    await run('mesh', 'mesh-wide MeshTLSPolicy STRICT ↔ PERMISSIVE', meshChanges, (i) =>
      server.policy(server.meshNamespace, i % 2 === 0 ? 'STRICT' : 'PERMISSIVE'),
    );
    // A namespace-wide STRICT policy in a namespace that had none (each change a different namespace, while they last).
    await run('namespace', 'namespace-wide MeshTLSPolicy STRICT', options.changes.namespace, (i) =>
      server.policy(namespaceName(i % shape.namespaces), Math.floor(i / shape.namespaces) % 2 === 0 ? 'STRICT' : 'PERMISSIVE'),
    );
    // One endpoint more, then fewer, of one Service; every proxy subscribes to every Service's endpoints.
    await run('endpoint', 'one endpoint added to / removed from one Service', options.changes.endpoint, (i) =>
      server.endpoint((Math.floor(i / 2) * 7919) % shape.services, i % 2 === 0 ? 'add' : 'remove'),
    );
    const end = await server.stats();
    return {
      proxies: n,
      idleRssMb: Math.round(idle.rssMb),
      connect: {
        seconds: round(connectMs / 1000, 2),
        perProxyP50Ms: round(perProxy.p50Ms, 1),
        perProxyP99Ms: round(perProxy.p99Ms, 1),
        bytes: afterConnect.responseBytes - beforeConnect.responseBytes,
        cpuSeconds: round(afterConnect.cpuSeconds - beforeConnect.cpuSeconds, 2),
        clientCpuSeconds: round(synced.reduce((t, s) => t + s.cpuSeconds, 0) - clientsBefore.reduce((t, m) => t + m.cpuSeconds, 0), 2),
        rssMb: Math.round(afterConnect.rssMb),
        peakRssMb: Math.round(sampler.peak()),
      },
      changes,
      endRssMb: Math.round(end.rssMb),
      hwmMb: Math.round(Math.max(end.hwmMb, readProcMemory(server.pid).hwmMb)),
    };
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await server.stop();
  }
}

/** Every N of options.proxies against a fresh server process; one mesh CA for the whole section. */
export async function runControlPlaneBench(options: ControlPlaneOptions, say: (line: string) => void): Promise<ControlPlaneSection> {
  const config = buildConfig({ flags: { 'self-signed': true } });
  const dir = mkdtempSync(join(tmpdir(), 'meshward-bench-mesh-ca-'));
  const root = createRootCa({ now: new Date(), trustDomain: config.mesh.trustDomain });
  const ca = { certFile: join(dir, 'ca.crt'), keyFile: join(dir, 'ca.key') };
  writeFileSync(ca.certFile, root.certPem);
  writeFileSync(ca.keyFile, root.keyPem, { mode: 0o600 });
  const rows: ControlPlaneRow[] = [];
  for (const n of options.proxies) rows.push(await runRow(n, options, ca, say));
  return {
    measuredAt: new Date().toISOString(),
    shape: options.shape,
    clientProcesses: options.clientProcesses,
    connectConcurrency: options.connectConcurrency,
    debounceMs: config.controlPlane.debounceMs,
    maxDebounceMs: config.controlPlane.maxDebounceMs,
    rows,
  };
}
