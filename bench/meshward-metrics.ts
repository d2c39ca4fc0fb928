import { httpsCall } from './https-post.js';

export interface AdmissionTotals {
  /** Admission reviews meshward answered, per webhook. */
  readonly count: Record<'mutate' | 'validate', number>;
  /** Seconds meshward spent on them (its own histogram: body received → response written). */
  readonly seconds: Record<'mutate' | 'validate', number>;
  /** /mutate answers by reason code (injected, already-injected, reinvoked-probes, ...). */
  readonly mutateReasons: Record<string, number>;
}

/** meshward_admission_duration_seconds count and sum per webhook, from meshward's /metrics. */
export async function readAdmissionTotals(url: string, ca: string): Promise<AdmissionTotals> {
  const text = (await httpsCall(`${url}/metrics`, ca, 'GET')).body.toString('utf8');
  const read = (what: 'count' | 'sum', webhook: string): number => {
    const m = new RegExp(`^meshward_admission_duration_seconds_${what}\\{webhook="${webhook}"\\} ([0-9.eE+-]+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  const mutateReasons: Record<string, number> = {};
  for (const m of text.matchAll(/^meshward_admissions_total\{([^}]*)\} ([0-9.eE+-]+)$/gm)) {
    if (!m[1]!.includes('webhook="mutate"')) continue;
    const reason = /reason="([^"]*)"/.exec(m[1]!)?.[1] ?? '?';
    mutateReasons[reason] = (mutateReasons[reason] ?? 0) + Number(m[2]);
  }
  return {
    mutateReasons,
    count: { mutate: read('count', 'mutate'), validate: read('count', 'validate') },
    seconds: { mutate: read('sum', 'mutate'), validate: read('sum', 'validate') },
  };
}

/** `total` plus what the counters grew by from `before` to `after` (to sum a phase's windows). */
export function addGrowth(total: AdmissionTotals, before: AdmissionTotals, after: AdmissionTotals): AdmissionTotals {
  const grew = (w: 'mutate' | 'validate', what: 'count' | 'seconds'): number => total[what][w] + after[what][w] - before[what][w];
  const mutateReasons = { ...total.mutateReasons };
  for (const [reason, n] of Object.entries(after.mutateReasons))
    mutateReasons[reason] = (mutateReasons[reason] ?? 0) + n - (before.mutateReasons[reason] ?? 0);
  return {
    mutateReasons,
    count: { mutate: grew('mutate', 'count'), validate: grew('validate', 'count') },
    seconds: { mutate: grew('mutate', 'seconds'), validate: grew('validate', 'seconds') },
  };
}

/** All counters at zero. */
export const NO_ADMISSIONS: AdmissionTotals = { mutateReasons: {}, count: { mutate: 0, validate: 0 }, seconds: { mutate: 0, validate: 0 } };
