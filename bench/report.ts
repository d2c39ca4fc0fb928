import { checkGoals, GOALS, ratiosToFloor, type Sections } from './goals.js';
import type { MachineInfo } from './machine.js';
import { ms, yesNo } from './markdown.js';
import { apiServerLines } from './report-apiserver.js';
import { controlPlaneLines } from './report-control-plane.js';
import { round } from './stats.js';

export { pcrLines } from './report-apiserver.js';

export interface Results extends Sections {
  readonly schema: 1;
  readonly generatedAt: string;
  readonly machine: MachineInfo;
  readonly commands: readonly string[];
  /** 1-minute load average when the run started and ended (other work on the same cores shows here). */
  readonly loadAverage?: { readonly start: number; readonly end: number };
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

function httpTable(r: Results): string[] {
  const rows = r.http?.rows ?? [];
  if (!rows.length) return ['_Not measured in this results file._'];
  const out = [
    '| case | server | bytes in / out | req/s | p50 ms | p99 ms | max ms | req/s ÷ floor | p99 ÷ floor | peak RSS MB | errors | goal | met? |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|',
  ];
  for (const row of rows) {
    const ratios = row.target === 'floor' ? undefined : ratiosToFloor(rows, row);
    let goal = '';
    let met: boolean | undefined;
    if (row.target === 'meshward' && row.caseId === 'mutate-typical' && ratios) {
      goal = `≥ ${GOALS.typicalRpsRatio}× req/s, ≤ ${GOALS.typicalP99Ratio}× p99`;
      met = ratios.rps >= GOALS.typicalRpsRatio && ratios.p99 <= GOALS.typicalP99Ratio;
    } else if (row.target === 'meshward' && row.caseId === 'mutate-large') {
      goal = `p99 ≤ ${GOALS.largeP99Ms} ms`;
      met = row.stats.p99Ms <= GOALS.largeP99Ms;
    }
    if (row.target === 'meshward') {
      goal = goal ? `${goal}; RSS ≤ ${GOALS.rssMb} MB` : `RSS ≤ ${GOALS.rssMb} MB`;
      met = (met ?? true) && row.peakRssMb <= GOALS.rssMb;
    }
    const errors = row.stats.errors + row.stats.timeouts + row.stats.non2xx;
    out.push(
      `| ${row.caseId} | ${row.target} | ${kb(row.requestBytes)} / ${kb(row.responseBytes)} | ${row.stats.rps} | ${ms(row.stats.p50Ms)} | ${ms(row.stats.p99Ms)} | ${ms(row.stats.maxMs)} | ${ratios ? `${ratios.rps}×` : '1×'} | ${ratios ? `${ratios.p99}×` : '1×'} | ${row.peakRssMb} | ${errors} | ${goal} | ${goal ? yesNo(met) : ''} |`,
    );
  }
  return out;
}

function certsTable(r: Results): string[] {
  const c = r.certs;
  if (!c) return ['_Not measured in this results file._'];
  return [
    '| what | certificates/s | n | goal | met? |',
    '|---|--:|--:|---|---|',
    `| issueSvid (X.509-SVID, ECDSA P-256 CA) | ${c.issue.perSecond} | ${c.issue.n} | ≥ ${GOALS.certsPerSecond}/s | ${yesNo(c.issue.perSecond >= GOALS.certsPerSecond)} |`,
    `| whole PodCertificateRequest path (decode, verify stub CSR, issue) | ${c.pcr.perSecond} | ${c.pcr.n} | ≥ ${GOALS.certsPerSecond}/s | ${yesNo(c.pcr.perSecond >= GOALS.certsPerSecond)} |`,
  ];
}

function rendersLines(r: Results): string[] {
  const x = r.renders;
  if (!x) return ['_Not measured in this results file._'];
  const lines = [
    `In this process, no HTTP: the injector plus the response bytes for the typical pod (\`JSON.parse\` excluded: every webhook pays it), ${x.n} admissions each. What the per-workload caches are worth, and what a pod of a workload meshward has not seen yet costs (each its own Deployment, labels and ServiceAccount).`,
    '',
    '| admission | µs each | vs another replica | goal | met? |',
    '|---|--:|--:|---|---|',
    `| first pod of a new workload (containers and encodings made) | ${x.newWorkloadUs} | ${round(x.newWorkloadUs / x.replicaUs, 1)}× | ≤ ${GOALS.newWorkloadMs * 1000} µs | ${yesNo(x.newWorkloadUs <= GOALS.newWorkloadMs * 1000)} |`,
    `| another replica of a workload already seen (the HTTP cases' steady state) | ${x.replicaUs} | 1× |  |  |`,
  ];
  if (x.patchBytes !== undefined)
    lines.push(
      '',
      `The typical pod's patch (the JSON of its ${x.patchOperations} operations as sent, base64-decoded): ${x.patchBytes} bytes (${kb(x.patchBytes)}; ${x.patchCompactBytes} without whitespace). Goal ≤ ${GOALS.patchBytes / 1024} KB (Istio's injector sends ${GOALS.istioPatchKb} KB for the same pod): ${yesNo(x.patchBytes <= GOALS.patchBytes)}.`,
    );
  return lines;
}

function churnLines(r: Results): string[] {
  const c = r.http?.churn;
  if (!c) return [];
  return [
    '',
    `**mutate-churn**: ${c.workloads} distinct workloads (each its own Deployment, generateName, labels and ServiceAccount: every pod the first of its workload) through /mutate of a fresh \`meshward serve --offline\`, ${c.connections} keep-alive connections, in ${c.seconds} s: p50 ${ms(c.latency.p50Ms)} ms, p99 ${ms(c.latency.p99Ms)} ms per admission. meshward RSS ${c.idleRssMb} MB idle → **${c.afterRssMb} MB after** (peak ${c.peakRssMb}); goal ≤ ${GOALS.churnRssMb} MB: ${yesNo(c.afterRssMb <= GOALS.churnRssMb)}.`,
  ];
}

function soakTable(r: Results): string[] {
  const s = r.soak;
  if (!s) return ['_No soak in this results file (`npm run bench -- --soak 180`)._'];
  return [
    '| duration | connections | requests | errors | RSS start | RSS end | RSS peak | RSS slope (after warm-up) | heap slope | goal | met? |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|',
    `| ${s.seconds} s | ${s.connections} | ${s.requests} | ${s.errors + s.non2xx} | ${s.startRssMb} MB | ${s.endRssMb} MB | ${s.peakRssMb} MB | ${s.rssSlopeMbPerMin} MB/min | ${s.heapSlopeMbPerMin ?? '—'} MB/min | RSS ≤ ${GOALS.rssMb} MB | ${yesNo(s.peakRssMb <= GOALS.rssMb)} |`,
  ];
}

// What the figures mean; qualitative, so it stays true from run to run (the numbers are above).
const NOTES = [
  "- **What /mutate costs beyond the floor.** The patch (~8 KB base64 for the typical pod) carries meshward-init and meshward-proxy, the capture rules (one set for both families) and the probe rewrites; the proxy's configuration is not in it (a static bootstrap in the namespace's `meshward-proxy` ConfigMap, the rest over xDS). Identical replicas share the two containers (`injected-containers.ts`), the operations after the probe rewrites and the rewrites themselves (`inject-pod.ts`), all frozen with their encoded bytes remembered (`webhook/admission/patch-base64.ts`: parts padded with JSON whitespace to 3 bytes, so base64 of the whole is the concatenation of the parts' base64). Per pod remain reading the review, the probe rewrites (compared as values with the shared ones), cache lookups and assembling the response. The floor does none of it: its rate is the ceiling the same bytes and TLS allow.",
  '- **/validate** of a compliant STRICT pod re-renders what the injector would have made of it and compares (`MW-SIDECAR-004`); a violating pod is refused after cheaper rules.',
  '- **express** (`express.json()` + routing) costs the same handlers a large part of their throughput: the admission paths are served straight from `node:https`.',
  "- **Memory.** meshward runs with `--max-semi-space-size=8` (the release entrypoint's flag, scripts/meshward-process.ts): a young generation of 2 × 8 MB, where each admission's short-lived garbage lands, instead of V8's 2 × 16 MB. `@kubernetes/client-node` is loaded as an esbuild bundle of the parts meshward uses (scripts/bundle-kube-client.mjs), ~26 MB less RSS online than the package. `serve --offline` (the HTTP cases and the soak) never loads it.",
  "- **Through the API server** each injected pod costs one /mutate call: meshward's containers carry a mount at the ServiceAccount token path, so the ServiceAccount plugin does not change the pod after the injector and `reinvocationPolicy: IfNeeded` does not call it again. The load generator, the API server, etcd and meshward share the same two cores, so the concurrent rows mostly measure CPU saturation.",
];

function when(section: { measuredAt: string } | undefined): string {
  return section ? ` (measured ${section.measuredAt})` : '';
}

/** bench/RESULTS.md: goals beside the measured figures, machine, method and commands. */
export function renderMarkdown(r: Results): string {
  const m = r.machine;
  const h = r.http?.settings;
  const lines = [
    '# meshward benchmark results',
    '',
    `Generated ${r.generatedAt} by \`npm run bench\` on ${m.cpus}× ${m.cpuModel}, ${m.memGb} GB, ${m.os}; Node ${m.node} (OpenSSL ${m.openssl}); load generator autocannon ${m.autocannon}, in the same process as the harness, on the same cores as the servers.${r.loadAverage ? ` 1-minute load average ${r.loadAverage.start} at the start, ${r.loadAverage.end} at the end of the run.` : ''}`,
    '',
    '## Goals',
    '',
    '| goal | measured | met? |',
    '|---|---|---|',
    ...checkGoals(r).map((g) => `| ${g.goal} | ${g.measured} | ${yesNo(g.met)} |`),
    '',
    `## Admission over HTTPS${when(r.http)}`,
    '',
    h
      ? `autocannon, ${h.connections} connections, HTTPS keep-alive on 127.0.0.1. Per case: a ${h.warmupSec} s warm-up of each server, then ${h.rounds ?? 1} measured window(s) of ${Math.round((h.durationSec / (h.rounds ?? 1)) * 10) / 10} s, interleaved floor → meshward → express and pooled per server (a burst of other work on the machine hits all three alike); latencies recorded per response (sub-ms resolution). Each server runs in its own process; only one is loaded at a time.`
      : '',
    '',
    "- **floor**: bare `node:https` (same ECDSA P-256 self-signed certificate type, TLS settings and keep-alive timeout) that reads the body, `JSON.parse`s it and answers with meshward's own response to that review, precomputed: same bytes in and out, none of the work.",
    '- **meshward**: `meshward serve --self-signed --offline --state manifests/examples/namespaces.yaml --log-level warn` (`node --max-semi-space-size=8 dist/webhook/cli/main.js`, the release entrypoint), the real injector and gate.',
    '- **express**: the same handlers behind express routing and `express.json()` (bench/express-server.ts): why the admission paths bypass express.',
    '',
    ...httpTable(r),
    '',
    r.http
      ? `meshward process: ${r.http.meshwardMemory.idleRssMb} MB RSS idle after start, VmHWM ${r.http.meshwardMemory.hwmMb} MB at the end of the run.`
      : '',
    ...churnLines(r),
    '',
    `## Injection work per admission${when(r.renders)}`,
    '',
    ...rendersLines(r),
    '',
    `## Through the real API server${when(r.apiServer)}`,
    '',
    ...apiServerLines(r.apiServer),
    '',
    `## Certificates${when(r.certs)}`,
    '',
    ...certsTable(r),
    '',
    `## Control plane (xDS)${when(r.controlPlane)}`,
    '',
    ...controlPlaneLines(r.controlPlane),
    '',
    `## Soak${when(r.soak)}`,
    '',
    "The four cases round robin on every connection against one meshward process; RSS from /proc/<pid>/status, heap from meshward's /metrics.",
    '',
    ...soakTable(r),
    '',
    '## Notes',
    '',
    ...NOTES,
    '',
    '## Reproduce',
    '',
    '```sh',
    ...r.commands,
    '```',
    '',
  ];
  return lines.join('\n');
}
