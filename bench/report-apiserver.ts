import type { ApiServerSection } from './apiserver-bench.js';
import { GOALS } from './goals.js';
import { ms, yesNo } from './markdown.js';
import type { PcrMeasurement } from './pcr-hook.js';

// RESULTS.md's "Through the real API server" section. It renders results.json files from before
// the floor phase too (no floor figures, two phases in a row): their floor cells read —.

/** The PodCertificateRequest time-to-Issued table (bench/pcr-hook.ts), or a line saying it is not measured yet. */
export function pcrLines(m: PcrMeasurement | undefined): string[] {
  if (!m) return ['PodCertificateRequest time-to-Issued: not measured yet (hook: `measurePcrTimeToIssued` in bench/pcr-hook.ts).'];
  return [
    '| PodCertificateRequest time-to-Issued | n | p50 ms | p99 ms | max ms | how |',
    '|---|--:|--:|--:|--:|---|',
    `| create → status Issued | ${m.n} | ${ms(m.p50Ms)} | ${ms(m.p99Ms)} | ${m.maxMs === undefined ? '—' : ms(m.maxMs)} | ${m.method ?? ''} |`,
  ];
}

function apiTable(a: ApiServerSection): string[] {
  const called: Record<string, string> = { plain: 'none (control)', shop: '/mutate', strict: '/mutate + /validate' };
  const opt = (v: number | undefined): string => (v === undefined ? '—' : ms(v));
  const out = [
    "| namespace | webhooks called | creates per phase | p50 without | p99 without | p50 floor | p99 floor | p50 with | p99 with | overhead p50 | overhead p99 | any webhook (floor − without) p50 / p99 | meshward's work (with − floor) p50 / p99 | goal | met? |",
    '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|',
  ];
  for (const row of a.rows) {
    const goal = row.role === 'plain' ? '' : `overhead p99 ≤ ${GOALS.apiServerP99OverheadMs} ms`;
    const injected =
      row.role === 'plain'
        ? ''
        : row.floorInjected === undefined
          ? ` (${row.injected} injected)`
          : ` (injected: ${row.floorInjected} floor, ${row.injected} with)`;
    out.push(
      `| bench-${row.role} | ${called[row.role]} | ${row.with.n} ${row.mode}${injected} | ${ms(row.without.p50Ms)} | ${ms(row.without.p99Ms)} | ${opt(row.floor?.p50Ms)} | ${opt(row.floor?.p99Ms)} | ${ms(row.with.p50Ms)} | ${ms(row.with.p99Ms)} | ${ms(row.overheadP50Ms)} | ${ms(row.overheadP99Ms)} | ${opt(row.anyWebhookP50Ms)} / ${opt(row.anyWebhookP99Ms)} | ${opt(row.meshwardWorkP50Ms)} / ${opt(row.meshwardWorkP99Ms)} | ${goal} | ${goal ? yesNo(row.overheadP99Ms <= GOALS.apiServerP99OverheadMs) : ''} |`,
    );
  }
  out.push('', ...pcrLines(a.pcrTimeToIssued));
  return out;
}

/** How the API-server section was measured: three interleaved phases, or (older results) two in a row. */
function apiMethod(a: ApiServerSection): string {
  const common =
    'Pod CREATE with `dryRun=All` (all admission runs, nothing is stored) through kube-apiserver v1.37 (scripts/control-plane), admin client over keep-alive, namespaces interleaved; the typical Deployment pod of the HTTP cases.';
  if (!a.phaseOrder) {
    return `${common} First with no meshward webhook configuration, then with manifests/base/webhooks.yaml registered against a real \`meshward serve\` watching that API server. Overhead = with − without, same namespace.`;
  }
  return [
    `${common} Three phases: **without** meshward's webhook configurations; manifests/base/webhooks.yaml pointed at the **floor** webhook; the same pointed at a real \`meshward serve\` watching that API server (**with**).`,
    `Each phase runs in two windows, in the order ${a.phaseOrder.join(' → ')}, so a drift linear in time costs each phase alike; a switch returns once a create reaches only the chosen server.`,
    "The floor webhook (bench/floor-webhook.ts, bench/floor-server.ts) reads the body, `JSON.parse`s it and answers with meshward's own response for that path and namespace, asked of the same meshward before the phases and checked byte for byte, with the call's uid spliced in: the API server pays everything a webhook costs it (TLS client, AdmissionReview encode and decode, applying meshward's patch, admitting the bigger pod) and the webhook none of meshward's work.",
    "Overhead = with − without, same namespace (the goal); split into **any webhook** = floor − without (the API server's side) and **meshward's work** = with − floor. Differences of percentiles: the two parts add up to the overhead, but neither is the percentile of a per-pod cost.",
  ].join(' ');
}

/** meshward's (and the floor's) side of the API-server phases. */
function apiCallsLine(a: ApiServerSection): string {
  const m = a.meshwardCalls;
  const floor = a.floorCalls
    ? ` Floor webhook during the \`floor\` phase: ${a.floorCalls.mutatePerPod} /mutate calls per injected pod, ${a.floorCalls.validatePerStrictPod} /validate per STRICT pod; pods returned the same as with meshward (but for name, uid, timestamps): ${a.floorPodsMatch ? 'yes' : '**no**'}.`
    : '';
  return `meshward's side (its own histogram, during the \`with\` phase): ${m.mutatePerPod} /mutate calls per injected pod (by outcome: ${Object.entries(
    m.mutateReasonsPerPod,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(
      ', ',
    )}), mean ${m.mutateMeanMs} ms each; ${m.validatePerStrictPod} /validate call per STRICT pod, mean ${m.validateMeanMs} ms. Online meshward (informer caches) peak RSS: ${a.meshwardPeakRssMb} MB.${floor}`;
}

/** The section's method, table (and the PCR table) and meshward's side, from results.json. */
export function apiServerLines(a: ApiServerSection | undefined): string[] {
  if (!a) return ['_Not measured in this results file._'];
  return [apiMethod(a), '', ...apiTable(a), '', apiCallsLine(a)];
}
