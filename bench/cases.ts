import fastJsonPatch from 'fast-json-patch';
import type { KubeObject, PatchOperation } from '../webhook/admission/types.js';
import { httpsCall } from './https-post.js';
import { largePod, podCreateReview, typicalPod, violatingPod } from './pods.js';

// mutate-churn is not loaded by autocannon: distinct workloads one after another (churn.ts).
export const CASE_IDS = ['mutate-typical', 'mutate-large', 'validate-compliant', 'validate-violating', 'mutate-churn'] as const;
export type CaseId = (typeof CASE_IDS)[number];

export interface BenchCase {
  readonly id: CaseId;
  readonly title: string;
  readonly path: '/mutate' | '/validate';
  readonly body: Buffer;
  /** meshward's own response to `body`: what the floor server answers with. */
  readonly response: Buffer;
  /** What meshward decided (checked before any load is applied). */
  readonly outcome: 'patched' | 'allowed' | 'denied';
}

export interface ReviewResponse {
  response?: { uid?: string; allowed?: boolean; patch?: string; patchType?: string; status?: { message?: string } };
}

// The examples' namespaces (manifests/examples/namespaces.yaml).
export const SHOP_NS = 'demo-shop';
export const PAYMENTS_NS = 'demo-payments';

/** An AdmissionReview v1 body for a Pod CREATE of `pod` in `namespace`. */
export function reviewBody(uid: string, pod: KubeObject, namespace: string): Buffer {
  return Buffer.from(JSON.stringify(podCreateReview(uid, pod, namespace)));
}

/** POSTs a review to meshward (or any server that answers like it); throws unless HTTP 200. */
export async function ask(url: string, ca: string, path: string, body: Buffer): Promise<{ raw: Buffer; review: ReviewResponse }> {
  const res = await httpsCall(`${url}${path}`, ca, 'POST', body);
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 500)}`);
  return { raw: res.body, review: JSON.parse(res.body.toString('utf8')) as ReviewResponse };
}

/** What a response decided: denied, allowed with a patch, or allowed as is. */
export function outcomeOf(review: ReviewResponse): BenchCase['outcome'] {
  if (!review.response?.allowed) return 'denied';
  return review.response.patch ? 'patched' : 'allowed';
}

function expectOutcome(id: CaseId, review: ReviewResponse, want: BenchCase['outcome']): void {
  const got = outcomeOf(review);
  if (got !== want)
    throw new Error(`bench case ${id}: meshward answered ${got}, expected ${want}: ${JSON.stringify(review).slice(0, 600)}`);
}

/** Applies meshward's JSONPatch to the pod, as the API server does after /mutate. */
export function applyMutation(pod: KubeObject, review: ReviewResponse): KubeObject {
  const ops = JSON.parse(Buffer.from(review.response?.patch ?? '', 'base64').toString('utf8')) as PatchOperation[];
  return fastJsonPatch.applyPatch(structuredClone(pod), ops as fastJsonPatch.Operation[], true, false).newDocument as KubeObject;
}

/**
 * The four cases, each checked against the running meshward once and paired with meshward's
 * response. The compliant STRICT pod is whatever the injector made of a typical pod in
 * demo-payments, exactly as the API server would hand it to /validate.
 */
export async function prepareCases(url: string, ca: string): Promise<BenchCase[]> {
  const cases: BenchCase[] = [];
  const add = async (
    id: CaseId,
    title: string,
    path: BenchCase['path'],
    body: Buffer,
    want: BenchCase['outcome'],
  ): Promise<ReviewResponse> => {
    const { raw, review } = await ask(url, ca, path, body);
    expectOutcome(id, review, want);
    cases.push({ id, title, path, body, response: raw, outcome: want });
    return review;
  };
  await add(
    'mutate-typical',
    `/mutate typical Deployment pod (3 containers, probes) in ${SHOP_NS}`,
    '/mutate',
    reviewBody('bench-mutate-typical', typicalPod(SHOP_NS), SHOP_NS),
    'patched',
  );
  await add(
    'mutate-large',
    `/mutate large pod (1000 env vars) in ${SHOP_NS}`,
    '/mutate',
    reviewBody('bench-mutate-large', largePod(SHOP_NS), SHOP_NS),
    'patched',
  );
  const plain = typicalPod(PAYMENTS_NS);
  const injection = await ask(url, ca, '/mutate', reviewBody('bench-inject-payments', plain, PAYMENTS_NS));
  expectOutcome('validate-compliant', injection.review, 'patched');
  const injected = applyMutation(plain, injection.review);
  await add(
    'validate-compliant',
    `/validate compliant (injected) pod in STRICT ${PAYMENTS_NS}`,
    '/validate',
    reviewBody('bench-validate-compliant', injected, PAYMENTS_NS),
    'allowed',
  );
  await add(
    'validate-violating',
    `/validate violating pod (hostNetwork + opt-out) in STRICT ${PAYMENTS_NS}`,
    '/validate',
    reviewBody('bench-validate-violating', violatingPod(PAYMENTS_NS), PAYMENTS_NS),
    'denied',
  );
  return cases;
}

/** {uid: base64(meshward's response)} for the floor server. */
export function floorResponses(cases: readonly BenchCase[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of cases) {
    const uid = (JSON.parse(c.body.toString('utf8')) as { request: { uid: string } }).request.uid;
    out[uid] = c.response.toString('base64');
  }
  return out;
}
