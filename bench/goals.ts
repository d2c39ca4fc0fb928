import type { ApiServerSection } from './apiserver-bench.js';
import type { CertsSection } from './certs-bench.js';
import type { ControlPlaneSection } from './control-plane-bench.js';
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
  /** meshward serve --offline after the churn case's distinct workloads. */
  churnRssMb: 150,
  /** The typical pod's patch (JSON of its operations, as sent); Istio's injector sends 8.1 KB for the same pod. */
  patchBytes: 6 * 1024,
  istioPatchKb: 8.1,
  /** In process: the first pod of a workload never seen. */
  newWorkloadMs: 0.5,
  /** Control plane: policy change → every affected proxy ACKed, at this many proxies. */
  policyPushP99Ms: 1000,
  policyPushProxies: 1000,
  /** Control plane: the xDS server's RSS (peak) at this many proxies. */
  controlPlaneRssMb: 500,
  controlPlaneRssProxies: 2000,
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
  readonly controlPlane?: ControlPlaneSection;
}

function controlPlaneGoals(cp: ControlPlaneSection | undefined): GoalCheck[] {
  const at = (n: number): ControlPlaneSection['rows'][number] | undefined => cp?.rows.find((r) => r.proxies === n);
  const push = at(GOALS.policyPushProxies);
  const policy = (push?.changes ?? []).filter((c) => c.kind === 'namespace' || c.kind === 'mesh');
  const big = at(GOALS.controlPlaneRssProxies);
  return [
    {
      // Every policy change measured counts: a namespace-wide one reaches that namespace's proxies, a mesh-wide one all of them.
      goal: `control plane: policy change → all affected proxies ACKed, p99 ≤ ${GOALS.policyPushP99Ms / 1000} s at ${GOALS.policyPushProxies} proxies`,
      measured: policy.length
        ? policy
            .map((c) => `${c.kind}-wide p99 ${Math.round(c.latency.p99Ms)} ms (${c.proxiesPushed.max} proxies, n=${c.changes})`)
            .join('; ')
        : 'not measured',
      met: policy.length ? policy.every((c) => c.latency.p99Ms <= GOALS.policyPushP99Ms) : undefined,
    },
    {
      goal: `control plane: RSS ≤ ${GOALS.controlPlaneRssMb} MB at ${GOALS.controlPlaneRssProxies} proxies`,
      measured: big
        ? `peak ${big.hwmMb} MB (connect ${big.connect.peakRssMb}, changes ${Math.max(0, ...big.changes.map((c) => c.peakRssMb))}); ${big.connect.rssMb} MB once all connected, ${big.endRssMb} MB at the end`
        : 'not measured',
      met: big ? big.hwmMb <= GOALS.controlPlaneRssMb : undefined,
    },
  ];
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
  const churn = s.http?.churn;
  out.push({
    goal: `/mutate churn: meshward RSS ≤ ${GOALS.churnRssMb} MB after ${churn ? churn.workloads : '5000+'} distinct workloads`,
    measured: churn
      ? `${Math.round(churn.afterRssMb)} MB after (idle ${Math.round(churn.idleRssMb)}, peak ${Math.round(churn.peakRssMb)})`
      : 'not measured',
    met: churn ? churn.afterRssMb <= GOALS.churnRssMb : undefined,
  });
  const patch = s.renders?.patchBytes;
  out.push({
    goal: `typical pod's patch ≤ ${GOALS.patchBytes / 1024} KB (Istio's injector: ${GOALS.istioPatchKb} KB)`,
    measured:
      patch !== undefined ? `${round(patch / 1024, 1)} KB (${patch} bytes, ${s.renders!.patchOperations} operations)` : 'not measured',
    met: patch !== undefined ? patch <= GOALS.patchBytes : undefined,
  });
  out.push({
    goal: `first pod of a never-seen workload ≤ ${GOALS.newWorkloadMs} ms (in process)`,
    measured: s.renders ? `${round(s.renders.newWorkloadUs / 1000, 2)} ms` : 'not measured',
    met: s.renders ? s.renders.newWorkloadUs / 1000 <= GOALS.newWorkloadMs : undefined,
  });
  out.push(...controlPlaneGoals(s.controlPlane));
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
