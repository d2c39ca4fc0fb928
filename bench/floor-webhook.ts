import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMutation, ask, outcomeOf, reviewBody, type ReviewResponse } from './cases.js';
import { startBenchServer, writeServingBundle, type ServerChild } from './children.js';
import { typicalPod } from './pods.js';

// The floor webhook of the API-server section: floor-server.ts in its template mode, answering
// the API server's calls with meshward's own responses for the pods the bench creates. The API
// server then pays everything a webhook costs it (TLS client, AdmissionReview encode and decode,
// applying meshward's patch, admitting the bigger pod) while the webhook does none of the work.

/** The uid of the reviews whose answers become templates; the floor splices each call's in. */
const TEMPLATE_UID = 'meshward-bench-floor-template-0000';

interface TemplateSpec {
  readonly path: '/mutate' | '/validate';
  readonly namespace: string;
  readonly body: (uid: string) => Buffer;
  readonly want: 'patched' | 'allowed';
}

/** meshward's answer to a review, retried while its informers have not yet seen the namespace's labels. */
async function answerOf(meshward: { url: string; caPem: string }, spec: TemplateSpec, uid: string): Promise<Buffer> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { raw, review } = await ask(meshward.url, meshward.caPem, spec.path, spec.body(uid));
    if (outcomeOf(review) === spec.want) return raw;
    if (Date.now() > deadline)
      throw new Error(
        `meshward ${spec.path} in ${spec.namespace}: ${outcomeOf(review)}, expected ${spec.want}: ${raw.toString('utf8').slice(0, 400)}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Asks the running (online) meshward for its /mutate answer to the typical pod in each injected
 * namespace and its /validate answer to that pod injected in the STRICT one, starts the floor
 * with them as templates, and checks that for a fresh uid it answers byte for byte what meshward
 * answers.
 */
export async function startFloorWebhook(
  meshward: { url: string; caPem: string },
  namespaces: { shop: string; strict: string },
): Promise<ServerChild> {
  const { shop, strict } = namespaces;
  const mutate = (ns: string): TemplateSpec => ({
    path: '/mutate',
    namespace: ns,
    body: (uid) => reviewBody(uid, typicalPod(ns), ns),
    want: 'patched',
  });
  const specs = [mutate(shop), mutate(strict)];
  // The STRICT pod as the API server hands it to /validate: the typical pod after meshward's patch.
  const strictAnswer = JSON.parse((await answerOf(meshward, specs[1]!, TEMPLATE_UID)).toString('utf8')) as ReviewResponse;
  const injected = applyMutation(typicalPod(strict), strictAnswer);
  specs.push({ path: '/validate', namespace: strict, body: (uid) => reviewBody(uid, injected, strict), want: 'allowed' });

  const templates: Record<string, string> = {};
  for (const spec of specs) templates[`${spec.path} ${spec.namespace}`] = (await answerOf(meshward, spec, TEMPLATE_UID)).toString('base64');
  const file = join(mkdtempSync(join(tmpdir(), 'meshward-bench-floor-webhook-')), 'templates.json');
  writeFileSync(file, JSON.stringify(templates));
  const floor = await startBenchServer('floor-server', { ...writeServingBundle(), args: [file, TEMPLATE_UID] });
  try {
    for (const [i, spec] of specs.entries()) {
      const uid = `3f1c2a9e-bench-floor-check-${i}`;
      const [want, got] = [await answerOf(meshward, spec, uid), (await ask(floor.url, floor.ca, spec.path, spec.body(uid))).raw];
      if (!got.equals(want))
        throw new Error(
          `floor webhook: ${spec.path} in ${spec.namespace} differs from meshward's answer (${got.length} vs ${want.length} bytes)`,
        );
    }
  } catch (err) {
    await floor.stop();
    throw err;
  }
  return floor;
}
