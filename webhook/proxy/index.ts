// Public API of the proxy renderers: the static bootstrap every pod starts from, and the per-pod
// listeners and clusters the xDS server sends.

export {
  BootstrapInputError,
  normalizeInput,
  probeInputProblems,
  type BootstrapInput,
  type NormalizedInput,
  type ProbeInput,
} from './bootstrap-input.js';
export {
  renderStaticBootstrap,
  staticBootstrapContext,
  XDS_CLUSTER,
  type StaticBootstrapFile,
  type StaticBootstrapOptions,
} from './render-static-bootstrap.js';
export { renderSdsSecrets, SDS_FILE_NAMES, SDS_SECRET_NAMES, type SdsFile, type SdsPaths } from './sds-secrets.js';
export { PROXY_PATHS } from './proxy-paths.js';
export { controlPlaneSpiffeId } from './xds-cluster-tls.js';
export { MESH_ALPN } from './tls-contexts.js';
export { BOOTSTRAP_TEMPLATE_FILE } from './bootstrap-template.js';
export { inboundListener } from './inbound-listener.js';
export {
  admitsUnidentified,
  ALLOW_MESH,
  type InboundAuthorization,
  type PortAuthorization as InboundPortAuthorization,
  type Principal as InboundPrincipal,
} from './inbound-authorization.js';
export { rbacFilter, denialAccessLog, RBAC_FILTER_NAME } from './rbac-filter.js';
export { outboundListener } from './outbound-listener.js';
export { statusListener } from './status-listener.js';
export { dataClusters } from './data-clusters.js';
export { probeClusters } from './probe-clusters.js';
export { blackholeCluster, readinessSelfCheckCluster, READINESS_SELF_CHECK_CLUSTER } from './local-clusters.js';
