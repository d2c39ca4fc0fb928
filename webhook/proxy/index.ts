// Public API of the proxy bootstrap renderer.

export { BootstrapInputError, normalizeInput, type BootstrapInput, type ProbeInput } from './bootstrap-input.js';
export { renderBootstrap, type RenderOptions } from './render-bootstrap.js';
export { renderSdsSecrets, SDS_FILE_NAMES, SDS_SECRET_NAMES, type SdsFile } from './sds-secrets.js';
export { bootstrapHash, canonicalJson } from './bootstrap-hash.js';
export { MESH_ALPN } from './tls-contexts.js';
export { BOOTSTRAP_TEMPLATE_FILE } from './bootstrap-template.js';
