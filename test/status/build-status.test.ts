import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { buildConfig } from '../../webhook/config/load.js';
import { injectionConfigHash } from '../../webhook/config/hash.js';
import { createRootCa } from '../../webhook/pki/index.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { buildStatus, NamespaceNotFoundError, type StatusInput } from '../../webhook/status/build-status.js';
import type { SecretReader } from '../../webhook/status/certificate.js';
import { SECRETS } from '../../webhook/kube/resources.js';
import type { Secret } from '../../webhook/kube/types.js';
import { fakeKubeApi } from '../kube/fake-api.js';
import type { NamespaceStatus, PodStatus, StatusReport } from '../../webhook/status/model.js';
import { formatStatusTable } from '../../webhook/status/format-table.js';
import {
  CONFIG_HASH,
  config,
  injected,
  mixedCluster,
  namespace,
  NOW,
  OLD_TRUST_ROOT,
  pod,
  policy,
  templates,
  TRUST_ROOT,
  withStatus,
} from './fixtures.js';

// buildStatus over a StaticClusterState holding a mixed cluster whose injected pods come from
// the real injector.

function input(objects: readonly KubeObject[], extra: Partial<StatusInput> = {}): StatusInput {
  return {
    config,
    cluster: new StaticClusterState([...objects]),
    currentTemplateHash: templates.hash,
    currentConfigHash: CONFIG_HASH,
    currentTrustRoot: TRUST_ROOT,
    now: NOW,
    ...extra,
  };
}

function ns(report: StatusReport, name: string): NamespaceStatus {
  const found = report.namespaces.find((n) => n.name === name);
  assert.ok(found, `namespace ${name} in the report`);
  return found;
}

function podOf(namespaceStatus: NamespaceStatus, name: string): PodStatus {
  const found = namespaceStatus.workloads.flatMap((w) => w.pods).find((p) => p.name === name);
  assert.ok(found, `pod ${name} in ${namespaceStatus.name}`);
  return found;
}

describe('buildStatus (mixed cluster)', () => {
  let report: StatusReport;
  before(async () => {
    report = await buildStatus(input(await mixedCluster()));
  });

  it('summarises the cluster: system namespaces and finished pods left out, STRICT violations named', () => {
    assert.deepEqual(
      report.namespaces.map((n) => n.name),
      ['payments', 'plain', 'shop'],
    );
    assert.deepEqual(
      {
        pods: report.summary.pods,
        meshed: report.summary.meshed,
        restart: report.summary.restart,
        stale: report.summary.stale,
        strictViolated: report.summary.strictViolated,
      },
      { pods: 8, meshed: 5, restart: 1, stale: 0, strictViolated: ['payments'] },
    );
    assert.equal(report.current.trustRoot, TRUST_ROOT);
    assert.equal(report.generatedAt, NOW.toISOString());
  });

  it('shows an opted-in namespace: its Deployment grouped from the ReplicaSet, a pod that predates the opt-in', () => {
    const shop = ns(report, 'shop');
    assert.deepEqual(
      [shop.requirement, shop.injection, shop.pods],
      ['none', 'enabled', { meshed: 2, total: 3, restart: 0, stale: 0, rejected: 0, disconnected: 0 }],
    );
    assert.deepEqual(
      shop.workloads.map((w) => `${w.kind}/${w.name} ${w.meshed}/${w.total}`),
      ['Pod/legacy 0/1', 'Deployment/web 2/2'],
    );
    const web = shop.workloads.find((w) => w.name === 'web')!;
    // No requirement: the mesh default (PERMISSIVE) decides, and the proxies enforce it.
    assert.deepEqual(web.ports, [{ port: 8080, resolved: 'PERMISSIVE', proxy: 'PERMISSIVE', authorization: { kind: 'allow-mesh' } }]);
    const legacy = podOf(shop, 'legacy');
    assert.equal(legacy.injected, false);
    assert.equal(legacy.notInjectedReason, 'created-before-opt-in');
    assert.deepEqual(
      legacy.ports.map((p) => [p.port, p.resolved, p.proxy]),
      [[8080, 'PERMISSIVE', undefined]],
    );
    assert.equal(shop.violations.length, 0);
    assert.equal(shop.strictViolated, false);
  });

  it('shows a namespace that did not opt in, with the injector reason code', () => {
    const plain = ns(report, 'plain');
    assert.deepEqual([plain.requirement, plain.injection, plain.pods.meshed, plain.pods.total], ['none', 'not-enabled', 0, 1]);
    assert.deepEqual(
      plain.workloads.map((w) => `${w.kind}/${w.name}`),
      ['Job/nightly'],
    );
    const worker = podOf(plain, 'worker');
    assert.equal(worker.notInjectedReason, 'namespace-not-enabled');
    assert.match(worker.notInjectedMessage!, /meshward\.io\/inject=enabled/);
    assert.equal(worker.certificate.source, 'none');
  });

  it('reports a current injected pod as current: modes, trust root and the kubelet-rotated certificate', () => {
    const db = podOf(ns(report, 'payments'), 'db-0');
    assert.deepEqual([db.injected, db.restart, db.drift], [true, false, []]);
    assert.deepEqual(db.trustRoot, { recorded: TRUST_ROOT, state: 'current' });
    // The namespace's STRICT label is the floor under the PERMISSIVE mesh default.
    assert.deepEqual(db.ports, [
      {
        port: 5432,
        resolved: 'STRICT',
        source: 'namespace-label',
        overrides: { mode: 'PERMISSIVE' },
        proxy: 'STRICT',
        authorization: { kind: 'allow-mesh' },
      },
    ]);
    assert.equal(db.certificate.source, 'pod-certificate');
    assert.equal(db.certificate.signerName, 'meshward.io/workload-identity');
    assert.equal(db.certificate.expiry, 'rotated-by-kubelet');
    assert.match(db.certificate.note, /rotated by the kubelet \(lifetime ≤ 1d\)/);
  });

  it('marks a pod injected from older templates under an older trust root as one to restart, naming both', () => {
    const payments = ns(report, 'payments');
    const api = podOf(payments, 'api-6c9d-xyz');
    assert.equal(api.restart, true);
    assert.deepEqual(
      api.drift.map((d) => d.kind),
      ['template', 'trust-root'],
    );
    assert.deepEqual([api.drift[0]!.injected, api.drift[0]!.current], ['0123456789abcdef', templates.hash]);
    assert.deepEqual(api.trustRoot, { recorded: OLD_TRUST_ROOT, state: 'stale' });
    assert.match(api.drift[1]!.message, /restart the pod/);
    assert.deepEqual(payments.workloads.find((w) => w.name === 'api')!.kind, 'Deployment');
  });

  it('reports the gate violations of a STRICT namespace with rule IDs, on the pod and the namespace', () => {
    const payments = ns(report, 'payments');
    assert.equal(payments.requirement, 'STRICT');
    assert.equal(payments.strictViolated, true);
    const batch = podOf(payments, 'batch');
    assert.equal(batch.notInjectedReason, 'pod-opted-out');
    assert.deepEqual(
      batch.violations.map((v) => v.rule),
      ['MW-INJECT-001', 'MW-SIDECAR-001', 'MW-SIDECAR-002', 'MW-SIDECAR-003'],
    );
    assert.ok(batch.violations.every((v) => v.kind === 'Pod' && v.namespace === 'payments' && v.name === 'batch'));
    assert.deepEqual(payments.violations.map((v) => `${v.rule} ${v.name}`).sort(), [
      'MW-INJECT-001 batch',
      'MW-SIDECAR-001 batch',
      'MW-SIDECAR-002 batch',
      'MW-SIDECAR-003 batch',
    ]);
  });

  it("reports the proxy's mode as the resolver's now (the xDS server sends it live): no policy drift, nothing to restart for", () => {
    const payments = ns(report, 'payments');
    const cache = podOf(payments, 'cache-0');
    assert.deepEqual(cache.ports, [
      {
        port: 6379,
        resolved: 'STRICT',
        source: 'namespace-label',
        overrides: { mode: 'PERMISSIVE' },
        proxy: 'STRICT',
        authorization: { kind: 'allow-mesh' },
      },
    ]);
    assert.deepEqual([cache.restart, cache.drift, cache.violations], [false, [], []]);
    assert.deepEqual(payments.workloads.find((w) => w.name === 'cache')!.ports, [
      { port: 6379, resolved: 'STRICT', proxy: 'STRICT', authorization: { kind: 'allow-mesh' } },
    ]);
  });
});

describe('buildStatus (selection, policies, config)', () => {
  it('builds one namespace with -n (system ones too), and refuses an unknown one', async () => {
    const objects = await mixedCluster();
    const only = await buildStatus(input(objects, { namespace: 'kube-system' }));
    assert.deepEqual(
      only.namespaces.map((n) => n.name),
      ['kube-system'],
    );
    assert.equal(podOf(only.namespaces[0]!, 'coredns').notInjectedReason, 'system-namespace');
    await assert.rejects(buildStatus(input(objects, { namespace: 'nope' })), NamespaceNotFoundError);
    const all = await buildStatus(input(objects, { includeSystem: true }));
    assert.ok(all.namespaces.some((n) => n.name === 'kube-system'));
  });

  it('reports stored policies that break a STRICT namespace, and ambiguity on the newer policy', async () => {
    const objects = [
      namespace('vault', { 'meshward.io/mtls': 'STRICT', 'meshward.io/inject': 'enabled' }),
      policy('vault', 'relaxed', { mode: 'PERMISSIVE' }),
      policy('vault', 'a', { selector: { matchLabels: { app: 'x' } }, mode: 'STRICT' }, '2026-01-01T00:00:00Z'),
      policy('vault', 'b', { selector: { matchLabels: { tier: 'y' } }, mode: 'DISABLE' }, '2026-02-01T00:00:00Z'),
    ];
    const report = await buildStatus(input(objects));
    const vault = ns(report, 'vault');
    // The label is a floor: the level is STRICT and shows the policy it overrides.
    assert.deepEqual(vault.level, {
      mode: 'STRICT',
      source: 'namespace-label',
      overrides: { mode: 'PERMISSIVE', source: 'namespace', policy: 'vault/relaxed' },
    });
    const rules = vault.violations.map((v) => `${v.rule} ${v.kind}/${v.name}`);
    assert.ok(rules.includes('MW-POLICY-001 MeshTLSPolicy/relaxed'), rules.join('; '));
    assert.ok(rules.includes('MW-AMBIG-002 MeshTLSPolicy/b'), rules.join('; '));
    assert.ok(!rules.includes('MW-AMBIG-002 MeshTLSPolicy/a'), 'the older policy of the pair is not blamed');
    assert.deepEqual(
      vault.policies.map((p) => p.name),
      ['a', 'b', 'relaxed'],
    );
    assert.equal(vault.strictViolated, true);
  });

  it('the STRICT label is a floor: a PERMISSIVE mesh default shows as overridden, not as a weaker namespace', async () => {
    const permissive = buildConfig({ file: { mesh: { defaultMode: 'PERMISSIVE' } } });
    const objects = [namespace('vault', { 'meshward.io/mtls': 'STRICT', 'meshward.io/inject': 'enabled' }), pod('vault', 'web')];
    const report = await buildStatus(input(objects, { config: permissive, currentConfigHash: injectionConfigHash(permissive) }));
    assert.deepEqual(ns(report, 'vault').level, {
      mode: 'STRICT',
      source: 'namespace-label',
      overrides: { mode: 'PERMISSIVE', source: 'mesh-default' },
    });
    assert.deepEqual(
      podOf(ns(report, 'vault'), 'web').ports.map((p) => [p.port, p.resolved, p.source, p.overrides?.mode]),
      [[8080, 'STRICT', 'namespace-label', 'PERMISSIVE']],
    );
    assert.ok(!ns(report, 'vault').violations.some((v) => v.rule === 'MW-ADVISE-003'), 'nothing left to advise: the proxies are STRICT');
    assert.match(
      formatStatusTable(report),
      /level STRICT \(the namespace label meshward\.io\/mtls=STRICT, overriding PERMISSIVE from the mesh\s+default/,
    );
  });

  it('says "unknown" without the current trust root, "unrecorded" when the pod recorded none', async () => {
    const objects = [namespace('shop', { 'meshward.io/inject': 'enabled' }), await injected(pod('shop', 'web'))];
    const unknown = await buildStatus(input(objects, { currentTrustRoot: undefined }));
    assert.deepEqual(podOf(ns(unknown, 'shop'), 'web').trustRoot, { recorded: '', state: 'unknown' });
    const unrecorded = await buildStatus(input(objects));
    assert.deepEqual(podOf(ns(unrecorded, 'shop'), 'web').trustRoot, { recorded: '', state: 'unrecorded' });
    assert.equal(podOf(ns(unrecorded, 'shop'), 'web').restart, false);
  });

  it('marks config drift and an injected pod without its status annotation', async () => {
    const good = await injected(pod('shop', 'web'));
    const noStatus = structuredClone(good);
    noStatus.metadata!.name = 'bare';
    delete noStatus.metadata!.annotations!['meshward.io/status'];
    const objects = [
      namespace('shop', { 'meshward.io/inject': 'enabled' }),
      withStatus(good, { configHash: 'feedfacefeedface' }),
      noStatus,
    ];
    const shop = ns(await buildStatus(input(objects)), 'shop');
    assert.deepEqual(
      podOf(shop, 'web').drift.map((d) => [d.kind, d.injected, d.current]),
      [['config', 'feedfacefeedface', CONFIG_HASH]],
    );
    assert.deepEqual(
      podOf(shop, 'bare').drift.map((d) => d.kind),
      ['status-missing'],
    );
  });
});

describe('buildStatus (fallback Secret certificates)', () => {
  const secretConfig = buildConfig({ file: { credentials: { source: 'secret' } } });
  const day = 86_400_000;

  function secretWith(notBefore: Date, days: number): Secret {
    const { certPem, keyPem } = createRootCa({ now: notBefore, validityDays: days, commonName: 'leaf' });
    return {
      kind: 'Secret',
      metadata: { name: 'meshward-identity-api', namespace: 'shop' },
      data: { 'credential-bundle.pem': Buffer.from(keyPem + certPem).toString('base64') },
    };
  }

  async function certificateOf(secrets: SecretReader | undefined): Promise<PodStatus['certificate']> {
    const apiPod = await injected(pod('shop', 'api', { serviceAccountName: 'api' }), secretConfig);
    const report = await buildStatus(
      input([namespace('shop', { 'meshward.io/inject': 'enabled' }), apiPod], {
        config: secretConfig,
        currentConfigHash: injectionConfigHash(secretConfig),
        ...(secrets ? { secrets } : {}),
      }),
    );
    return podOf(ns(report, 'shop'), 'api').certificate;
  }

  /** The one fake API holding the Secret (or failing every Secret read with `secret`). */
  const reader = (secret: Secret | undefined | Error): SecretReader => {
    const api = fakeKubeApi();
    if (secret instanceof Error) api.failNext('get', SECRETS, secret, 10);
    else if (secret) api.put(SECRETS, secret);
    return {
      get: async (r, namespace, name) => {
        assert.deepEqual([r.plural, namespace, name], ['secrets', 'shop', 'meshward-identity-api']);
        return api.get(r, namespace, name);
      },
    };
  };

  it('reads the expiry of the leaf certificate in the Secret the pod mounts', async () => {
    const cert = await certificateOf(reader(secretWith(new Date(NOW.getTime() - day), 3)));
    assert.equal(cert.source, 'secret');
    assert.equal(cert.secretName, 'meshward-identity-api');
    assert.equal(cert.expiry, 'valid');
    assert.match(cert.note, /^expires in 2d/);
    assert.ok(cert.notAfter && Date.parse(cert.notAfter) > NOW.getTime());
  });

  it('says expired, and unknown when the Secret is missing, unreadable or not given', async () => {
    assert.equal((await certificateOf(reader(secretWith(new Date(NOW.getTime() - 3 * day), 1)))).expiry, 'expired');
    assert.match((await certificateOf(reader(undefined))).note, /does not exist/);
    assert.match((await certificateOf(reader(new Error('forbidden')))).note, /unreadable: forbidden/);
    assert.equal((await certificateOf(undefined)).expiry, 'unknown');
  });
});
