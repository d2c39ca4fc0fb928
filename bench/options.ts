import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../scripts/control-plane/ensure-binaries.js';

import { CASE_IDS, type CaseId } from './cases.js';
import type { ControlPlaneOptions } from './control-plane-bench.js';

export type SectionName = 'http' | 'renders' | 'apiserver' | 'certs' | 'control-plane' | 'soak';
const ALL: readonly SectionName[] = ['http', 'renders', 'apiserver', 'certs', 'control-plane', 'soak'];

export interface BenchOptions {
  readonly sections: ReadonlySet<SectionName>;
  /** HTTP cases to run (default all). */
  readonly cases: readonly CaseId[];
  /** Only re-render RESULTS.md from the results.json in outDir. */
  readonly renderOnly: boolean;
  readonly quick: boolean;
  readonly connections: number;
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly rounds: number;
  readonly soakSec: number;
  readonly apiSequential: number;
  readonly apiConcurrent: number;
  readonly apiConcurrency: number;
  readonly certs: number;
  /** Admissions per phase of the in-process renders section. */
  readonly renders: number;
  /** Distinct workloads sent through /mutate by the HTTP section's mutate-churn case. */
  readonly churnWorkloads: number;
  /** The control-plane section's sizes and changes. */
  readonly controlPlane: ControlPlaneOptions;
  /** Where results.json and RESULTS.md go (default bench/; --quick: a temp dir). */
  readonly outDir: string;
}

export const USAGE = `npm run bench -- [flags]            (env: BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_QUICK=1)
  --quick               short windows (1 s warm-up, 3 s measured in 1 round, fewer creates); writes to a temp dir unless --out
  --duration S          measured seconds per HTTP row (default 15), split into --rounds windows
  --rounds N            measured windows per row, interleaved floor → meshward → express (default 3)
  --warmup S            warm-up seconds per HTTP row (default 3)
  --connections N       autocannon connections (default 32)
  --only LIST           sections to run: ${ALL.join(',')} (default: all but soak)
  --skip LIST           sections to leave out
  --cases LIST          HTTP cases to run: ${CASE_IDS.join(',')} (default all)
  --soak [S]            also run the soak, S seconds (default 150)
  --creates N           sequential API-server creates per namespace and phase (default 300)
  --churn N             distinct workloads sent through /mutate by the HTTP case mutate-churn (default 5000; --quick 1000)
  --xds-proxies LIST    control-plane: simulated proxies, one server process per count (default 100,1000,2000; --quick 100,1000)
  --xds-services N      control-plane: Services in the synthetic mesh (default 1000; 50 namespaces, ≥ 2 endpoints each)
  --xds-clients N       control-plane: processes playing the proxies (default 1)
  --xds-ramp N          control-plane: at most N proxies (per client process) dialling and syncing at once (default 100; 0: all at once)
  --xds-changes N       control-plane: namespace-wide policy changes per count, N/10 endpoint changes (≥ 2), 2 mesh-wide (default 20; --quick 6)
  --xds-cpu-prof DIR    control-plane: run the server under node --cpu-prof, profiles in DIR
  --out DIR             where results.json and RESULTS.md are written (default bench/)
  --render              measure nothing: re-render RESULTS.md from results.json
Sections not run keep their figures from an existing results.json in the output directory.`;

function list(value: string | undefined): SectionName[] {
  if (!value) return [];
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) if (!(ALL as readonly string[]).includes(n)) throw new Error(`unknown section "${n}" (use ${ALL.join(', ')})`);
  return names as SectionName[];
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return n;
}

export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  // `--soak` may stand alone (default duration) or take a number.
  const args = [...argv];
  const soakAt = args.indexOf('--soak');
  let soakValue: string | undefined;
  if (soakAt >= 0) {
    const next = args[soakAt + 1];
    soakValue = next !== undefined && /^\d+$/.test(next) ? next : '150';
    args.splice(soakAt, next !== undefined && /^\d+$/.test(next) ? 2 : 1);
  }
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      skip: { type: 'string' },
      cases: { type: 'string' },
      creates: { type: 'string' },
      churn: { type: 'string' },
      'xds-proxies': { type: 'string' },
      'xds-services': { type: 'string' },
      'xds-clients': { type: 'string' },
      'xds-changes': { type: 'string' },
      'xds-ramp': { type: 'string' },
      'xds-cpu-prof': { type: 'string' },
      out: { type: 'string' },
      render: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const quick = values.quick === true || env.BENCH_QUICK === '1';
  const only = list(values.only);
  const sections = new Set<SectionName>(only.length ? only : ALL.filter((s) => s !== 'soak'));
  if (soakValue !== undefined || env.BENCH_SOAK) sections.add('soak');
  for (const s of list(values.skip)) sections.delete(s);
  const sequential = positive('--creates', values.creates, quick ? 40 : 300);
  const cases = values.cases ? values.cases.split(',').map((c) => c.trim()) : [...CASE_IDS];
  for (const c of cases)
    if (!(CASE_IDS as readonly string[]).includes(c)) throw new Error(`--cases: unknown case "${c}" (use ${CASE_IDS.join(', ')})`);
  const proxies = (values['xds-proxies'] ?? (quick ? '100,1000' : '100,1000,2000'))
    .split(',')
    .map((p) => Math.round(positive('--xds-proxies', p.trim(), 1)));
  const services = Math.round(positive('--xds-services', values['xds-services'], 1000));
  const changes = Math.round(positive('--xds-changes', values['xds-changes'], quick ? 6 : 20));
  return {
    sections,
    cases: cases as CaseId[],
    renderOnly: values.render === true,
    quick,
    connections: positive('--connections', values.connections ?? env.BENCH_CONNECTIONS, 32),
    warmupSec: positive('--warmup', values.warmup ?? env.BENCH_WARMUP, quick ? 1 : 3),
    durationSec: positive('--duration', values.duration ?? env.BENCH_DURATION, quick ? 3 : 15),
    rounds: Math.round(positive('--rounds', values.rounds, quick ? 1 : 3)),
    soakSec: positive('--soak', soakValue ?? env.BENCH_SOAK, 150),
    apiSequential: sequential,
    apiConcurrent: Math.max(8, Math.round(sequential / 2)),
    apiConcurrency: 8,
    certs: quick ? 500 : 3000,
    renders: quick ? 200 : 1000,
    churnWorkloads: Math.round(positive('--churn', values.churn, quick ? 1000 : 5000)),
    controlPlane: {
      proxies,
      // Enough endpoints per Service for the largest count to be pods of the mesh (Istio's sizing point: 2 per Service).
      shape: { services, namespaces: Math.min(50, services), replicas: Math.max(2, Math.ceil(Math.max(...proxies) / services)) },
      clientProcesses: Math.round(positive('--xds-clients', values['xds-clients'], 1)),
      // All 2,000 at once buffers every proxy's first answer in the server (≈ 2.5 GB) and streams drop before their ACK: a ramp measures the rate of initial syncs.
      connectConcurrency: values['xds-ramp'] === '0' ? 0 : Math.round(positive('--xds-ramp', values['xds-ramp'], 100)),
      // Pushes to every proxy (mesh-wide, endpoints) take seconds at 2,000 proxies: fewer of them keep the section near 4 minutes.
      changes: { namespace: changes, endpoint: Math.max(2, Math.round(changes / 10)), mesh: 2 },
      ...(values['xds-cpu-prof'] ? { cpuProfDir: values['xds-cpu-prof'] } : {}),
    },
    outDir: values.out ?? (quick ? mkdtempSync(join(tmpdir(), 'meshward-bench-quick-')) : join(repoRoot(), 'bench')),
  };
}
