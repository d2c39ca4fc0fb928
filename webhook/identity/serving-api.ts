// What the serving-certificate manager asks of the API server, as one small interface (unit tests
// pass a fake; serving-kube-api.ts implements it over client-node), plus the pure translations
// between wire objects and the planner's types.
import { parseBundle, bundlePem } from './serving-bundle.js';
import type { ObservedWebhookConfig, ServingAction, WebhookConfigKind } from './serving-plan.js';
import type { SecretObject } from './serving-secret.js';

export interface JsonPatchOp {
  readonly op: 'test' | 'add' | 'replace' | 'remove';
  readonly path: string;
  readonly value?: unknown;
}

/** admissionregistration.k8s.io/v1 Mutating/ValidatingWebhookConfiguration, the fields used. */
export interface WebhookConfigObject {
  readonly metadata: { readonly name?: string; readonly resourceVersion?: string };
  readonly webhooks?: ReadonlyArray<{ readonly name: string; readonly clientConfig?: { readonly caBundle?: string } }>;
}

/**
 * Errors carry the HTTP status in a numeric `code` (client-node's ApiException does), read with
 * statusOf. Writes of existing objects send metadata.resourceVersion: a stale write fails with 409.
 */
export interface ServingApi {
  getSecret(namespace: string, name: string): Promise<SecretObject | undefined>;
  createSecret(secret: SecretObject): Promise<SecretObject>;
  replaceSecret(secret: SecretObject): Promise<SecretObject>;
  getWebhookConfig(kind: WebhookConfigKind, name: string): Promise<WebhookConfigObject | undefined>;
  /** RFC 6902 JSON Patch (application/json-patch+json). */
  patchWebhookConfig(kind: WebhookConfigKind, name: string, ops: readonly JsonPatchOp[]): Promise<void>;
}

/** The planner's view of a configuration: each webhook's caBundle, decoded. */
export function observeWebhookConfig(kind: WebhookConfigKind, name: string, object: WebhookConfigObject): ObservedWebhookConfig {
  return {
    kind,
    name,
    resourceVersion: object.metadata.resourceVersion,
    webhooks: (object.webhooks ?? []).map((w) => ({
      name: w.name,
      caBundle: parseBundle(w.clientConfig?.caBundle === undefined ? '' : Buffer.from(w.clientConfig.caBundle, 'base64').toString('utf8')),
    })),
  };
}

/**
 * The JSON Patch for one patch-ca-bundle action. `test` operations pin the object's
 * resourceVersion and each webhook's name at its index, so a configuration that changed since it
 * was read is refused (and re-planned) rather than patched at the wrong place.
 */
export function caBundlePatchOps(action: Extract<ServingAction, { type: 'patch-ca-bundle' }>): JsonPatchOp[] {
  const ops: JsonPatchOp[] = action.resourceVersion === undefined ? [] : [{ op: 'test', path: '/metadata/resourceVersion', value: action.resourceVersion }];
  for (const w of action.webhooks) {
    ops.push({ op: 'test', path: `/webhooks/${w.index}/name`, value: w.name });
    ops.push({ op: 'add', path: `/webhooks/${w.index}/clientConfig/caBundle`, value: Buffer.from(bundlePem(w.caBundle)).toString('base64') });
  }
  return ops;
}
