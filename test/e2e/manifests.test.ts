import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ControlPlane } from '../../scripts/control-plane/control-plane.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import { sharedControlPlane } from './shared-cluster.js';

// Every install flavour is accepted by the real API server (server-side dry run: full
// validation and admission, nothing stored).
const root = repoRoot();

// cert-manager is not installed in the test cluster; these stand-in CRDs (no schema) let the API
// server accept its Issuer/Certificate objects so everything else in the overlay is validated.
const CERT_MANAGER_CRDS = ['issuers', 'certificates'].map((plural) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.cert-manager.io` },
  spec: {
    group: 'cert-manager.io',
    scope: 'Namespaced',
    names: { plural, singular: plural.slice(0, -1), kind: plural === 'issuers' ? 'Issuer' : 'Certificate' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
}));

describe('e2e: the release manifests in a real API server', function () {
  this.timeout(120_000);
  let cp: ControlPlane;

  before(async () => {
    cp = await sharedControlPlane();
    // A server-side dry run cannot create a namespace and use it in the same call.
    await cp.ensureNamespace('meshward-system');
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: CERT_MANAGER_CRDS }) });
    await cp.kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/issuers.cert-manager.io',
      'crd/certificates.cert-manager.io',
    ]);
  });

  after(async () => {
    await cp.kubectl(['delete', '--ignore-not-found', 'crd/issuers.cert-manager.io', 'crd/certificates.cert-manager.io'], { check: false });
  });

  for (const overlay of ['base', 'overlays/self-signed', 'overlays/cert-manager', 'overlays/secret-fallback']) {
    it(`accepts kubectl apply --dry-run=server -k manifests/${overlay}`, async () => {
      const res = await cp.kubectl(['apply', '--dry-run=server', '-k', join(root, 'manifests', overlay)], { check: false });
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /deployment\.apps\/meshward (created|configured|unchanged) \(server dry run\)/);
      assert.match(res.stdout, /validatingadmissionpolicy\.admissionregistration\.k8s\.io\/meshward-strict-backstop/);
    });
  }
});
