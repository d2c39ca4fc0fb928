import type { ControlPlaneSection } from './control-plane-bench.js';
import { GOALS } from './goals.js';
import { ms, yesNo } from './markdown.js';

// RESULTS.md's "Control plane (xDS)" section: how the run was set up, then per proxy count the
// connect phase and the changes, with the control-plane goals beside the rows they judge.

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 2 : 1)} MB`;

/** The section's lines (a line saying so when results.json has none). */
export function controlPlaneLines(cp: ControlPlaneSection | undefined): string[] {
  if (!cp) return ['_Not measured in this results file (`npm run bench -- --only control-plane`)._'];
  const { services, namespaces, replicas } = cp.shape;
  const out = [
    `meshward's ADS server (\`XdsServer\`, webhook/xds/ads-server.ts) in its own process (bench/xds-server-main.ts, the release entrypoint's Node flags), with real \`ServerCertificates\` from a mesh CA, over a synthetic mesh: ${services} Services in ${namespaces} namespaces, ${replicas} meshed endpoints each (injected pods, proxy ready, one ServiceAccount per Service, two HTTP probes recorded). The proxies (bench/xds-proxies.ts, ${cp.clientProcesses} separate process${cp.clientProcesses > 1 ? 'es' : ''}) are endpoint pods of that mesh; each behaves like an Envoy sidecar: its own SVID, mTLS requiring the server's SPIFFE ID, node id \`sidecar~<ns>~<pod>\`, one ADS stream with wildcard CDS, EDS for the EDS clusters' names (read from the Cluster bytes' top-level fields), then LDS, and an ACK for every response. Connect: ${cp.connectConcurrency > 0 ? `at most ${cp.connectConcurrency} proxies per client process between dialling and their initial configuration ACKed (a steady ramp, as pods start)` : 'every proxy dials at once (a replica restart: all its proxies reconnect)'}, done when the last has ACKed its first CDS, EDS and LDS. A change is timed from the command written to the server's stdin to the last ACK of the last proxy it reached (the server's debounce, ${cp.debounceMs} ms quiet / ${cp.maxDebounceMs} ms at most, included); it is over when the proxies have received as many responses as the server counted sent. Bytes are resource bytes (\`meshward_xds_response_bytes_total\`); CPU is the server process's user + system (the client processes' in brackets: where it nears the wall time, the simulated proxies set the pace); RSS from /proc, peak per phase (pages malloc keeps are not returned, so a later phase shows an earlier peak).`,
    '',
    '| proxies | connect: all ACKed | per proxy p50 / p99 | sent | meshward CPU (clients) | RSS idle → connected (peak) | RSS end / VmHWM | goal | met? |',
    '|--:|--:|--:|--:|--:|--:|--:|---|---|',
  ];
  for (const r of cp.rows) {
    const rssGoal = r.proxies === GOALS.controlPlaneRssProxies;
    out.push(
      `| ${r.proxies} | ${r.connect.seconds} s | ${Math.round(r.connect.perProxyP50Ms)} / ${Math.round(r.connect.perProxyP99Ms)} ms | ${mb(r.connect.bytes)} | ${r.connect.cpuSeconds} s${r.connect.clientCpuSeconds === undefined ? '' : ` (${r.connect.clientCpuSeconds} s)`} | ${r.idleRssMb} → ${r.connect.rssMb} MB (${r.connect.peakRssMb}) | ${r.endRssMb} / ${r.hwmMb} MB | ${rssGoal ? `RSS ≤ ${GOALS.controlPlaneRssMb} MB` : ''} | ${rssGoal ? yesNo(r.hwmMb <= GOALS.controlPlaneRssMb) : ''} |`,
    );
  }
  out.push(
    '',
    '| proxies | change | n | proxies pushed | to last ACK p50 ms | p99 ms | max ms | sent per change | meshward CPU per change (clients) | rebuild (snapshot + every push built and written) | peak RSS | goal | met? |',
    '|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|',
  );
  for (const r of cp.rows) {
    for (const c of r.changes) {
      const judged = r.proxies === GOALS.policyPushProxies && c.kind !== 'endpoint';
      const pushed =
        c.proxiesPushed.min === c.proxiesPushed.max ? String(c.proxiesPushed.max) : `${c.proxiesPushed.min}–${c.proxiesPushed.max}`;
      out.push(
        `| ${r.proxies} | ${c.what} | ${c.changes} | ${pushed} | ${ms(c.latency.p50Ms)} | ${ms(c.latency.p99Ms)} | ${ms(c.latency.maxMs)} | ${mb(c.bytesPerChange)} | ${c.cpuSecondsPerChange} s${c.clientCpuSecondsPerChange === undefined ? '' : ` (${c.clientCpuSecondsPerChange} s)`} | ${c.rebuildMsPerChange} ms | ${c.peakRssMb} MB | ${judged ? `p99 ≤ ${GOALS.policyPushP99Ms} ms` : ''} | ${judged ? yesNo(c.latency.p99Ms <= GOALS.policyPushP99Ms) : ''} |`,
      );
    }
  }
  return out;
}
