// The MeshAuthorizationPolicy CRD for e2e files whose control plane watches the policies. Its real
// definition belongs to the policy work (manifests/crds, applied by installMeshwardCrds); until it
// is on this branch, a minimal STAND-IN is applied here: the same group, version, kind and plural,
// with an open spec, so the API server stores the objects and the control plane's informer can
// list and watch them (without it the informer never syncs and no proxy is answered). Once the
// real CRD is in manifests/crds this does nothing, and can go.

import { join } from 'node:path';
import type { KubeObject } from '../../webhook/admission/types.js';
import type { ControlPlane } from '../../scripts/control-plane/control-plane.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import { applyCrds } from '../../scripts/control-plane/register-webhooks.js';
import { readManifestPaths } from '../../webhook/kube/manifests.js';

export const AUTHORIZATION_CRD = 'meshauthorizationpolicies.meshward.io';

export const AUTHORIZATION_CRD_STAND_IN: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: AUTHORIZATION_CRD, labels: { 'app.kubernetes.io/name': 'meshward', 'meshward.io/test-stand-in': 'true' } },
  spec: {
    group: 'meshward.io',
    scope: 'Namespaced',
    names: {
      kind: 'MeshAuthorizationPolicy',
      listKind: 'MeshAuthorizationPolicyList',
      plural: 'meshauthorizationpolicies',
      singular: 'meshauthorizationpolicy',
    },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
        },
      },
    ],
  },
};

/** Whether manifests/crds ships the real CRD (installMeshwardCrds then applies it). */
export function authorizationCrdShipped(): boolean {
  return readManifestPaths([join(repoRoot(), 'manifests', 'crds')]).some(
    (s) => s.object.kind === 'CustomResourceDefinition' && s.object.metadata?.name === AUTHORIZATION_CRD,
  );
}

/** Applies the stand-in unless the real CRD ships; call after installMeshwardCrds. */
export async function ensureAuthorizationCrd(cp: ControlPlane): Promise<'manifests' | 'stand-in'> {
  if (authorizationCrdShipped()) return 'manifests';
  await applyCrds(cp, [AUTHORIZATION_CRD_STAND_IN]);
  return 'stand-in';
}
