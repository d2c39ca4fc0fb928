// Serving-certificate settings from the frozen config (the `serving` section).
import type { MeshwardConfig } from '../../config/types.js';
import type { WebhookConfigKind } from './serving-plan.js';
import { RENEW_FRACTION, type ServingPolicy } from './serving-plan.js';

export interface WebhookConfigRef {
  readonly kind: WebhookConfigKind;
  readonly name: string;
}

export interface ServingSettings extends ServingPolicy {
  /** meshward's namespace: the Secret lives here, and it names the Service DNS SANs. */
  readonly namespace: string;
  readonly secretName: string;
  readonly validityDays: number;
  readonly webhookConfigs: readonly WebhookConfigRef[];
}

/** <service>.<namespace>.svc and <service>.<namespace>.svc.cluster.local, then the extra names. */
export function servingDnsNames(service: string, namespace: string, extra: readonly string[] = []): string[] {
  return [...new Set([`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, ...extra])];
}

export function servingSettingsFrom(config: MeshwardConfig): ServingSettings {
  const s = config.serving;
  return {
    namespace: config.mesh.namespace,
    secretName: s.secretName,
    dnsNames: servingDnsNames(s.serviceName, config.mesh.namespace, s.extraDnsNames),
    ipAddresses: [...new Set(s.extraIpAddresses)],
    validityDays: s.validityDays,
    renewFraction: RENEW_FRACTION,
    propagationMs: s.propagationSeconds * 1000,
    retireGraceMs: s.retireGraceSeconds * 1000,
    webhookConfigs: [
      ...s.mutatingWebhookConfigurations.map((name) => ({ kind: 'MutatingWebhookConfiguration' as const, name })),
      ...s.validatingWebhookConfigurations.map((name) => ({ kind: 'ValidatingWebhookConfiguration' as const, name })),
    ],
  };
}
