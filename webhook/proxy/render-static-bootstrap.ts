// renderStaticBootstrap: the proxy's Envoy v3 bootstrap and its two SDS files, the same for every
// pod under one configuration (so one ConfigMap per namespace serves every pod in it). Filled from
// the editable template; pure apart from reading the template once.

import { PORTS, PROXY_BOOTSTRAP_FILE } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { fillTemplate } from '../template/fill-template.js';
import { defaultBootstrapTemplate, parseBootstrapTemplate } from './bootstrap-template.js';
import { bindAddresses, type Json } from './envoy-fragments.js';
import { PROXY_PATHS } from './proxy-paths.js';
import { sdsFiles } from './sds-secrets.js';
import { controlPlaneEndpoint, xdsClusterTls } from './xds-cluster-tls.js';

/** The cluster the proxy reaches the xDS server through (named in the template's ads_config). */
export const XDS_CLUSTER = 'meshward-xds';

export interface StaticBootstrapOptions {
  /** Template text to use instead of templates/envoy-bootstrap.yaml. */
  templateText?: string;
}

export interface StaticBootstrapFile {
  /** File name inside the proxy's config directory (a key of the ConfigMap). */
  readonly name: string;
  readonly document: Json;
}

/** envoy.json first, then the SDS files it refers to. */
export function renderStaticBootstrap(config: MeshwardConfig, options: StaticBootstrapOptions = {}): StaticBootstrapFile[] {
  const template = options.templateText !== undefined ? parseBootstrapTemplate(options.templateText) : defaultBootstrapTemplate();
  return [
    { name: PROXY_BOOTSTRAP_FILE, document: fillTemplate(template, staticBootstrapContext(config)) as Json },
    ...sdsFiles(PROXY_PATHS).map((f) => ({ name: f.fileName, document: f.document })),
  ];
}

/** Every value the template may refer to. */
export function staticBootstrapContext(config: MeshwardConfig): Record<string, unknown> {
  // The file cannot know a pod's address families: listen on both, as the per-pod listeners do by default.
  const families = ['IPv4', 'IPv6'] as const;
  return {
    ports: PORTS,
    bind: { readiness: bindAddresses(PORTS.readiness, families), metrics: bindAddresses(PORTS.metrics, families) },
    xds: { ...controlPlaneEndpoint(config), tls: xdsClusterTls(config) },
  };
}
