import autocannon, { type AutocannonResult } from 'autocannon';
import { prepareCases } from './cases.js';
import { startMeshwardServe } from './children.js';
import { httpsCall } from './https-post.js';
import { readProcMemory } from './rss.js';
import { round, slope } from './stats.js';

export interface SoakSample {
  readonly t: number;
  readonly rssMb: number;
  readonly heapUsedMb?: number;
}

export interface SoakSection {
  readonly measuredAt: string;
  readonly seconds: number;
  readonly connections: number;
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly startRssMb: number;
  readonly endRssMb: number;
  readonly peakRssMb: number;
  /** Least-squares slope of RSS after the first 20 % of the run (warm-up excluded), MB/min. */
  readonly rssSlopeMbPerMin: number;
  readonly heapSlopeMbPerMin?: number;
  readonly samples: SoakSample[];
}

async function heapUsedMb(url: string, ca: string): Promise<number | undefined> {
  try {
    const res = await httpsCall(`${url}/metrics`, ca, 'GET', undefined, 5000);
    const m = /^meshward_nodejs_heap_size_used_bytes\s+([0-9.e+]+)/m.exec(res.body.toString('utf8'));
    return m ? Number(m[1]) / 1048576 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Steady mixed load (the four cases, round robin on every connection) against one meshward
 * process for `seconds`, its RSS and heap sampled every few seconds: memory must stay flat.
 */
export async function runSoak(seconds: number, connections: number, say: (line: string) => void): Promise<SoakSection> {
  const meshward = await startMeshwardServe({ logLevel: 'warn' });
  try {
    const cases = await prepareCases(meshward.url, meshward.ca);
    const intervalMs = Math.max(2000, Math.round((seconds * 1000) / 90));
    const samples: SoakSample[] = [];
    const t0 = performance.now();
    let sampling = Promise.resolve();
    const sample = (): void => {
      sampling = sampling.then(async () => {
        const t = round((performance.now() - t0) / 1000, 1);
        const { rssMb } = readProcMemory(meshward.pid);
        const heap = await heapUsedMb(meshward.url, meshward.ca);
        samples.push({ t, rssMb: round(rssMb, 1), ...(heap !== undefined ? { heapUsedMb: round(heap, 1) } : {}) });
      });
    };
    sample();
    const timer = setInterval(() => {
      sample();
      const last = samples[samples.length - 1];
      if (last && samples.length % 10 === 0) say(`  soak t=${last.t}s RSS ${last.rssMb} MB heap ${last.heapUsedMb ?? '?'} MB`);
    }, intervalMs);
    let responses = 0;
    const result = await new Promise<AutocannonResult>((resolve, reject) => {
      const instance = autocannon(
        {
          url: meshward.url,
          connections,
          duration: seconds,
          servername: 'localhost',
          requests: cases.map((c) => ({ method: 'POST', path: c.path, headers: { 'content-type': 'application/json' }, body: c.body })),
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
      instance.on('response', () => void responses++);
    });
    clearInterval(timer);
    sample();
    await sampling;
    const steady = samples.filter((s) => s.t >= seconds * 0.2);
    const perMin = (key: 'rssMb' | 'heapUsedMb'): number =>
      round(slope(steady.filter((s) => s[key] !== undefined).map((s) => ({ x: s.t / 60, y: s[key]! }))), 3);
    return {
      measuredAt: new Date().toISOString(),
      seconds,
      connections,
      requests: responses,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      startRssMb: samples[0]!.rssMb,
      endRssMb: samples[samples.length - 1]!.rssMb,
      peakRssMb: Math.max(...samples.map((s) => s.rssMb)),
      rssSlopeMbPerMin: perMin('rssMb'),
      ...(samples.some((s) => s.heapUsedMb !== undefined) ? { heapSlopeMbPerMin: perMin('heapUsedMb') } : {}),
      samples,
    };
  } finally {
    await meshward.stop();
  }
}
