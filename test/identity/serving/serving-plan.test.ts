import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createRootCa, issueSingleUseServing } from '../../../webhook/pki/index.js';
import { caBundlePatchOps, observeWebhookConfig } from '../../../webhook/identity/serving/webhook-configs.js';
import { parseBundle, type BundleCert } from '../../../webhook/pki/cert-bundle.js';
import {
  planServing,
  renewAt,
  type ObservedWebhookConfig,
  type ServingAction,
  type ServingPolicy,
} from '../../../webhook/identity/serving/serving-plan.js';
import type { Secret } from '../../../webhook/kube/types.js';
import {
  promotedSecret,
  readServingSecret,
  stagedSecret,
  trustedSecret,
  type StagedMaterial,
} from '../../../webhook/identity/serving/serving-secret.js';

const DAY = 86_400_000;
const T0 = new Date('2026-03-01T00:00:00Z');
const ref = { namespace: 'meshward-system', name: 'meshward-webhook-tls' };
const names = { dnsNames: ['meshward.meshward-system.svc', 'meshward.meshward-system.svc.cluster.local'], ipAddresses: [] as string[] };
const policy: ServingPolicy = { ...names, renewFraction: 2 / 3, propagationMs: 10_000, retireGraceMs: 300_000 };

function issue(now: Date, extra: Partial<typeof names> = {}): StagedMaterial {
  return issueSingleUseServing({ ...names, ...extra, validityDays: 90, now });
}
function caOf(m: StagedMaterial): BundleCert {
  return parseBundle(m.caPem)[0]!;
}
function at(base: Date, ms: number): Date {
  return new Date(base.getTime() + ms);
}

/** A Secret as the manager leaves it: current (promoted), optional pending, optional trusted-at. */
function secretWith(o: { current?: StagedMaterial; pending?: StagedMaterial; trustedAt?: Date; retireAfter?: Date }): Secret {
  let s: Secret | undefined;
  if (o.current) s = promotedSecret(stagedSecret(undefined, ref, o.current), ref, o.retireAfter ?? T0);
  if (o.pending) s = stagedSecret(s, ref, o.pending);
  if (o.trustedAt) s = trustedSecret(s!, ref, o.trustedAt);
  if (o.current && !o.retireAfter) {
    const { ['meshward.io/retire-after']: _dropped, ...rest } = s!.metadata.annotations ?? {};
    s = { ...s!, metadata: { ...s!.metadata, annotations: rest } };
  }
  return s!;
}

function configs(...bundles: Array<readonly BundleCert[]>): ObservedWebhookConfig[] {
  return [
    {
      kind: 'MutatingWebhookConfiguration',
      name: 'meshward-injector',
      resourceVersion: '11',
      webhooks: [
        { name: 'inject.meshward.io', caBundle: bundles[0] ?? [] },
        { name: 'inject-pod.meshward.io', caBundle: bundles[1] ?? bundles[0] ?? [] },
      ],
    },
    {
      kind: 'ValidatingWebhookConfiguration',
      name: 'meshward-gate',
      resourceVersion: '12',
      webhooks: [{ name: 'workloads.gate.meshward.io', caBundle: bundles[2] ?? bundles[0] ?? [] }],
    },
  ];
}
function fps(bundle: readonly BundleCert[]): string[] {
  return bundle.map((c) => c.fingerprint);
}
function patches(actions: readonly ServingAction[]): Array<Extract<ServingAction, { type: 'patch-ca-bundle' }>> {
  return actions.filter((a): a is Extract<ServingAction, { type: 'patch-ca-bundle' }> => a.type === 'patch-ca-bundle');
}

describe('identity: serving-certificate planner (pure)', function () {
  this.timeout(20_000);
  const old = issue(at(T0, -70 * DAY));
  const next = issue(T0);
  const foreign = parseBundle(createRootCa({ now: T0, validityDays: 10 }).certPem)[0]!;

  it('first start: no Secret → stage a certificate (nothing is served, nothing trusted yet)', () => {
    const plan = planServing({ secret: readServingSecret(undefined), configs: configs([]), now: T0, forceRotation: false }, policy);
    assert.equal(plan.phase, 'stage');
    assert.deepEqual(plan.actions, [{ type: 'stage', reason: 'no serving certificate yet' }]);
  });

  it('(a) staged: every webhook gets existing ∪ current CA ∪ pending CA (a foreign CA being served stays), then the trust clock starts', () => {
    const secret = readServingSecret(secretWith({ current: old, pending: next }));
    const plan = planServing({ secret, configs: configs([foreign, caOf(old)], [caOf(old)], []), now: T0, forceRotation: false }, policy);
    assert.equal(plan.phase, 'trust');
    const p = patches(plan.actions);
    assert.deepEqual(
      p.map((a) => [a.name, a.webhooks.map((w) => [w.index, w.name])]),
      [
        [
          'meshward-injector',
          [
            [0, 'inject.meshward.io'],
            [1, 'inject-pod.meshward.io'],
          ],
        ],
        ['meshward-gate', [[0, 'workloads.gate.meshward.io']]],
      ],
    );
    assert.deepEqual(fps(p[0]!.webhooks[0]!.caBundle), [foreign.fingerprint, caOf(old).fingerprint, caOf(next).fingerprint]);
    assert.deepEqual(fps(p[0]!.webhooks[1]!.caBundle), [caOf(old).fingerprint, caOf(next).fingerprint]);
    assert.deepEqual(fps(p[1]!.webhooks[0]!.caBundle), [caOf(old).fingerprint, caOf(next).fingerprint], 'an empty bundle gets both CAs');
    assert.deepEqual(plan.actions.at(-1), { type: 'mark-trusted', at: T0 }, 'the Secret write comes last, after every patch');
    assert.ok(!plan.actions.some((a) => a.type === 'promote'), 'never served before the caBundles are patched');
  });

  it('(a) bundles already hold both CAs but the trust time is unrecorded → record it, patch nothing', () => {
    const both = [caOf(old), caOf(next)];
    const plan = planServing(
      { secret: readServingSecret(secretWith({ current: old, pending: next })), configs: configs(both), now: T0, forceRotation: false },
      policy,
    );
    assert.deepEqual(plan.actions, [{ type: 'mark-trusted', at: T0 }]);
  });

  it('propagation: no step until trusted-at + propagation, then (b) promote with retire-after = now + grace', () => {
    const both = [caOf(next), caOf(old)];
    const secret = readServingSecret(secretWith({ current: old, pending: next, trustedAt: T0 }));
    const waiting = planServing({ secret, configs: configs(both), now: at(T0, 9_999), forceRotation: false }, policy);
    assert.equal(waiting.phase, 'propagate');
    assert.deepEqual(waiting.actions, []);
    assert.deepEqual(waiting.nextCheckAt, at(T0, 10_000));
    const due = planServing({ secret, configs: configs(both), now: at(T0, 10_000), forceRotation: false }, policy);
    assert.deepEqual(due.actions, [{ type: 'promote', retireAfter: at(T0, 310_000) }]);
  });

  it('a webhook configuration re-applied without the CAs during propagation is repaired and the wait restarts', () => {
    const both = [caOf(old), caOf(next)];
    const secret = readServingSecret(secretWith({ current: old, pending: next, trustedAt: T0 }));
    const plan = planServing({ secret, configs: configs(both, both, []), now: at(T0, 20_000), forceRotation: false }, policy);
    assert.equal(patches(plan.actions).length, 1);
    assert.equal(patches(plan.actions)[0]!.name, 'meshward-gate');
    assert.deepEqual(plan.actions.at(-1), { type: 'mark-trusted', at: at(T0, 20_000) });
  });

  it('a missing configuration does not block a rotation (nothing to patch, trust clock starts)', () => {
    const plan = planServing(
      { secret: readServingSecret(secretWith({ current: old, pending: next })), configs: [], now: T0, forceRotation: false },
      policy,
    );
    assert.deepEqual(plan.actions, [{ type: 'mark-trusted', at: T0 }]);
  });

  it('after promotion, before retire-after: older CAs stay; a webhook that lost the current CA gets it added, nothing removed', () => {
    const retireAfter = at(T0, 300_000);
    const secret = readServingSecret(secretWith({ current: next, retireAfter }));
    const quiet = planServing({ secret, configs: configs([caOf(old), caOf(next)]), now: at(T0, 1_000), forceRotation: false }, policy);
    assert.equal(quiet.phase, 'retire-wait');
    assert.deepEqual(quiet.actions, []);
    assert.deepEqual(quiet.nextCheckAt, retireAfter);
    const repair = planServing(
      { secret, configs: configs([caOf(old), caOf(next)], [caOf(old)]), now: at(T0, 1_000), forceRotation: false },
      policy,
    );
    const p = patches(repair.actions);
    assert.equal(p.length, 1);
    assert.deepEqual(
      p[0]!.webhooks.map((w) => [w.index, fps(w.caBundle)]),
      [[1, [caOf(old).fingerprint, caOf(next).fingerprint]]],
    );
  });

  it('(c) at retire-after: every caBundle becomes exactly the current CA (old and foreign CAs dropped)', () => {
    const retireAfter = at(T0, 300_000);
    const secret = readServingSecret(secretWith({ current: next, retireAfter }));
    const plan = planServing(
      { secret, configs: configs([foreign, caOf(old), caOf(next)], [caOf(next)]), now: retireAfter, forceRotation: false },
      policy,
    );
    assert.equal(plan.phase, 'steady');
    const p = patches(plan.actions);
    assert.deepEqual(
      p.map((a) => [a.name, a.webhooks.map((w) => w.index)]),
      [
        ['meshward-injector', [0]],
        ['meshward-gate', [0]],
      ],
    );
    for (const a of p) for (const w of a.webhooks) assert.deepEqual(fps(w.caBundle), [caOf(next).fingerprint]);
  });

  it('steady: nothing to do until 2/3 of the lifetime; at 2/3 a renewal is staged', () => {
    const current = readServingSecret(secretWith({ current: next })).current!;
    const due = renewAt(current);
    const lifetime = current.notAfter.getTime() - current.notBefore.getTime();
    assert.equal(due.getTime() - current.notBefore.getTime(), Math.floor((lifetime * 2) / 3));
    const steady = planServing(
      { secret: readServingSecret(secretWith({ current: next })), configs: configs([caOf(next)]), now: at(due, -1), forceRotation: false },
      policy,
    );
    assert.deepEqual(steady.actions, []);
    assert.deepEqual(steady.nextCheckAt, due);
    const renew = planServing(
      { secret: readServingSecret(secretWith({ current: next })), configs: configs([caOf(next)]), now: due, forceRotation: false },
      policy,
    );
    assert.deepEqual(renew.actions, [{ type: 'stage', reason: `renewal was due at ${due.toISOString()}` }]);
  });

  it('rotateNow forces a stage, but never interrupts a rotation already in flight', () => {
    const steady = planServing(
      { secret: readServingSecret(secretWith({ current: next })), configs: configs([caOf(next)]), now: T0, forceRotation: true },
      policy,
    );
    assert.deepEqual(steady.actions, [{ type: 'stage', reason: 'rotation requested' }]);
    const inFlight = planServing(
      {
        secret: readServingSecret(secretWith({ current: old, pending: next, trustedAt: T0 })),
        configs: configs([caOf(old), caOf(next)]),
        now: at(T0, 1),
        forceRotation: true,
      },
      policy,
    );
    assert.equal(inFlight.phase, 'propagate');
  });

  it('a changed name list (a new IP SAN), an expired or a broken certificate each cause a stage', () => {
    const secret = readServingSecret(secretWith({ current: next }));
    const withIp = planServing(
      { secret, configs: configs([caOf(next)]), now: T0, forceRotation: false },
      { ...policy, ipAddresses: ['10.0.0.12'] },
    );
    assert.deepEqual(withIp.actions, [{ type: 'stage', reason: 'the certificate lacks the address 10.0.0.12' }]);
    const fewer = planServing(
      { secret, configs: configs([caOf(next)]), now: T0, forceRotation: false },
      { ...policy, dnsNames: ['meshward.meshward-system.svc'] },
    );
    assert.deepEqual(fewer.actions, [{ type: 'stage', reason: 'the certificate has 2 SAN entries, the configuration wants 1' }]);
    const expired = planServing(
      {
        secret: readServingSecret(secretWith({ current: old })),
        configs: configs([caOf(old)]),
        now: at(T0, 30 * DAY),
        forceRotation: false,
      },
      { ...policy, renewFraction: 2 },
    );
    assert.match((expired.actions[0] as { reason: string }).reason, /^the certificate expired at /);
    const good = secretWith({ current: next });
    const mismatched: Secret = { ...good, data: { ...good.data, 'tls.key': Buffer.from(old.keyPem).toString('base64') } };
    const broken = planServing(
      { secret: readServingSecret(mismatched), configs: configs([caOf(next)]), now: T0, forceRotation: false },
      policy,
    );
    assert.deepEqual(broken.actions, [{ type: 'stage', reason: 'tls.crt: the private key does not match the certificate' }]);
    const foreignCa: Secret = { ...good, data: { ...good.data, 'ca.crt': Buffer.from(old.caPem).toString('base64') } };
    assert.deepEqual(planServing({ secret: readServingSecret(foreignCa), configs: [], now: T0, forceRotation: false }, policy).actions, [
      { type: 'stage', reason: 'tls.crt: the certificate was not issued by its CA' },
    ]);
  });

  it('the JSON Patch pins resourceVersion and each webhook name, and sets the base64 PEM bundle', () => {
    const p = patches(
      planServing(
        { secret: readServingSecret(secretWith({ current: old, pending: next })), configs: configs([]), now: T0, forceRotation: false },
        policy,
      ).actions,
    );
    const ops = caBundlePatchOps(p[0]!);
    assert.deepEqual(ops.slice(0, 2), [
      { op: 'test', path: '/metadata/resourceVersion', value: '11' },
      { op: 'test', path: '/webhooks/0/name', value: 'inject.meshward.io' },
    ]);
    assert.equal(ops[2]!.op, 'add');
    assert.equal(ops[2]!.path, '/webhooks/0/clientConfig/caBundle');
    const pem = Buffer.from(ops[2]!.value as string, 'base64').toString('utf8');
    assert.deepEqual(fps(parseBundle(pem)), [caOf(old).fingerprint, caOf(next).fingerprint]);
    const seen = observeWebhookConfig('MutatingWebhookConfiguration', 'meshward-injector', {
      metadata: { name: 'meshward-injector', resourceVersion: '3' },
      webhooks: [
        { name: 'a', clientConfig: { caBundle: ops[2]!.value as string } },
        { name: 'b', clientConfig: {} },
      ],
    });
    assert.deepEqual(
      seen.webhooks.map((w) => [w.name, w.caBundle.length]),
      [
        ['a', 2],
        ['b', 0],
      ],
    );
  });

  it('the serving certificate is ECDSA P-256 with the Service names, issued by its own single-use CA', () => {
    const m = readServingSecret(secretWith({ current: issue(T0, { ipAddresses: ['127.0.0.1'] }) })).current!;
    assert.equal(m.leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.equal(
      m.leaf.subjectAltName,
      'DNS:meshward.meshward-system.svc, DNS:meshward.meshward-system.svc.cluster.local, IP Address:127.0.0.1',
    );
    const ca = new X509Certificate(m.ca.pem);
    assert.ok(ca.ca && m.leaf.verify(ca.publicKey));
    assert.equal(ca.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.notEqual(caOf(issue(T0)).fingerprint, caOf(issue(T0)).fingerprint, 'every rotation brings a new CA');
  });
});
