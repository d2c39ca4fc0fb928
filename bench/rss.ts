import { readFileSync } from 'node:fs';

export interface ProcMemory {
  /** Resident set size now, MB. */
  readonly rssMb: number;
  /** Peak resident set size over the process's life (VmHWM), MB. */
  readonly hwmMb: number;
}

function field(status: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** VmRSS and VmHWM of a process, from /proc/<pid>/status (Linux). */
export function readProcMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssMb: field(status, 'VmRSS'), hwmMb: field(status, 'VmHWM') };
}

export interface RssSample {
  /** Seconds since the sampler started. */
  readonly t: number;
  readonly rssMb: number;
}

export interface RssSampler {
  readonly samples: RssSample[];
  /** Highest VmRSS seen while sampling, MB. */
  peak(): number;
  stop(): RssSample[];
}

/** Samples a process's VmRSS every intervalMs until stopped (a vanished process ends sampling). */
export function sampleRss(pid: number, intervalMs: number): RssSampler {
  const samples: RssSample[] = [];
  const t0 = performance.now();
  const take = (): void => {
    try {
      samples.push({ t: (performance.now() - t0) / 1000, rssMb: readProcMemory(pid).rssMb });
    } catch {
      clearInterval(timer);
    }
  };
  const timer = setInterval(take, intervalMs);
  timer.unref();
  take();
  return {
    samples,
    peak: () => samples.reduce((m, s) => Math.max(m, s.rssMb), 0),
    stop: () => {
      take();
      clearInterval(timer);
      return samples;
    },
  };
}
