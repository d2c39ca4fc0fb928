import { join } from 'node:path';
import { startControlPlane } from '../scripts/control-plane/control-plane.js';
import { repoRoot } from '../scripts/control-plane/ensure-binaries.js';
import { applyCrds } from '../scripts/control-plane/register-webhooks.js';
import { startMeshwardProcess } from '../scripts/meshward-process.js';
import { readManifestPaths } from '../webhook/kube/manifests.js';
import { apiClient } from './api-client.js';
import type { ServerChild } from './children.js';
import { startFloorWebhook } from './floor-webhook.js';
import { addGrowth, NO_ADMISSIONS, readAdmissionTotals } from './meshward-metrics.js';
import { measurePcrTimeToIssued, type PcrMeasurement } from './pcr-hook.js';
import { sampleRss } from './rss.js';
import { round } from './stats.js';
import { answeredCalls, webhookSwitch } from './webhook-switch.js';
import {
  concurrent,
  createOnce,
  emptySamples,
  NAMESPACES,
  PHASES,
  ROLES,
  rowsOf,
  samePods,
  sequential,
  type CreateRow,
  type Phase,
  type PhaseSamples,
} from './apiserver-rows.js';

export type { CreateRow, NsRole, Phase } from './apiserver-rows.js';

export interface ApiServerOptions {
  /** Sequential dry-run creates per namespace and phase. */
  readonly sequential: number;
  /** Concurrent creates per namespace and phase, and how many at once. */
  readonly concurrent: number;
  readonly concurrency: number;
  readonly quick: boolean;
}

export interface ApiServerSection {
  readonly measuredAt: string;
  readonly settings: ApiServerOptions;
  readonly rows: CreateRow[];
  /** The measured windows in the order they ran (absent in results from before the floor phase). */
  readonly phaseOrder?: readonly Phase[];
  /** The online meshward (informers on the real API server): peak VmRSS during the `with` phase, MB. */
  readonly meshwardPeakRssMb: number;
  /** During the `with` phase: meshward's calls per pod created in an opted-in namespace, and its own mean time per call. */
  readonly meshwardCalls: {
    readonly mutatePerPod: number;
    readonly validatePerStrictPod: number;
    readonly mutateMeanMs: number;
    readonly validateMeanMs: number;
    readonly mutateReasonsPerPod: Record<string, number>;
  };
  /** During the `floor` phase: the floor webhook's calls per pod (the same as meshward's, or the phases are not comparable). */
  readonly floorCalls?: { readonly mutatePerPod: number; readonly validatePerStrictPod: number };
  /** The pods the API server returned in the floor phase equal those of the `with` phase (but for name, uid, timestamps). */
  readonly floorPodsMatch?: boolean;
  readonly pcrTimeToIssued?: PcrMeasurement;
}

/**
 * Each phase runs in two windows, in the order ABC then CBA: a drift linear in time (other work
 * on the machine, the API server's caches) then costs every phase alike, and the two `with`
 * windows are adjacent, so one switch of the configurations fewer.
 */
const SCHEDULE: readonly Phase[] = ['without', 'floor', 'with', 'with', 'floor', 'without'];

/**
 * Pod CREATE (dryRun=All: full admission, nothing stored) through a real kube-apiserver in three
 * phases: without meshward's webhook configurations; with them pointed at the floor webhook
 * (meshward's answers, precomputed: what any webhook costs the API server); with them pointed at
 * a real `meshward serve` watching that API server.
 */
export async function runApiServerBench(options: ApiServerOptions, say: (line: string) => void): Promise<ApiServerSection> {
  const root = repoRoot();
  const manifests = readManifestPaths([join(root, 'manifests/base/webhooks.yaml')]).map((s) => s.object);
  say('  starting the control plane (kube-apiserver, etcd, kube-controller-manager)...');
  const cp = await startControlPlane();
  let meshward: Awaited<ReturnType<typeof startMeshwardProcess>> | undefined;
  let floor: ServerChild | undefined;
  const client = apiClient(cp, options.concurrency);
  try {
    // meshward's informers list MeshTLSPolicies: the CRD must exist before it can become ready.
    await applyCrds(
      cp,
      readManifestPaths([join(root, 'manifests/crds')])
        .map((s) => s.object)
        .filter((o) => o.kind === 'CustomResourceDefinition'),
    );
    meshward = await startMeshwardProcess({ kubeconfig: cp.kubeconfigPath, extraArgs: ['--log-level', 'warn'] });
    for (const role of ROLES) {
      const ns = NAMESPACES[role].name;
      await cp.ensureNamespace(ns, NAMESPACES[role].labels);
      const sa = await cp.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'checkout' },
      });
      if (sa.status !== 201 && sa.status !== 409) throw new Error(`create ServiceAccount ${ns}/checkout: HTTP ${sa.status} ${sa.body}`);
    }
    floor = await startFloorWebhook(meshward, { shop: NAMESPACES.shop.name, strict: NAMESPACES.strict.name });
    const targets = { floor: { url: floor.url, ca: floor.ca }, with: { url: meshward.url, ca: meshward.caPem } };
    const webhooks = webhookSwitch(cp, manifests, targets, () => createOnce(client, 'strict'));

    const samples = Object.fromEntries(PHASES.map((p) => [p, { sequential: emptySamples(), concurrent: emptySamples() }])) as PhaseSamples;
    let meshwardUse = NO_ADMISSIONS;
    const floorUse = { mutate: 0, validate: 0 };
    let rssPeak = 0;
    for (const [i, phase] of SCHEDULE.entries()) {
      if (phase !== SCHEDULE[i - 1]) await webhooks.pointAt(phase === 'without' ? undefined : phase);
      say(`  window ${i + 1}/${SCHEDULE.length}: ${phase}`);
      const m0 = phase === 'with' ? await readAdmissionTotals(meshward.url, meshward.caPem) : undefined;
      const f0 = phase === 'floor' ? await answeredCalls(targets.floor) : undefined;
      const rss = phase === 'with' ? sampleRss(meshward.child.pid!, 500) : undefined;
      await sequential(client, Math.ceil(options.sequential / 2), samples[phase].sequential);
      await concurrent(client, Math.ceil(options.concurrent / 2), options.concurrency, samples[phase].concurrent);
      rss?.stop();
      rssPeak = Math.max(rssPeak, rss?.peak() ?? 0);
      if (m0) meshwardUse = addGrowth(meshwardUse, m0, await readAdmissionTotals(meshward.url, meshward.caPem));
      if (f0) {
        const f1 = await answeredCalls(targets.floor);
        floorUse.mutate += f1[0] - f0[0];
        floorUse.validate += f1[1] - f0[1];
      }
    }

    // Per pod created in an opted-in namespace during a phase's windows, warm-up creates included.
    const created = (p: Phase, roles: readonly ('shop' | 'strict')[]): number =>
      roles.reduce((n, r) => n + samples[p].sequential[r].created + samples[p].concurrent[r].created, 0);
    const perPod = (calls: number, p: Phase, roles: readonly ('shop' | 'strict')[]): number =>
      round(calls / Math.max(1, created(p, roles)), 2);
    const meanMs = (w: 'mutate' | 'validate'): number => round((meshwardUse.seconds[w] / Math.max(1, meshwardUse.count[w])) * 1000, 3);
    const mutateReasonsPerPod = Object.fromEntries(
      Object.entries(meshwardUse.mutateReasons).map(([reason, n]) => [reason, perPod(n, 'with', ['shop', 'strict'])]),
    );
    const meshwardCalls = {
      mutateReasonsPerPod,
      mutatePerPod: perPod(meshwardUse.count.mutate, 'with', ['shop', 'strict']),
      validatePerStrictPod: perPod(meshwardUse.count.validate, 'with', ['strict']),
      mutateMeanMs: meanMs('mutate'),
      validateMeanMs: meanMs('validate'),
    };
    const floorCalls = {
      mutatePerPod: perPod(floorUse.mutate, 'floor', ['shop', 'strict']),
      validatePerStrictPod: perPod(floorUse.validate, 'floor', ['strict']),
    };
    say(
      `  meshward: ${meshwardCalls.mutatePerPod} /mutate calls per pod (${JSON.stringify(mutateReasonsPerPod)}, mean ${meshwardCalls.mutateMeanMs} ms), ${meshwardCalls.validatePerStrictPod} /validate per STRICT pod (mean ${meshwardCalls.validateMeanMs} ms)`,
    );
    say(`  floor webhook: ${floorCalls.mutatePerPod} /mutate calls per pod, ${floorCalls.validatePerStrictPod} /validate per STRICT pod`);
    const floorPodsMatch = samePods(samples.floor.sequential, samples.with.sequential, say);

    // The PodCertificateRequest signer is meshward's controller, not a webhook: the schedule ends without them.
    const pcrTimeToIssued = await measurePcrTimeToIssued({ controlPlane: cp, kubeconfig: cp.kubeconfigPath, quick: options.quick });
    const rows = [...rowsOf('sequential', samples), ...rowsOf('concurrent', samples)];
    for (const r of rows) {
      say(
        `  ${r.mode.padEnd(10)} ${r.role.padEnd(6)} p50/p99 without ${r.without.p50Ms}/${r.without.p99Ms} | floor ${r.floor!.p50Ms}/${r.floor!.p99Ms} | with ${r.with.p50Ms}/${r.with.p99Ms} | overhead p99 ${r.overheadP99Ms} = any webhook ${r.anyWebhookP99Ms} + meshward ${r.meshwardWorkP99Ms} ms | injected floor ${r.floorInjected}/${r.floor!.n}, with ${r.injected}/${r.with.n}`,
      );
    }
    return {
      measuredAt: new Date().toISOString(),
      settings: options,
      rows,
      phaseOrder: SCHEDULE,
      meshwardPeakRssMb: Math.round(rssPeak),
      meshwardCalls,
      floorCalls,
      floorPodsMatch,
      ...(pcrTimeToIssued ? { pcrTimeToIssued } : {}),
    };
  } finally {
    client.close();
    await floor?.stop();
    await meshward?.stop();
    await cp.stop();
  }
}
