import autocannon, { type AutocannonOptions, type AutocannonResult } from 'autocannon';
import type { CaseId } from './cases.js';
import { summarize, type LatencySummary } from './stats.js';

export interface LoadTarget {
  readonly url: string;
  readonly path: string;
  readonly body: Buffer;
}

export interface LoadOptions {
  readonly connections: number;
  /** Warm-up per server and case, before its first measured window. */
  readonly warmupSec: number;
  /** Measured seconds per server and case, split into `rounds` windows. */
  readonly durationSec: number;
  /** Windows per server and case, interleaved across the servers (a burst of other work on the machine then hits all of them alike). */
  readonly rounds: number;
  /** The HTTP cases to load. */
  readonly cases: readonly CaseId[];
}

export interface LoadStats extends LatencySummary {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly resets: number;
}

function fire(options: AutocannonOptions, onLatency?: (ms: number, status: number) => void): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
    if (onLatency) {
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) =>
        onLatency(responseTime, statusCode),
      );
    }
  });
}

function cannonOptions(target: LoadTarget, connections: number, durationSec: number): AutocannonOptions {
  return {
    url: `${target.url}${target.path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: target.body,
    connections,
    pipelining: 1,
    duration: durationSec,
    timeout: 10,
    servername: 'localhost',
  };
}

/** One measured window: every response's latency (ms, sub-ms resolution) and the counters. */
export interface LoadWindow {
  readonly latencies: Float64Array;
  readonly ok: number;
  readonly seconds: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly resets: number;
}

/** Connections warm (TLS, JIT) before anything is measured; nothing is recorded. */
export async function warmUp(target: LoadTarget, connections: number, seconds: number): Promise<void> {
  if (seconds > 0) await fire(cannonOptions(target, connections, seconds));
}

/** autocannon over HTTPS keep-alive for `durationSec`, every response's latency recorded (autocannon's own histogram keeps whole ms). */
export async function measureWindow(target: LoadTarget, connections: number, durationSec: number): Promise<LoadWindow> {
  let latencies = new Float64Array(1 << 16);
  let n = 0;
  let ok = 0;
  const result = await fire(cannonOptions(target, connections, durationSec), (ms, status) => {
    if (n === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[n++] = ms;
    if (status >= 200 && status < 300) ok++;
  });
  return {
    latencies: latencies.slice(0, n),
    ok,
    seconds: result.duration,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    resets: result.resets,
  };
}

/** Windows pooled: requests over total seconds, percentiles over all their latencies. */
export function pooled(windows: readonly LoadWindow[]): LoadStats {
  const all = new Float64Array(windows.reduce((n, w) => n + w.latencies.length, 0));
  let at = 0;
  for (const w of windows) {
    all.set(w.latencies, at);
    at += w.latencies.length;
  }
  const sum = (key: 'ok' | 'seconds' | 'errors' | 'timeouts' | 'non2xx' | 'resets'): number => windows.reduce((n, w) => n + w[key], 0);
  const seconds = sum('seconds');
  return {
    ...summarize(all),
    requests: sum('ok'),
    seconds,
    rps: Math.round(sum('ok') / seconds),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    non2xx: sum('non2xx'),
    resets: sum('resets'),
  };
}
