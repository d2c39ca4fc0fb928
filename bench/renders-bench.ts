import { join } from 'node:path';
import { encodeAdmissionReview, parseAdmissionReview } from '../webhook/admission/envelope.js';
import { buildHandlers } from '../webhook/cli/wire-handlers.js';
import { buildConfig } from '../webhook/config/load.js';
import { createLogger } from '../webhook/server/logger.js';
import { repoRoot } from '../scripts/control-plane/ensure-binaries.js';
import { SHOP_NS } from './cases.js';
import { podCreateReview, typicalPod } from './pods.js';
import { round } from './stats.js';

// What the per-workload caches are worth, in this process, without HTTP: the injector's work plus
// the response bytes (JSON.parse excluded: every webhook pays it) for a typical pod of a workload
// never seen before (bootstrap rendered, compressed and hashed, containers and encodings made)
// against another replica of a workload already seen (the HTTP cases' steady state).

export interface RendersSection {
  readonly measuredAt: string;
  readonly n: number;
  /** µs per admission, each pod from a new workload (its own ServiceAccount and controller). */
  readonly newWorkloadUs: number;
  /** µs per admission, replicas of one workload. */
  readonly replicaUs: number;
}

function workloadReview(i: number): unknown {
  const pod = typicalPod(SHOP_NS) as {
    metadata: { generateName?: string; ownerReferences: Array<Record<string, unknown>> };
    spec: Record<string, unknown>;
  };
  pod.spec.serviceAccountName = `bench-sa-${i}`;
  pod.metadata.generateName = `bench-${i}-`;
  pod.metadata.ownerReferences = pod.metadata.ownerReferences.map((o) => ({ ...o, uid: `bench-owner-${i}` }));
  return podCreateReview(`bench-render-${i}`, pod, SHOP_NS);
}

export async function runRendersBench(n: number): Promise<RendersSection> {
  const config = buildConfig({
    flags: { 'self-signed': true, offline: true, state: join(repoRoot(), 'manifests/examples/namespaces.yaml'), 'log-level': 'warn' },
  });
  const handlers = buildHandlers(config, createLogger('warn'));
  // Parsed up front: the measured loops run the handler and encode the answer, nothing else.
  const fresh = Array.from({ length: n * 2 }, (_, i) => parseAdmissionReview(workloadReview(i)));
  const replicas = Array.from({ length: n }, () => parseAdmissionReview(workloadReview(0)));
  const admit = async (request: (typeof fresh)[number]): Promise<void> => {
    const decision = await handlers.mutate(request);
    if (decision.reason !== 'injected') throw new Error(`renders bench: expected an injection, got ${decision.reason}`);
    encodeAdmissionReview(request.uid, decision);
  };
  const timeUs = async (requests: readonly (typeof fresh)[number][]): Promise<number> => {
    const start = performance.now();
    for (const r of requests) await admit(r);
    return round(((performance.now() - start) * 1000) / requests.length, 1);
  };
  await timeUs(fresh.slice(0, n)); // warm the code, not the caches: the second half is still new
  const newWorkloadUs = await timeUs(fresh.slice(n));
  await timeUs(replicas.slice(0, Math.ceil(n / 10)));
  const replicaUs = await timeUs(replicas);
  await handlers.close();
  return { measuredAt: new Date().toISOString(), n, newWorkloadUs, replicaUs };
}
