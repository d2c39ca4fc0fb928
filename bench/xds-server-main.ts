import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { Registry } from 'prom-client';
import { buildConfig } from '../webhook/config/load.js';
import type { MeshwardConfig } from '../webhook/config/types.js';
import { loadCa } from '../webhook/pki/mesh-ca.js';
import { XdsServer } from '../webhook/xds/ads-server.js';
import { ServerCertificates } from '../webhook/xds/server-certificates.js';
import { SyntheticMesh, type MeshShape } from './xds-mesh.js';

// meshward's side of the control-plane bench, in its own process (its RSS and CPU are its own):
// the real XdsServer (webhook/xds/ads-server.ts) with real ServerCertificates from the mesh CA it
// is given, over a synthetic mesh (xds-mesh.ts), on 127.0.0.1 and an ephemeral port; default
// debounce (controlPlane.debounceMs / maxDebounceMs), as `meshward serve` runs it.
//
//   node dist/bench/xds-server-main.js CA_CERT_PEM_FILE CA_KEY_PEM_FILE '{"services":1000,"namespaces":50,"replicas":2}'
//
// stdout, one JSON object a line: {"event":"listening","port":…,"pods":…} once, then one reply per
// command read from stdin (JSON lines, answered in order):
//   {"cmd":"policy","namespace":"ns-3","mode":"STRICT"}   the namespace's selector-less MeshTLSPolicy
//                                                          (mesh-wide in the mesh namespace), then changed()
//   {"cmd":"endpoint","service":7,"op":"add"|"remove"}    one meshed endpoint more or fewer, then changed()
//   {"cmd":"stats"}                                       RSS, CPU, what the server sent, rebuilds
// End of stdin stops the server.

export interface ServerStats {
  /** VmRSS and VmHWM (peak) of this process, MB. */
  readonly rssMb: number;
  readonly hwmMb: number;
  /** process.memoryUsage(): V8 heap in use, and memory outside it (Buffers: serialized responses waiting for the socket). */
  readonly heapUsedMb: number;
  readonly externalMb: number;
  /** process.cpuUsage(), user + system, since start, seconds. */
  readonly cpuSeconds: number;
  /** meshward_xds_response_bytes_total (resource bytes) and meshward_xds_responses_total, summed over types. */
  readonly responseBytes: number;
  readonly responses: number;
  /** meshward_xds_rebuild_seconds: rebuilds, and seconds spent in them (snapshot + every proxy's push). */
  readonly rebuilds: number;
  readonly rebuildSeconds: number;
  readonly proxies: number;
}

function procStatusMb(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : Number.NaN;
}

/** A metric's values summed over labels; for a histogram, those of `name` + suffix (_count, _sum). */
async function metricSum(registry: Registry, name: string, suffix = ''): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  // Histograms name each value (_bucket, _sum, _count); counters do not.
  const values = (await metric.get()).values as ReadonlyArray<{ value: number; metricName?: string }>;
  return values.filter((v) => (v.metricName ?? name) === name + suffix).reduce((n, v) => n + v.value, 0);
}

async function stats(registry: Registry, server: XdsServer): Promise<ServerStats> {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    rssMb: procStatusMb('VmRSS'),
    hwmMb: procStatusMb('VmHWM'),
    heapUsedMb: Math.round(memory.heapUsed / 1048576),
    externalMb: Math.round(memory.external / 1048576),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    responseBytes: await metricSum(registry, 'meshward_xds_response_bytes_total'),
    responses: await metricSum(registry, 'meshward_xds_responses_total'),
    rebuilds: await metricSum(registry, 'meshward_xds_rebuild_seconds', '_count'),
    rebuildSeconds: await metricSum(registry, 'meshward_xds_rebuild_seconds', '_sum'),
    proxies: server.proxies().length,
  };
}

type Command =
  | { readonly cmd: 'policy'; readonly namespace: string; readonly mode: string }
  | { readonly cmd: 'endpoint'; readonly service: number; readonly op: 'add' | 'remove' }
  | { readonly cmd: 'stats' };

async function main(): Promise<void> {
  const [caCertFile, caKeyFile, shapeJson] = process.argv.slice(2);
  if (!caCertFile || !caKeyFile || !shapeJson) throw new Error('usage: xds-server-main CA_CERT_FILE CA_KEY_FILE SHAPE_JSON');
  const ca = loadCa({ certPem: readFileSync(caCertFile, 'utf8'), keyPem: readFileSync(caKeyFile, 'utf8') });
  const base = buildConfig({ flags: { 'self-signed': true } });
  const config: MeshwardConfig = { ...base, controlPlane: { ...base.controlPlane, host: '127.0.0.1', port: 0 } };
  const mesh = new SyntheticMesh(JSON.parse(shapeJson) as MeshShape);
  const registry = new Registry();
  const certificates = new ServerCertificates(config, () => ca);
  const server = new XdsServer({
    config,
    logger: pino({ level: 'warn' }, pino.destination(2)),
    registry,
    view: mesh,
    synced: Promise.resolve(),
    certificates,
  });
  const port = await server.start();
  const out = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
  out({ event: 'listening', port, pods: mesh.podCount, meshNamespace: config.mesh.namespace });
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as Command;
    try {
      if (c.cmd === 'policy') {
        mesh.setPolicy(c.namespace, c.mode);
        server.changed();
        out({ ok: true });
      } else if (c.cmd === 'endpoint') {
        const result = mesh.changeEndpoint(c.service, c.op);
        server.changed();
        out({ ok: true, ...result });
      } else if (c.cmd === 'stats') {
        out({ ok: true, ...(await stats(registry, server)) });
      } else {
        out({ ok: false, error: `unknown command ${JSON.stringify(c)}` });
      }
    } catch (err) {
      out({ ok: false, error: (err as Error).message });
    }
  }
  await server.stop();
  certificates.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`xds-server-main: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
