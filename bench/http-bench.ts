import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../scripts/control-plane/ensure-binaries.js';
import { floorResponses, prepareCases, type BenchCase, type CaseId } from './cases.js';
import { runChurn, type ChurnResult } from './churn.js';
import { startBenchServer, startMeshwardServe, writeServingBundle, type ServerChild } from './children.js';
import { httpsCall } from './https-post.js';
import { measureWindow, pooled, warmUp, type LoadOptions, type LoadStats, type LoadWindow } from './load.js';
import { readProcMemory, sampleRss } from './rss.js';

export type Target = 'floor' | 'meshward' | 'express';

export interface HttpRow {
  readonly caseId: CaseId;
  readonly title: string;
  readonly target: Target;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly stats: LoadStats;
  /** Highest VmRSS of the target's process while this row's load ran, MB. */
  readonly peakRssMb: number;
}

export interface HttpSection {
  readonly measuredAt: string;
  readonly settings: LoadOptions;
  readonly rows: HttpRow[];
  /** meshward's process: RSS idle after start, and VmHWM (peak over its life) at the end. */
  readonly meshwardMemory: { readonly idleRssMb: number; readonly hwmMb: number };
  /** mutate-churn: distinct workloads through /mutate of a fresh meshward, its RSS after. */
  readonly churn?: ChurnResult;
}

const TARGETS: readonly Target[] = ['floor', 'meshward', 'express'];

/** Every bench server must answer each case before it is loaded: the floor byte for byte. */
async function checkServers(cases: readonly BenchCase[], floor: ServerChild, express: ServerChild): Promise<void> {
  for (const c of cases) {
    const f = await httpsCall(`${floor.url}${c.path}`, floor.ca, 'POST', c.body);
    if (f.status !== 200 || !f.body.equals(c.response)) throw new Error(`floor server: wrong answer for ${c.id}`);
    const e = await httpsCall(`${express.url}${c.path}`, express.ca, 'POST', c.body);
    const allowed = (JSON.parse(e.body.toString('utf8')) as { response?: { allowed?: boolean } }).response?.allowed;
    if (e.status !== 200 || allowed !== (c.outcome !== 'denied'))
      throw new Error(`express server: wrong answer for ${c.id}: ${e.status} ${e.body.toString('utf8').slice(0, 300)}`);
  }
}

/**
 * Each case against the floor, meshward and the express variant: a warm-up each, then `rounds`
 * measured windows interleaved floor → meshward → express, pooled per server. Only one server is
 * loaded at a time; all three run in their own processes on this machine's cores.
 */
export async function runHttpBench(load: LoadOptions, say: (line: string) => void, churnWorkloads = 5000): Promise<HttpSection> {
  const stateFile = join(repoRoot(), 'manifests/examples/namespaces.yaml');
  const meshward = await startMeshwardServe({ stateFile, logLevel: 'warn' });
  const children: ServerChild[] = [meshward];
  try {
    const idleRssMb = readProcMemory(meshward.pid).rssMb;
    const cases = await prepareCases(meshward.url, meshward.ca);
    const tls = writeServingBundle();
    const responsesFile = join(mkdtempSync(join(tmpdir(), 'meshward-bench-floor-')), 'responses.json');
    writeFileSync(responsesFile, JSON.stringify(floorResponses(cases)));
    const floor = await startBenchServer('floor-server', { ...tls, args: [responsesFile] });
    children.push(floor);
    const express = await startBenchServer('express-server', { ...tls, args: [stateFile] });
    children.push(express);
    await checkServers(cases, floor, express);
    const servers: Record<Target, ServerChild> = { floor, meshward, express };
    const rows: HttpRow[] = [];
    const windowSec = load.durationSec / load.rounds;
    for (const c of cases.filter((k) => load.cases.includes(k.id))) {
      const windows: Record<Target, LoadWindow[]> = { floor: [], meshward: [], express: [] };
      const peaks: Record<Target, number> = { floor: 0, meshward: 0, express: 0 };
      for (const target of TARGETS)
        await warmUp({ url: servers[target].url, path: c.path, body: c.body }, load.connections, load.warmupSec);
      for (let round = 0; round < load.rounds; round++) {
        for (const target of TARGETS) {
          const server = servers[target];
          const sampler = sampleRss(server.pid, 250);
          windows[target].push(await measureWindow({ url: server.url, path: c.path, body: c.body }, load.connections, windowSec));
          sampler.stop();
          peaks[target] = Math.max(peaks[target], sampler.peak());
        }
      }
      for (const target of TARGETS) {
        const stats = pooled(windows[target]);
        rows.push({
          caseId: c.id,
          title: c.title,
          target,
          requestBytes: c.body.length,
          responseBytes: c.response.length,
          stats,
          peakRssMb: Math.round(peaks[target]),
        });
        say(
          `  ${c.id.padEnd(19)} ${target.padEnd(8)} ${String(stats.rps).padStart(6)} req/s  p50 ${stats.p50Ms} ms  p99 ${stats.p99Ms} ms  max ${stats.maxMs} ms  errors ${stats.errors + stats.timeouts + stats.non2xx}  RSS ${Math.round(peaks[target])} MB`,
        );
      }
    }
    const hwmMb = Math.round(readProcMemory(meshward.pid).hwmMb);
    for (const child of children.splice(0)) await child.stop();
    let churn: ChurnResult | undefined;
    if (load.cases.includes('mutate-churn')) {
      churn = await runChurn(churnWorkloads, 8);
      say(
        `  mutate-churn        ${churn.workloads} distinct workloads in ${churn.seconds} s: p50 ${churn.latency.p50Ms} ms  p99 ${churn.latency.p99Ms} ms; RSS ${churn.idleRssMb} MB idle → ${churn.afterRssMb} MB after (peak ${churn.peakRssMb})`,
      );
    }
    return {
      measuredAt: new Date().toISOString(),
      settings: load,
      rows,
      meshwardMemory: { idleRssMb: Math.round(idleRssMb), hwmMb },
      ...(churn ? { churn } : {}),
    };
  } finally {
    for (const child of children) await child.stop();
  }
}
