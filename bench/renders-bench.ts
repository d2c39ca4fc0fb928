import { join } from 'node:path';
import { encodeAdmissionReview, parseAdmissionReview } from '../webhook/admission/envelope.js';
import { buildHandlers } from '../webhook/cli/wire-handlers.js';
import { buildConfig } from '../webhook/config/load.js';
import { createLogger } from '../webhook/server/logger.js';
import { repoRoot } from '../scripts/control-plane/ensure-binaries.js';
import { SHOP_NS } from './cases.js';
import { podCreateReview, typicalPod, workloadPod } from './pods.js';
import { round } from './stats.js';

// What the per-workload caches are worth, in this process, without HTTP: the injector's work plus
// the response bytes (JSON.parse excluded: every webhook pays it) for a typical pod of a workload
// never seen before (its own Deployment, labels and ServiceAccount: nothing cached applies) against
// another replica of a workload already seen (the HTTP cases' steady state). Also the size of the
// typical pod's patch, what the API server receives and applies for every injected pod.

export interface RendersSection {
  readonly measuredAt: string;
  readonly n: number;
  /** µs per admission, each pod from a new workload (its own ServiceAccount and controller). */
  readonly newWorkloadUs: number;
  /** µs per admission, replicas of one workload. */
  readonly replicaUs: number;
  /** The typical pod's patch: the JSON of its operations as sent (base64-decoded), and the same JSON without whitespace. */
  readonly patchBytes?: number;
  readonly patchCompactBytes?: number;
  readonly patchOperations?: number;
}

function workloadReview(i: number): unknown {
  return podCreateReview(`bench-render-${i}`, workloadPod(SHOP_NS, i), SHOP_NS);
}

/** The patch of an encoded AdmissionReview response: its bytes as sent (base64 decoded), compact, and how many operations. */
export function patchSize(response: Buffer): { bytes: number; compactBytes: number; operations: number } {
  const patch = (JSON.parse(response.toString('utf8')) as { response?: { patch?: string } }).response?.patch;
  if (!patch) throw new Error('renders bench: the typical pod got no patch');
  const json = Buffer.from(patch, 'base64');
  const ops = JSON.parse(json.toString('utf8')) as unknown[];
  return { bytes: json.length, compactBytes: Buffer.byteLength(JSON.stringify(ops)), operations: ops.length };
}

export async function runRendersBench(n: number): Promise<RendersSection> {
  const config = buildConfig({
    flags: { 'self-signed': true, offline: true, state: join(repoRoot(), 'manifests/examples/namespaces.yaml'), 'log-level': 'warn' },
  });
  const handlers = buildHandlers(config, createLogger('warn'));
  // Parsed up front: the measured loops run the handler and encode the answer, nothing else.
  const fresh = Array.from({ length: n * 2 }, (_, i) => parseAdmissionReview(workloadReview(i)));
  const replicas = Array.from({ length: n }, () => parseAdmissionReview(workloadReview(0)));
  const admit = async (request: (typeof fresh)[number]): Promise<Buffer> => {
    const decision = await handlers.mutate(request);
    if (decision.reason !== 'injected') throw new Error(`renders bench: expected an injection, got ${decision.reason}`);
    return encodeAdmissionReview(request.uid, decision);
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
  // The HTTP cases' typical pod, as meshward answers it.
  const typical = patchSize(await admit(parseAdmissionReview(podCreateReview('bench-patch-size', typicalPod(SHOP_NS), SHOP_NS))));
  await handlers.close();
  return {
    measuredAt: new Date().toISOString(),
    n,
    newWorkloadUs,
    replicaUs,
    patchBytes: typical.bytes,
    patchCompactBytes: typical.compactBytes,
    patchOperations: typical.operations,
  };
}
