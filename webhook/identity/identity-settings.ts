import type { KeyType, MeshwardConfig } from '../config/types.js';
import type { SecretRef } from './ca/ca-secret.js';
import { RETIRE_MARGIN_SECONDS, type RotationTimings } from './ca/rotation.js';
import type { SignerPolicy } from './signer/signer-decision.js';

/** Everything the identity controllers read from the config, checked together. */
export interface IdentitySettings {
  readonly caSecret: SecretRef;
  readonly createCa: boolean;
  readonly lease: { readonly namespace: string; readonly name: string };
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineSeconds: number;
  readonly retryPeriodSeconds: number;
  readonly concurrency: number;
  readonly policy: SignerPolicy;
  readonly rotation: RotationTimings;
}

/** An identity configuration the field checks in config/load.ts cannot see: fields that contradict each other. */
export class IdentityConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid identity configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'IdentityConfigError';
  }
}

export function identitySettings(config: MeshwardConfig): IdentitySettings {
  const id = config.identity;
  const problems: string[] = [];
  if (id.renewDeadlineSeconds >= id.leaseDurationSeconds) {
    problems.push(
      `identity.renewDeadlineSeconds (${id.renewDeadlineSeconds}) must be less than identity.leaseDurationSeconds (${id.leaseDurationSeconds}), or two replicas could sign at once`,
    );
  }
  if (id.retryPeriodSeconds >= id.renewDeadlineSeconds) {
    problems.push(
      `identity.retryPeriodSeconds (${id.retryPeriodSeconds}) must be less than identity.renewDeadlineSeconds (${id.renewDeadlineSeconds}), so the leader retries before it gives up`,
    );
  }
  if (!id.allowedKeyTypes.includes(config.credentials.keyType)) {
    problems.push(
      `identity.allowedKeyTypes (${id.allowedKeyTypes.join(', ')}) must include credentials.keyType ${config.credentials.keyType}, the key type injected pods request`,
    );
  }
  if (problems.length > 0) throw new IdentityConfigError(problems);
  const namespace = config.mesh.namespace;
  return {
    caSecret: { namespace, name: id.caSecretName },
    createCa: id.createCa,
    lease: { namespace, name: id.leaseName },
    leaseDurationSeconds: id.leaseDurationSeconds,
    renewDeadlineSeconds: id.renewDeadlineSeconds,
    retryPeriodSeconds: id.retryPeriodSeconds,
    concurrency: id.concurrency,
    policy: {
      signerName: config.credentials.signerName,
      trustDomain: config.mesh.trustDomain,
      allowedKeyTypes: id.allowedKeyTypes as readonly KeyType[],
      ttlSeconds: config.credentials.maxExpirationSeconds,
      refreshPercent: config.credentials.refreshPercent,
    },
    rotation: {
      propagationSeconds: id.rotationPropagationSeconds,
      retireAfterSeconds: config.credentials.maxExpirationSeconds + RETIRE_MARGIN_SECONDS,
    },
  };
}
