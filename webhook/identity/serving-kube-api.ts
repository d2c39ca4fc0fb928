import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { AdmissionregistrationV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '../kube/client.js';
import { orNotFound } from '../kube/kube-client.js';
import type { ServingApi, WebhookConfigObject } from './serving-api.js';
import type { SecretObject } from './serving-secret.js';

/** The wire form of a Secret (client-node deserialises dates; only these fields are used). */
export function plainSecret(s: V1Secret): SecretObject {
  const m = s.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: m.name ?? '',
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      labels: m.labels,
      annotations: m.annotations,
      ownerReferences: m.ownerReferences as unknown as SecretObject['metadata']['ownerReferences'],
    },
    type: s.type,
    data: s.data,
  };
}

/** Get, create and replace one Secret: the calls the CA store and the serving manager share. */
export function secretClient(core: CoreV1Api): Pick<ServingApi, 'getSecret' | 'createSecret' | 'replaceSecret'> {
  return {
    getSecret: async (namespace, name) => {
      const s = await orNotFound(core.readNamespacedSecret({ namespace, name }));
      return s && plainSecret(s);
    },
    createSecret: async (secret) => plainSecret(await core.createNamespacedSecret({ namespace: secret.metadata.namespace ?? '', body: secret as V1Secret })),
    replaceSecret: async (secret) =>
      plainSecret(await core.replaceNamespacedSecret({ namespace: secret.metadata.namespace ?? '', name: secret.metadata.name, body: secret as V1Secret })),
  };
}

/** ServingApi over @kubernetes/client-node. */
export function kubeServingApi(kc: KubeConfig): ServingApi {
  const core = kc.makeApiClient(CoreV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
  return {
    ...secretClient(core),
    getWebhookConfig: (kind, name) =>
      orNotFound<WebhookConfigObject>(
        kind === 'MutatingWebhookConfiguration'
          ? admission.readMutatingWebhookConfiguration({ name }).then((o) => ({ metadata: o.metadata ?? {}, webhooks: o.webhooks }))
          : admission.readValidatingWebhookConfiguration({ name }).then((o) => ({ metadata: o.metadata ?? {}, webhooks: o.webhooks })),
      ),
    patchWebhookConfig: async (kind, name, ops) => {
      if (kind === 'MutatingWebhookConfiguration') await admission.patchMutatingWebhookConfiguration({ name, body: ops }, jsonPatch);
      else await admission.patchValidatingWebhookConfiguration({ name, body: ops }, jsonPatch);
    },
  };
}
