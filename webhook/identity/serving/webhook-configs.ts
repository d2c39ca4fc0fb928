// The webhook configurations as the serving plan sees them, and back: the pure translations
// between the wire objects (caBundle base64) and the planner's types, and the JSON Patch that
// writes a patch-ca-bundle action.
import { MUTATING_WEBHOOK_CONFIGURATIONS, VALIDATING_WEBHOOK_CONFIGURATIONS, type Resource } from '../../kube/resources.js';
import type { JsonPatchOp, WebhookConfiguration } from '../../kube/types.js';
import { bundlePem, parseBundle } from '../../pki/cert-bundle.js';
import type { ObservedWebhookConfig, ServingAction, WebhookConfigKind } from './serving-plan.js';

/** Each configuration kind as the API addresses it. */
export function webhookConfigResource(kind: WebhookConfigKind): Resource<WebhookConfiguration> {
  return kind === 'MutatingWebhookConfiguration' ? MUTATING_WEBHOOK_CONFIGURATIONS : VALIDATING_WEBHOOK_CONFIGURATIONS;
}

/** The planner's view of a configuration: each webhook's caBundle, decoded. */
export function observeWebhookConfig(kind: WebhookConfigKind, name: string, object: WebhookConfiguration): ObservedWebhookConfig {
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
  const ops: JsonPatchOp[] =
    action.resourceVersion === undefined ? [] : [{ op: 'test', path: '/metadata/resourceVersion', value: action.resourceVersion }];
  for (const w of action.webhooks) {
    ops.push({ op: 'test', path: `/webhooks/${w.index}/name`, value: w.name });
    ops.push({
      op: 'add',
      path: `/webhooks/${w.index}/clientConfig/caBundle`,
      value: Buffer.from(bundlePem(w.caBundle)).toString('base64'),
    });
  }
  return ops;
}
