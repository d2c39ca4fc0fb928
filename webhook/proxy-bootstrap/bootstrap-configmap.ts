// The meshward-proxy ConfigMap: what it should hold under a configuration (the static bootstrap
// and its SDS files, one key each), how meshward's own is recognised, and the body to write.
// Pure builders and reads.

import { COMPONENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROXY_BOOTSTRAP_CONFIGMAP } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import type { ConfigMap } from '../kube/types.js';
import { renderStaticBootstrap } from '../proxy/index.js';

export const PROXY_BOOTSTRAP_COMPONENT = 'proxy-bootstrap';
export const PROXY_BOOTSTRAP_LABELS: Readonly<Record<string, string>> = Object.freeze({
  [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
  [COMPONENT_LABEL]: PROXY_BOOTSTRAP_COMPONENT,
});

/** File name → JSON text, indented: operators read these with kubectl get configmap -o yaml. */
export type ProxyBootstrapData = Readonly<Record<string, string>>;

export function desiredProxyBootstrapData(config: MeshwardConfig): ProxyBootstrapData {
  return Object.freeze(Object.fromEntries(renderStaticBootstrap(config).map((f) => [f.name, `${JSON.stringify(f.document, null, 2)}\n`])));
}

/** What the plan needs to know of an existing ConfigMap of that name. */
export interface ProxyConfigMapState {
  readonly resourceVersion?: string;
  /** Labelled app.kubernetes.io/managed-by=meshward: ours to rewrite and delete. */
  readonly managed: boolean;
  readonly data: ProxyBootstrapData;
}

export function readProxyConfigMap(configMap: ConfigMap): ProxyConfigMapState {
  return {
    ...(configMap.metadata.resourceVersion !== undefined ? { resourceVersion: configMap.metadata.resourceVersion } : {}),
    managed: configMap.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE,
    data: configMap.data ?? {},
  };
}

/** The ConfigMap to create (no existing) or to replace (existing: its other labels and annotations kept). */
export function proxyConfigMapBody(namespace: string, data: ProxyBootstrapData, existing?: ConfigMap): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      ...(existing?.metadata ?? {}),
      name: PROXY_BOOTSTRAP_CONFIGMAP,
      namespace,
      labels: { ...(existing?.metadata.labels ?? {}), ...PROXY_BOOTSTRAP_LABELS },
    },
    data: { ...data },
  };
}
