import assert from 'node:assert/strict';
import { CLUSTER_TRUST_BUNDLES } from '../../../webhook/kube/resources.js';
import type { ClusterTrustBundle } from '../../../webhook/kube/types.js';
import { desiredTrustBundles, isEmptyPlan, planTrustBundles } from '../../../webhook/identity/trust-bundles/trust-bundle-plan.js';
import { syncTrustBundles } from '../../../webhook/identity/trust-bundles/trust-bundle-sync.js';
import { fingerprint } from '../../../webhook/pki/index.js';
import { fakeKubeApi } from '../../kube/fake-api.js';
import { rootFiles, SIGNER } from '../helpers.js';

describe('identity: ClusterTrustBundles for the signer', () => {
  const a = rootFiles().certPem;
  const b = rootFiles().certPem;

  it('one signer-linked bundle per root, named <signer with / → :>:root-<16 hex of its fingerprint>', () => {
    const [one, two] = desiredTrustBundles(SIGNER, a + b);
    assert.equal(one?.metadata.name, `meshward.io:workload-identity:root-${fingerprint(a).slice(0, 16)}`);
    assert.equal(two?.metadata.name, `meshward.io:workload-identity:root-${fingerprint(b).slice(0, 16)}`);
    assert.equal(one?.spec.signerName, SIGNER);
    assert.equal(one?.spec.trustBundle, a);
    assert.equal(one?.metadata.labels?.['app.kubernetes.io/managed-by'], 'meshward');
  });

  it('plans create/update/delete, and never touches a bundle someone else made for the signer', () => {
    const [forA, forB] = desiredTrustBundles(SIGNER, a + b) as [ClusterTrustBundle, ClusterTrustBundle];
    const stale: ClusterTrustBundle = {
      ...desiredTrustBundles(SIGNER, rootFiles().certPem)[0]!,
      metadata: { ...desiredTrustBundles(SIGNER, rootFiles().certPem)[0]!.metadata, resourceVersion: '3' },
    };
    const tampered: ClusterTrustBundle = {
      ...forB,
      metadata: { ...forB.metadata, resourceVersion: '9' },
      spec: { ...forB.spec, trustBundle: a },
    };
    const foreign: ClusterTrustBundle = {
      metadata: { name: 'meshward.io:workload-identity:extra', labels: {} },
      spec: { signerName: SIGNER, trustBundle: a },
    };
    const plan = planTrustBundles([forA, forB], [tampered, stale, foreign]);
    assert.deepEqual(
      plan.create.map((x) => x.metadata.name),
      [forA.metadata.name],
    );
    assert.deepEqual(
      plan.update.map((x) => [x.metadata.name, x.metadata.resourceVersion, x.spec.trustBundle]),
      [[forB.metadata.name, '9', b]],
    );
    assert.deepEqual(plan.delete, [stale.metadata.name]);
    assert.ok(isEmptyPlan(planTrustBundles([forA], [{ ...forA, metadata: { ...forA.metadata, resourceVersion: '1' } }])));
  });

  it('sync creates the new root before deleting the old one, so no trusted root is ever missing', async () => {
    const api = fakeKubeApi();
    await syncTrustBundles(api, SIGNER, a);
    await syncTrustBundles(api, SIGNER, b); // one call that both adds and drops a root
    const writes = api.calls.filter((c) => / clustertrustbundles /.test(c) && !c.startsWith('list'));
    const nameA = desiredTrustBundles(SIGNER, a)[0]!.metadata.name;
    const nameB = desiredTrustBundles(SIGNER, b)[0]!.metadata.name;
    assert.deepEqual(writes, [
      `create clustertrustbundles ${nameA}`,
      `create clustertrustbundles ${nameB}`,
      `delete clustertrustbundles ${nameA}`,
    ]);
    assert.deepEqual(
      api.objects(CLUSTER_TRUST_BUNDLES).map((x) => x.metadata.name),
      [nameB],
    );
  });
});
