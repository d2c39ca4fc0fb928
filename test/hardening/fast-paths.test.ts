import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildAdmissionReview, encodeAdmissionReview, EnvelopeError, parseAdmissionReview } from '../../webhook/admission/envelope.js';
import { encodePatch } from '../../webhook/admission/patch-base64.js';
import type { AdmissionDecision, PatchOperation } from '../../webhook/admission/types.js';
import { sharedOperation } from '../../webhook/inject/shared-operations.js';
import { deepFreeze } from '../../webhook/json/deep-freeze.js';
import { review, SHOP_NS, typicalPod } from './real-server.js';

// The hot path's shortcuts (bench/RESULTS.md) must not change what the API server reads: the
// patch decodes to JSON.stringify's text with at most two spaces between tokens per encoded part,
// and the serialised review is JSON.stringify's. (Cached injections equal cold ones: test/inject/properties.test.ts.)

const longText = fc.string({ minLength: 1024, maxLength: 3000, unit: 'binary' });
// Deep-frozen values, whose encoding the encoder remembers, alone and as arrays of them (the injected containers).
const frozenObject = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })).map((value) => deepFreeze(value));
const frozenValue = fc.oneof(frozenObject, fc.array(frozenObject, { minLength: 1, maxLength: 3 }));
const op: fc.Arbitrary<PatchOperation> = fc.oneof(
  fc.record({
    op: fc.constantFrom<PatchOperation['op']>('add', 'replace', 'test'),
    path: fc.string(),
    value: fc.oneof(longText, fc.jsonValue({ maxDepth: 3 }), frozenValue),
  }),
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
  it('encodePatch(patch) is base64 of JSON.stringify(patch) give or take spaces between tokens, also for frozen values, again', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 8 }), (patch) => {
        for (let round = 0; round < 2; round++) {
          const parts = encodePatch(patch);
          const base64 = Buffer.concat(parts).toString('latin1');
          assert.match(base64, /^[A-Za-z0-9+/]*={0,2}$/, 'one base64 string: padding only at the end');
          const decoded = Buffer.from(base64, 'base64').toString('utf8');
          const exact = JSON.stringify(patch);
          assert.equal(JSON.stringify(JSON.parse(decoded)), exact);
          assert.ok(decoded.length <= exact.length + 2 * parts.length, 'at most two spaces per part');
          assert.equal(decoded.replace(/ +/g, ''), exact.replace(/ +/g, ''), 'only spaces added');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('remembers the encoding of a deep-frozen value from its first sight, and never of one frozen only on the surface', () => {
    const decoded = (parts: Buffer[]): unknown =>
      JSON.parse(Buffer.from(Buffer.concat(parts).toString('latin1'), 'base64').toString('utf8'));
    const frozen = deepFreeze({ name: 'meshward-proxy', args: ['--a', '--b'] });
    const first = encodePatch([{ op: 'add', path: '/x', value: frozen }]);
    const second = encodePatch([{ op: 'add', path: '/y', value: frozen }]);
    assert.ok(
      first.some((part) => second.includes(part)),
      'the same bytes, remembered when first met',
    );
    assert.deepEqual(decoded(second), [{ op: 'add', path: '/y', value: frozen }]);
    const inner = { a: 1 };
    const surface = Object.freeze({ inner });
    assert.deepEqual(decoded(encodePatch([{ op: 'add', path: '/x', value: surface }])), [
      { op: 'add', path: '/x', value: { inner: { a: 1 } } },
    ]);
    inner.a = 2;
    assert.deepEqual(decoded(encodePatch([{ op: 'add', path: '/x', value: surface }])), [
      { op: 'add', path: '/x', value: { inner: { a: 2 } } },
    ]);
  });

  it('encodeAdmissionReview(uid, decision) is the bytes of JSON.stringify(buildAdmissionReview(uid, decision)), whatever the uid', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('"patch":"', 'a","patch":"', '"patch":""', '\\', '"')),
        decision,
        (uid, d) => {
          assert.deepEqual(encodeAdmissionReview(uid, d), Buffer.from(JSON.stringify(buildAdmissionReview(uid, d))));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('sharedOperation hands out an operation equal to the one asked for, whatever came before', () => {
    const value = fc.oneof(
      fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('/spec/containers/0/livenessProbe', '/spec/containers/1/readinessProbe'), value), {
          maxLength: 12,
        }),
        (asks) => {
          for (const [path, v] of asks) {
            const expected = { op: 'replace', path, value: structuredClone(v) };
            const got = sharedOperation('ns/sa/app', 'replace', path, v);
            assert.equal(JSON.stringify(got), JSON.stringify(expected));
            assert.ok(Object.isFrozen(got) && Object.isFrozen(got.value));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses labels or annotations that are not strings (never from an API server) with a 400 naming the field', () => {
    const pod = typicalPod(SHOP_NS) as { metadata: Record<string, unknown> };
    pod.metadata.annotations = { 'meshward.io/exclude-inbound-ports': [8080] };
    assert.throws(
      () => parseAdmissionReview(review('u', pod, SHOP_NS)),
      (err: unknown) =>
        err instanceof EnvelopeError &&
        err.status === 400 &&
        /request\.object\.metadata\.annotations\["meshward\.io\/exclude-inbound-ports"\] must be a string, got an array/.test(err.detail),
    );
    pod.metadata.annotations = {};
    pod.metadata.labels = 'app=web';
    assert.throws(() => parseAdmissionReview(review('u', pod, SHOP_NS)), /metadata\.labels must be a map of strings to strings/);
    pod.metadata.labels = { app: 'web' };
    assert.equal(parseAdmissionReview(review('u', pod, SHOP_NS)).uid, 'u');
  });
});
