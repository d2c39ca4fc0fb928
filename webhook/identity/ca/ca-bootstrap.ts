import { createRootCa, type CaFiles } from '../../pki/index.js';
import type { KubeApi } from '../../kube/api.js';
import { isConflict } from '../../kube/errors.js';
import { SECRETS } from '../../kube/resources.js';
import { encodeCaSecret, rootsOf, type CaSecretState, type SecretRef } from './ca-secret.js';

/** A fresh CA state: the CA signs, its root is the whole trust bundle, no rotation under way. */
export function initialCaState(files: CaFiles): CaSecretState {
  return { current: files, trustBundlePem: rootsOf(files), rotation: { phase: 'idle' } };
}

export type EnsureResult = 'exists' | 'created';

/**
 * Creates the CA Secret with a new self-signed root when it does not exist (the leader does this
 * when identity.createCa is on, so a plain install works without `meshward ca init`). Two replicas
 * racing both try; the API lets one create win and the other sees 409 and uses that one.
 */
export async function ensureCaSecret(
  api: Pick<KubeApi, 'get' | 'create'>,
  ref: SecretRef,
  opts: { readonly trustDomain: string; readonly now: Date },
): Promise<EnsureResult> {
  if (await api.get(SECRETS, ref.namespace, ref.name)) return 'exists';
  const files = createRootCa({ trustDomain: opts.trustDomain, now: opts.now });
  try {
    await api.create(SECRETS, encodeCaSecret(ref, initialCaState(files)));
    return 'created';
  } catch (err) {
    if (isConflict(err)) return 'exists';
    throw err;
  }
}
