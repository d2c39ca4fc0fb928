import type { ApiServerSection } from './apiserver-bench.js';
import type { CertsSection } from './certs-bench.js';
import type { RendersSection } from './renders-bench.js';
import type { HttpRow, HttpSection } from './http-bench.js';
import type { SoakSection } from './soak.js';
import { round } from './stats.js';

// meshward's performance goals (2-core machine, load generator on the same cores), evaluated on the
// figures of one results.json.

export const GOALS = {
  typicalRpsRatio: 0.6,
  typicalP99Ratio: 1.6,
  largeP99Ms: 25,
  apiServerP99OverheadMs: 10,
  certsPerSecond: 300,
  rssMb: 150,
} as const;

export interface GoalCheck {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

export interface Ratios {
  readonly rps: number;
  readonly p99: number;
}

/** A row's throughput and p99 as ratios of the floor's, same case, same run. */
export function ratiosToFloor(rows: readonly HttpRow[], row: HttpRow): Ratios | undefined {
  const floor = rows.find((r) => r.caseId === row.caseId && r.target === 'floor');
  if (!floor) return undefined;
  return { rps: round(row.stats.rps / floor.stats.rps, 2), p99: round(row.stats.p99Ms / floor.stats.p99Ms, 2) };
}

export interface Sections {
  readonly http?: HttpSection;
  readonly apiServer?: ApiServerSection;
  readonly certs?: CertsSection;
  readonly renders?: RendersSection;
  readonly soak?: SoakSection;
}

export function checkGoals(s: Sections): GoalCheck[] {
  const out: GoalCheck[] = [];
  const rows = s.http?.rows ?? [];
  const typical = rows.find((r) => r.caseId === 'mutate-typical' && r.target === 'meshward');
  const typicalRatios = typical ? ratiosToFloor(rows, typical) : undefined;
  out.push({
    goal: `/mutate typical ≥ ${GOALS.typicalRpsRatio}× floor req/s (32 connections)`,
    measured: typicalRatios ? `${typicalRatios.rps}× (${typical!.stats.rps} req/s)` : 'not measured',
    met: typicalRatios ? typicalRatios.rps >= GOALS.typicalRpsRatio : undefined,
  });
  out.push({
    goal: `/mutate typical p99 ≤ ${GOALS.typicalP99Ratio}× floor p99`,
    measured: typicalRatios ? `${typicalRatios.p99}× (${typical!.stats.p99Ms} ms)` : 'not measured',
    met: typicalRatios ? typicalRatios.p99 <= GOALS.typicalP99Ratio : undefined,
  });
  const large = rows.find((r) => r.caseId === 'mutate-large' && r.target === 'meshward');
  out.push({
    goal: `/mutate large pod p99 ≤ ${GOALS.largeP99Ms} ms`,
    measured: large ? `${large.stats.p99Ms} ms` : 'not measured',
    met: large ? large.stats.p99Ms <= GOALS.largeP99Ms : undefined,
  });
  const overheads = (s.apiServer?.rows ?? []).filter((r) => r.role !== 'plain');
  const worst = overheads.reduce((m, r) => Math.max(m, r.overheadP99Ms), Number.NEGATIVE_INFINITY);
  // with − without stays the goal's figure; where a floor phase ran, the worst row's split follows.
  const worstRow = overheads.find((r) => r.overheadP99Ms === worst);
  const split =
    worstRow?.anyWebhookP99Ms === undefined
      ? ''
      : `; worst row: any webhook ${worstRow.anyWebhookP99Ms} + meshward's work ${worstRow.meshwardWorkP99Ms} ms`;
  out.push({
    goal: `API-server pod CREATE p99 overhead ≤ ${GOALS.apiServerP99OverheadMs} ms`,
    measured: overheads.length
      ? `worst ${round(worst, 2)} ms (${overheads.map((r) => `${r.role}/${r.mode} ${r.overheadP99Ms}`).join(', ')})${split}`
      : 'not measured',
    met: overheads.length ? worst <= GOALS.apiServerP99OverheadMs : undefined,
  });
  const certs = s.certs ? Math.min(s.certs.issue.perSecond, s.certs.pcr.perSecond) : undefined;
  out.push({
    goal: `≥ ${GOALS.certsPerSecond} certificates/s`,
    measured: s.certs ? `${s.certs.issue.perSecond}/s issue, ${s.certs.pcr.perSecond}/s whole PCR path` : 'not measured',
    met: certs !== undefined ? certs >= GOALS.certsPerSecond : undefined,
  });
  const rss: Array<[string, number]> = [];
  const meshwardRows = rows.filter((r) => r.target === 'meshward');
  if (meshwardRows.length) rss.push(['HTTP cases peak', Math.max(...meshwardRows.map((r) => r.peakRssMb))]);
  if (s.soak) rss.push(['soak peak', s.soak.peakRssMb]);
  if (s.apiServer) rss.push(['online, via API server', s.apiServer.meshwardPeakRssMb]);
  out.push({
    goal: `meshward RSS ≤ ${GOALS.rssMb} MB under load`,
    measured: rss.length ? rss.map(([k, v]) => `${k} ${Math.round(v)} MB`).join('; ') : 'not measured',
    met: rss.length ? rss.every(([, v]) => v <= GOALS.rssMb) : undefined,
  });
  return out;
}
