import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { runApiServerBench } from './apiserver-bench.js';
import { runCertsBench } from './certs-bench.js';
import { runControlPlaneBench } from './control-plane-bench.js';
import { runRendersBench } from './renders-bench.js';
import { checkGoals } from './goals.js';
import { runHttpBench } from './http-bench.js';
import { machineInfo } from './machine.js';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { renderMarkdown, type Results } from './report.js';
import { runSoak } from './soak.js';

// `npm run bench`: builds, then measures meshward (HTTP cases vs the I/O floor and express, the
// real API server, certificate signing, the xDS control plane, optionally a soak) and writes
// bench/results.json and bench/RESULTS.md. See bench/README.md.

const say = (line: string): void => void process.stderr.write(`${line}\n`);

function commands(o: BenchOptions): string[] {
  return [
    'npm ci',
    `npm run bench${o.quick ? ' -- --quick' : ''}                 # all sections but the soak (build included; first run builds the control plane, ~6 min)`,
    'npm run bench -- --only soak --soak 180   # the soak alone; other sections keep their figures',
    'npm run bench -- --only http --duration 6 --rounds 2 --warmup 2',
    'npm run bench -- --only control-plane     # the xDS control plane alone (~4 min); --xds-proxies 100 for a quick look',
  ];
}

function previous(file: string): Partial<Results> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<Results>;
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    say((err as Error).message === USAGE ? USAGE : `bench: ${(err as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  mkdirSync(options.outDir, { recursive: true }); // before minutes of measuring, not after
  const jsonFile = join(options.outDir, 'results.json');
  const old = previous(jsonFile);
  if (options.renderOnly) {
    if (!old.machine) throw new Error(`${jsonFile}: no results to render`);
    writeFileSync(join(options.outDir, 'RESULTS.md'), renderMarkdown(old as Results));
    say(`wrote ${join(options.outDir, 'RESULTS.md')} from ${jsonFile}`);
    return;
  }
  const run = options.sections;
  const loadStart = loadavg()[0]!;
  say(`meshward bench: ${[...run].join(', ')}${options.quick ? ' (quick)' : ''}`);

  const http = run.has('http')
    ? (say(
        `HTTP cases: ${options.connections} connections, ${options.warmupSec} s warm-up + ${options.durationSec} s in ${options.rounds} interleaved windows per row`,
      ),
      await runHttpBench(
        {
          connections: options.connections,
          warmupSec: options.warmupSec,
          durationSec: options.durationSec,
          rounds: options.rounds,
          cases: options.cases,
        },
        say,
        options.churnWorkloads,
      ))
    : old.http;
  const renders = run.has('renders')
    ? (say('injection work per admission, in process...'), await runRendersBench(options.renders))
    : old.renders;
  if (run.has('renders') && renders) say(`  new workload ${renders.newWorkloadUs} µs, another replica ${renders.replicaUs} µs`);
  const certs = run.has('certs') ? (say('certificates per second...'), await runCertsBench(options.certs)) : old.certs;
  if (run.has('certs') && certs) say(`  issue ${certs.issue.perSecond}/s, whole PCR path ${certs.pcr.perSecond}/s`);
  const apiServer = run.has('apiserver')
    ? (say('through the real API server:'),
      await runApiServerBench(
        { sequential: options.apiSequential, concurrent: options.apiConcurrent, concurrency: options.apiConcurrency, quick: options.quick },
        say,
      ))
    : old.apiServer;
  const controlPlane = run.has('control-plane')
    ? (say(
        `control plane: ${options.controlPlane.shape.services} Services, ${options.controlPlane.proxies.join(' / ')} proxies in ${options.controlPlane.clientProcesses} client process(es)`,
      ),
      await runControlPlaneBench(options.controlPlane, say))
    : old.controlPlane;
  const soak = run.has('soak')
    ? (say(`soak: ${options.soakSec} s`), await runSoak(options.soakSec, Math.min(16, options.connections), say))
    : old.soak;

  const results: Results = {
    schema: 1,
    generatedAt: new Date().toISOString(),
    machine: machineInfo(),
    commands: commands(options),
    loadAverage: { start: Math.round(loadStart * 100) / 100, end: Math.round(loadavg()[0]! * 100) / 100 },
    ...(http ? { http } : {}),
    ...(apiServer ? { apiServer } : {}),
    ...(renders ? { renders } : {}),
    ...(certs ? { certs } : {}),
    ...(controlPlane ? { controlPlane } : {}),
    ...(soak ? { soak } : {}),
  };
  writeFileSync(jsonFile, `${JSON.stringify({ ...results, goals: checkGoals(results) }, null, 2)}\n`);
  writeFileSync(join(options.outDir, 'RESULTS.md'), renderMarkdown(results));
  say('\nGoals:');
  for (const g of checkGoals(results)) say(`  ${g.met === undefined ? '—  ' : g.met ? 'met' : 'MISSED'}  ${g.goal}: ${g.measured}`);
  say(`\nwrote ${jsonFile} and ${join(options.outDir, 'RESULTS.md')}`);
}

main().catch((err: unknown) => {
  say(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
