import autocannon, { type AutocannonOptions, type AutocannonResult } from 'autocannon';
import { summarize, type LatencySummary } from './stats.js';

export interface LoadTarget {
  readonly url: string;
  readonly path: string;
  readonly body: Buffer;
}

export interface LoadOptions {
  readonly connections: number;
  readonly warmupSec: number;
  readonly durationSec: number;
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
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => onLatency(responseTime, statusCode));
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

/**
 * autocannon over HTTPS keep-alive: a warm-up, then the measured window. Latencies are recorded
 * per response at sub-millisecond resolution (autocannon's own histogram keeps whole ms).
 */
export async function runLoad(target: LoadTarget, options: LoadOptions): Promise<LoadStats> {
  if (options.warmupSec > 0) await fire(cannonOptions(target, options.connections, options.warmupSec));
  let latencies = new Float64Array(1 << 16);
  let n = 0;
  let ok = 0;
  const result = await fire(cannonOptions(target, options.connections, options.durationSec), (ms, status) => {
    if (n === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[n++] = ms;
    if (status >= 200 && status < 300) ok++;
  });
  const seconds = result.duration;
  return {
    ...summarize(latencies.subarray(0, n)),
    requests: ok,
    seconds,
    rps: Math.round(ok / seconds),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    resets: result.resets,
  };
}
