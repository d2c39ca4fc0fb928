import { Agent, request } from 'node:https';
import { SHOP_NS, outcomeOf, reviewBody, type ReviewResponse } from './cases.js';
import { startMeshwardServe } from './children.js';
import { workloadPod } from './pods.js';
import { readProcMemory, sampleRss } from './rss.js';
import { round, summarize, type LatencySummary } from './stats.js';

// The churn case of the HTTP section: thousands of distinct workloads (each its own Deployment,
// labels and ServiceAccount: see pods.ts workloadPod) through /mutate of a fresh `meshward serve
// --offline`, as a cluster with many workloads, or a CI system creating and deleting them, sends
// them. Every pod is the first of its workload, so no per-workload cache ever hits; what matters is
// that meshward's memory stays bounded however many workloads it has seen.

export interface ChurnResult {
  readonly workloads: number;
  readonly connections: number;
  readonly seconds: number;
  /** Per /mutate over HTTPS keep-alive, ms. */
  readonly latency: LatencySummary;
  readonly idleRssMb: number;
  readonly peakRssMb: number;
  /** VmRSS once the last answer is in. */
  readonly afterRssMb: number;
}

function post(agent: Agent, url: string, body: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/mutate`,
      { method: 'POST', agent, servername: 'localhost', headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `workloads` distinct workloads' first pods, over `connections` keep-alive connections; every answer must be a patch. */
export async function runChurn(workloads: number, connections: number): Promise<ChurnResult> {
  const meshward = await startMeshwardServe({ logLevel: 'warn' });
  const agent = new Agent({ keepAlive: true, maxSockets: connections, ca: meshward.ca });
  try {
    const idleRssMb = readProcMemory(meshward.pid).rssMb;
    // Bodies made up front: the harness's own work stays out of the measured window.
    const bodies = Array.from({ length: workloads }, (_, i) => reviewBody(`bench-churn-${i}`, workloadPod(SHOP_NS, i), SHOP_NS));
    const latencies = new Float64Array(workloads);
    const sampler = sampleRss(meshward.pid, 100);
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < workloads) {
        const i = next++;
        const t = performance.now();
        const res = await post(agent, meshward.url, bodies[i]!);
        latencies[i] = performance.now() - t;
        if (res.status !== 200) throw new Error(`churn: /mutate answered HTTP ${res.status} for workload ${i}`);
        const outcome = outcomeOf(JSON.parse(res.body.toString('utf8')) as ReviewResponse);
        if (outcome !== 'patched') throw new Error(`churn: workload ${i} was ${outcome}, not injected`);
      }
    };
    await Promise.all(Array.from({ length: connections }, worker));
    const seconds = (performance.now() - started) / 1000;
    sampler.stop();
    return {
      workloads,
      connections,
      seconds: round(seconds, 2),
      latency: summarize(latencies),
      idleRssMb: round(idleRssMb, 1),
      peakRssMb: round(sampler.peak(), 1),
      afterRssMb: round(readProcMemory(meshward.pid).rssMb, 1),
    };
  } finally {
    agent.destroy();
    await meshward.stop();
  }
}
