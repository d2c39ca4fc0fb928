import assert from 'node:assert/strict';
import { buildAdmissionReview, clampWarning, EnvelopeError, parseAdmissionReview } from '../../webhook/admission/envelope.js';

const valid = {
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid: 'u-1', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', userInfo: {}, object: {} },
};

function expectEnvelopeError(body: unknown, status: number, detail: RegExp): void {
  assert.throws(
    () => parseAdmissionReview(body),
    (err: unknown) => err instanceof EnvelopeError && err.status === status && detail.test(err.detail),
  );
}

describe('admission envelope', () => {
  it('accepts an admission.k8s.io/v1 AdmissionReview with a uid', () => {
    assert.equal(parseAdmissionReview(valid).uid, 'u-1');
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['a non-object body', [1, 2], /JSON object/],
    ['null', null, /JSON object/],
    ['v1beta1 reviews', { ...valid, apiVersion: 'admission.k8s.io/v1beta1' }, /admission\.k8s\.io\/v1\/AdmissionReview.*v1beta1/],
    ['another kind', { ...valid, kind: 'ConversionReview' }, /ConversionReview/],
    ['a missing request', { ...valid, request: undefined }, /request must be an object/],
    ['a missing uid', { ...valid, request: { ...valid.request, uid: undefined } }, /request\.uid/],
    ['an empty uid', { ...valid, request: { ...valid.request, uid: '' } }, /request\.uid/],
    ['a numeric uid', { ...valid, request: { ...valid.request, uid: 7 } }, /request\.uid/],
    ['an unknown operation', { ...valid, request: { ...valid.request, operation: 'PATCH' } }, /request\.operation/],
    ['a missing kind', { ...valid, request: { ...valid.request, kind: 'Pod' } }, /request\.kind/],
    ['an array object', { ...valid, request: { ...valid.request, object: [] } }, /request\.object/],
    ['a non-string namespace', { ...valid, request: { ...valid.request, namespace: 3 } }, /request\.namespace/],
  ];
  for (const [name, body, detail] of bad) {
    it(`refuses ${name} with a 400 naming the field`, () => expectEnvelopeError(body, 400, detail));
  }

  it('echoes the uid and apiVersion/kind, and omits patch fields when there is nothing to patch', () => {
    const review = buildAdmissionReview('abc', { allowed: true, reason: 'ok', patch: [] });
    assert.deepEqual(review, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'abc', allowed: true } });
  });

  it('base64-encodes a non-empty patch with patchType JSONPatch', () => {
    const patch = [{ op: 'add' as const, path: '/metadata/labels/a~1b', value: 'x' }];
    const { response } = buildAdmissionReview('abc', { allowed: true, reason: 'injected', patch });
    assert.equal(response?.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(response!.patch!, 'base64').toString()), patch);
  });

  it('never sends a patch with a denial, and gives it a status code and message', () => {
    const { response } = buildAdmissionReview('abc', {
      allowed: false,
      reason: 'X',
      message: '[X] spec.hostNetwork: not allowed. Fix: remove it',
      patch: [{ op: 'add', path: '/a', value: 1 }],
    });
    assert.equal(response?.patch, undefined);
    assert.equal(response?.patchType, undefined);
    assert.deepEqual(response?.status, { code: 403, message: '[X] spec.hostNetwork: not allowed. Fix: remove it', reason: 'X' });
  });

  it('keeps warnings to 120 characters, on one line', () => {
    const long = `${'w'.repeat(200)}\nsecond line`;
    const { response } = buildAdmissionReview('abc', { allowed: true, reason: 'ok', warnings: ['short', long] });
    assert.equal(response?.warnings?.[0], 'short');
    assert.equal(response?.warnings?.[1]?.length, 120);
    assert.ok(!response?.warnings?.[1]?.includes('\n'));
    assert.equal(clampWarning('a\nb'), 'a b');
  });
});
