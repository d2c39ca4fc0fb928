import { buildConfig } from '../../webhook/config/load.js';
import { injectionConfigHash } from '../../webhook/config/hash.js';
import { loadTemplates } from '../../webhook/inject/templates.js';
import type { OfflineInjectDeps } from '../../webhook/inject/inject-objects.js';

// The proxy image every-annotation asks for is on the allow-list, as an operator would put it there.
export const config = buildConfig({ flags: { 'self-signed': true, 'allowed-proxy-images': 'registry.example.com/envoy:v1.36.2-custom' } });
export const templates = loadTemplates();

/** Injection deps: policies and namespaces no longer matter, the proxy's modes come from the xDS server. */
export function offlineDeps(): OfflineInjectDeps {
  return { config, templates, configHash: injectionConfigHash(config) };
}
