import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildAdmissionReview, EnvelopeError, parseAdmissionReview, patchJson, serializeAdmissionReview } from '../../webhook/admission/envelope.js';
import { frozenJson } from '../../webhook/admission/json-text.js';
import type { AdmissionDecision, PatchOperation } from '../../webhook/admission/types.js';
import { buildConfig } from '../../webhook/config/load.js';
import { renderProxyFiles } from '../../webhook/inject/proxy-files.js';
import type { WorkloadModes } from '../../webhook/policy/resolve-modes.js';
import { review, SHOP_NS, typicalPod } from './real-server.js';

// The hot path's shortcuts (bench/RESULTS.md) must not change a byte: the serialised review and
// patch equal JSON.stringify's, and a cached proxy-files render equals a fresh one.

const longText = fc.string({ minLength: 1024, maxLength: 3000, unit: 'binary' });
// Frozen values with remembered JSON text, alone and as arrays of them (the injected containers).
const frozenObject = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })).map((value) => frozenJson(value));
const frozenValue = fc.oneof(frozenObject, fc.array(frozenObject, { minLength: 1, maxLength: 3 }));
const op: fc.Arbitrary<PatchOperation> = fc.oneof(
  fc.record({ op: fc.constantFrom<PatchOperation['op']>('add', 'replace', 'test'), path: fc.string(), value: fc.oneof(longText, fc.jsonValue({ maxDepth: 3 }), frozenValue) }),
  fc.record({ op: fc.constant<PatchOperation['op']>('remove'), path: fc.string() }),
  // Members in another order, or an undefined value: the generic path.
  fc.record({ path: fc.string(), op: fc.constant<PatchOperation['op']>('add'), value: longText }),
  fc.record({ op: fc.constant<PatchOperation['op']>('add'), path: fc.string(), value: fc.constant(undefined) }),
);
const decision: fc.Arbitrary<AdmissionDecision> = fc.record(
  {
    allowed: fc.boolean(),
    reason: fc.string(),
    message: fc.string(),
    code: fc.integer({ min: 400, max: 599 }),
    patch: fc.array(op, { maxLength: 6 }),
    warnings: fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }),
    auditAnnotations: fc.dictionary(fc.oneof(fc.string(), fc.constant('patch')), fc.string()),
  },
  { requiredKeys: ['allowed', 'reason'] },
);

describe('hardening: hot-path shortcuts are byte-exact', () => {
  it('patchJson(patch) is JSON.stringify(patch), also for long strings and frozen values, again', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 8 }), (patch) => {
        assert.equal(patchJson(patch), JSON.stringify(patch));
        assert.equal(patchJson(patch), JSON.stringify(patch)); // remembered text
      }),
      { numRuns: 300 },
    );
  });

  it('serializeAdmissionReview(review) is the bytes of JSON.stringify(review), whatever the uid', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('"patch":"', 'a","patch":"', '\\', '"')), decision, (uid, d) => {
        const r = buildAdmissionReview(uid, d);
        assert.deepEqual(serializeAdmissionReview(r), Buffer.from(JSON.stringify(r)));
      }),
      { numRuns: 500 },
    );
  });

  it('a cached proxy-files render equals a fresh one, and callers cannot change the cache', () => {
    const modes = { workloadMode: 'STRICT', workload: { mode: 'STRICT', source: 'mesh default' }, ports: [{ port: 8080, mode: 'STRICT' }] } as unknown as WorkloadModes;
    const probes = [{ path: '/app-health/web/readyz', kind: 'http' as const, port: 8080, originalPath: '/ready' }];
    const input = { config: buildConfig({ flags: { 'self-signed': true } }), namespace: 'ns', serviceAccount: 'sa', modes, probes };
    const first = renderProxyFiles(input);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.env) && first.env.every((e) => Object.isFrozen(e)), 'the shared render is frozen');
    const again = renderProxyFiles({ ...input, probes: probes.map((p) => ({ ...p })) });
    const fresh = renderProxyFiles({ ...input, config: buildConfig({ flags: { 'self-signed': true } }) });
    assert.deepEqual(again, fresh);
    const other = renderProxyFiles({ ...input, serviceAccount: 'other' });
    assert.notEqual(other.hash, again.hash);
  });

  it('refuses labels or annotations that are not strings (never from an API server) with a 400 naming the field', () => {
    const pod = typicalPod(SHOP_NS) as { metadata: Record<string, unknown> };
    pod.metadata.annotations = { 'meshward.io/exclude-inbound-ports': [8080] };
    assert.throws(
      () => parseAdmissionReview(review('u', pod, SHOP_NS)),
      (err: unknown) => err instanceof EnvelopeError && err.status === 400 && /request\.object\.metadata\.annotations\["meshward\.io\/exclude-inbound-ports"\] must be a string, got an array/.test(err.detail),
    );
    pod.metadata.annotations = {};
    pod.metadata.labels = 'app=web';
    assert.throws(() => parseAdmissionReview(review('u', pod, SHOP_NS)), /metadata\.labels must be a map of strings to strings/);
    pod.metadata.labels = { app: 'web' };
    assert.equal(parseAdmissionReview(review('u', pod, SHOP_NS)).uid, 'u');
  });
});
