import type { ApiClient } from './api-client.js';
import { typicalPod } from './pods.js';
import { round, summarize, type LatencySummary } from './stats.js';

// The creates of the API-server section and the rows made of them (bench/apiserver-bench.ts runs the phases).

/** plain: no webhook matches (control); shop: /mutate; strict: /mutate then /validate. */
export type NsRole = 'plain' | 'shop' | 'strict';
/** without: no meshward webhook configuration; floor: pointed at the floor webhook; with: at meshward. */
export type Phase = 'without' | 'floor' | 'with';
export const PHASES: readonly Phase[] = ['without', 'floor', 'with'];

export interface CreateRow {
  readonly role: NsRole;
  readonly mode: 'sequential' | 'concurrent';
  readonly without: LatencySummary;
  /** The same configurations pointed at the floor webhook (absent in results from before the floor phase). */
  readonly floor?: LatencySummary;
  readonly with: LatencySummary;
  /** with − without, ms (the goal's figure). */
  readonly overheadP50Ms: number;
  readonly overheadP99Ms: number;
  /** floor − without, ms: the API server's own cost of calling a webhook that answers meshward's bytes. */
  readonly anyWebhookP50Ms?: number;
  readonly anyWebhookP99Ms?: number;
  /** with − floor, ms: meshward's own work (differences of percentiles, not percentiles of differences). */
  readonly meshwardWorkP50Ms?: number;
  readonly meshwardWorkP99Ms?: number;
  /** Pods that came back injected in the `with` phase, of those created. */
  readonly injected: number;
  /** Pods that came back injected in the `floor` phase (its patch is meshward's). */
  readonly floorInjected?: number;
}

export const NAMESPACES: Record<NsRole, { name: string; labels: Record<string, string> }> = {
  plain: { name: 'bench-plain', labels: {} },
  shop: { name: 'bench-shop', labels: { 'meshward.io/inject': 'enabled' } },
  strict: { name: 'bench-strict', labels: { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' } },
};
export const ROLES: readonly NsRole[] = ['plain', 'shop', 'strict'];

interface RoleSamples {
  /** Measured creates (warm-ups not included). */
  readonly ms: number[];
  injected: number;
  /** Every create, warm-ups included: what the webhooks were called for. */
  created: number;
  /** The first measured pod as the API server returned it, but for what differs per create. */
  shape?: string;
}
export type Samples = Record<NsRole, RoleSamples>;

export function emptySamples(): Samples {
  return {
    plain: { ms: [], injected: 0, created: 0 },
    shop: { ms: [], injected: 0, created: 0 },
    strict: { ms: [], injected: 0, created: 0 },
  };
}

/** The pod without the fields the API server sets per create (name from generateName, uid, times). */
function shapeOf(pod: { metadata?: Record<string, unknown> }): string {
  const { name: _n, uid: _u, creationTimestamp: _c, managedFields: _m, resourceVersion: _r, ...metadata } = pod.metadata ?? {};
  return JSON.stringify({ ...pod, metadata });
}

/** One dry-run create of the typical pod; any answer but 201 throws (a refused floor answer too). */
export async function createOnce(client: ApiClient, role: NsRole, into?: Samples, warmUp = false): Promise<void> {
  const ns = NAMESPACES[role].name;
  const res = await client.post(`/api/v1/namespaces/${ns}/pods?dryRun=All`, typicalPod(ns));
  if (res.status !== 201) throw new Error(`dry-run create in ${ns}: HTTP ${res.status}: ${JSON.stringify(res.json).slice(0, 400)}`);
  if (!into) return;
  into[role].created++;
  if (warmUp) return;
  into[role].ms.push(res.ms);
  if (res.json?.metadata?.labels?.['meshward.io/injected'] === 'true') into[role].injected++;
  into[role].shape ??= shapeOf(res.json);
}

/** Sequential creates after 10 warm-ups each, the namespaces interleaved so drift hits all of them alike. */
export async function sequential(client: ApiClient, count: number, into: Samples): Promise<void> {
  for (let i = 0; i < 10; i++) for (const role of ROLES) await createOnce(client, role, into, true);
  for (let i = 0; i < count; i++) for (const role of ROLES) await createOnce(client, role, into);
}

export async function concurrent(client: ApiClient, count: number, concurrency: number, into: Samples): Promise<void> {
  const jobs: NsRole[] = [];
  for (let i = 0; i < count; i++) jobs.push(...ROLES);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) await createOnce(client, jobs[next++]!, into);
    }),
  );
}

/** Each phase's samples, per mode. */
export type PhaseSamples = Record<Phase, Record<CreateRow['mode'], Samples>>;

/** One row per namespace: the three phases' latencies, the overhead (the goal's) and its split. */
export function rowsOf(mode: CreateRow['mode'], samples: PhaseSamples): CreateRow[] {
  return ROLES.map((role) => {
    const [a, f, b] = PHASES.map((p) => summarize(samples[p][mode][role].ms)) as [LatencySummary, LatencySummary, LatencySummary];
    const minus = (x: number, y: number): number => round(x - y, 3);
    return {
      role,
      mode,
      without: a,
      floor: f,
      with: b,
      overheadP50Ms: minus(b.p50Ms, a.p50Ms),
      overheadP99Ms: minus(b.p99Ms, a.p99Ms),
      anyWebhookP50Ms: minus(f.p50Ms, a.p50Ms),
      anyWebhookP99Ms: minus(f.p99Ms, a.p99Ms),
      meshwardWorkP50Ms: minus(b.p50Ms, f.p50Ms),
      meshwardWorkP99Ms: minus(b.p99Ms, f.p99Ms),
      injected: samples.with[mode][role].injected,
      floorInjected: samples.floor[mode][role].injected,
    };
  });
}

/**
 * Whether the floor phase's pods came back exactly as the `with` phase's (then the API server did
 * the same work after either webhook); says where they first differ when not.
 */
export function samePods(floor: Samples, withHooks: Samples, say: (line: string) => void): boolean {
  let same = true;
  for (const role of ROLES) {
    const [a, b] = [floor[role].shape ?? '', withHooks[role].shape ?? ''];
    if (a === b) continue;
    same = false;
    let at = 0;
    while (at < a.length && a[at] === b[at]) at++;
    say(
      `  WARNING: ${role}: the floor phase's pod differs from meshward's at ${at}: floor …${a.slice(Math.max(0, at - 80), at + 80)}… meshward …${b.slice(Math.max(0, at - 80), at + 80)}…`,
    );
  }
  return same;
}
