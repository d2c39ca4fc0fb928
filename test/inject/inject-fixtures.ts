import { buildConfig } from '../../webhook/config/load.js';
import { injectionConfigHash } from '../../webhook/config/hash.js';
import { loadTemplates } from '../../webhook/inject/templates.js';
import type { OfflineInjectDeps } from '../../webhook/inject/inject-objects.js';
import type { KubeObject } from '../../webhook/admission/types.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';

// The proxy image every-annotation asks for is on the allow-list, as an operator would put it there.
export const config = buildConfig({ flags: { 'self-signed': true, 'allowed-proxy-images': 'registry.example.com/envoy:v1.36.2-custom' } });
export const templates = loadTemplates();

/** Injection deps over a fixed set of objects (policies and namespaces among them). */
export function offlineDeps(objects: readonly KubeObject[] = []): OfflineInjectDeps {
  return { config, templates, configHash: injectionConfigHash(config), cluster: new StaticClusterState(objects) };
}
