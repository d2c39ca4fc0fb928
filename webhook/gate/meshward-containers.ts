import { CREDENTIALS_VOLUME_NAME, INIT_CONTAINER_NAME, PROXY_CONTAINER_NAME } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { ANNOTATION_PROXY_IMAGE, allowedProxyImages, proxyImageFinding } from '../inject/pod-options.js';
import { listContainers, type ContainerRef } from './pod-fields.js';
import { isRecord, type PodView } from './pod-template.js';
import { finding, type Finding } from './rules.js';

// Which containers are meshward's own, and MW-SIDECAR-001..003 (a pod must arrive injected).
//
// Names alone can be spoofed (any pod may name a container meshward-proxy and run it as UID 1337),
// so a container is meshward's only when its name, its image AND its place in the pod match:
// - meshward-proxy: an image on the proxy allow-list (proxy.image and proxy.allowedImages; the
//   pod's meshward.io/proxy-image may only pick one of those), in `containers` or as a native
//   sidecar (init container with restartPolicy: Always);
// - meshward-init: the configured init image, as a plain init container.
// Only meshward's own containers get exemptions, and only the ones they need (container-rules.ts).

export type MeshwardRole = 'proxy' | 'init';

/** MW-IMAGE-001: the pod asks for a proxy image that is not on the allow-list. */
export function proxyImageFindings(view: PodView, config: Pick<MeshwardConfig, 'proxy'>): Finding[] {
  const requested = view.annotations[ANNOTATION_PROXY_IMAGE];
  const found =
    requested === undefined
      ? undefined
      : proxyImageFinding(requested, `${view.prefix}metadata.annotations["${ANNOTATION_PROXY_IMAGE}"]`, config);
  return found ? [found] : [];
}

function proxyPlacementOk(c: ContainerRef): boolean {
  return c.list === 'containers' || (c.list === 'initContainers' && c.restartPolicy === 'Always');
}

function initPlacementOk(c: ContainerRef): boolean {
  return c.list === 'initContainers' && c.restartPolicy !== 'Always';
}

/** 'proxy' or 'init' when the container is meshward's own, else undefined. */
export function meshwardRole(c: ContainerRef, config: Pick<MeshwardConfig, 'proxy'>): MeshwardRole | undefined {
  if (c.name === PROXY_CONTAINER_NAME && proxyPlacementOk(c) && allowedProxyImages(config).has(c.image)) return 'proxy';
  if (c.name === INIT_CONTAINER_NAME && initPlacementOk(c) && c.image === config.proxy.initImage) return 'init';
  return undefined;
}

function proxyFindings(view: PodView, containers: readonly ContainerRef[], config: Pick<MeshwardConfig, 'proxy'>): Finding[] {
  const proxy = containers.find((c) => c.name === PROXY_CONTAINER_NAME && c.list !== 'ephemeralContainers');
  if (!proxy) {
    return [
      finding(
        'MW-SIDECAR-001',
        `${view.prefix}spec.containers`,
        `no ${PROXY_CONTAINER_NAME} container, in containers or as a native sidecar in initContainers`,
      ),
    ];
  }
  if (!proxyPlacementOk(proxy)) {
    return [
      finding(
        'MW-SIDECAR-001',
        `${proxy.path}.restartPolicy`,
        `${PROXY_CONTAINER_NAME} is an init container without restartPolicy: Always, so it exits before the app starts`,
        'set restartPolicy: Always (native sidecar), or let the injector add the proxy',
      ),
    ];
  }
  const images = [...allowedProxyImages(config)];
  if (!images.includes(proxy.image)) {
    return [
      finding(
        'MW-IMAGE-001',
        `${proxy.path}.image`,
        `${JSON.stringify(proxy.image)} is not on the proxy allow-list (${images.join(', ')})`,
        `use ${images[0]}, or let the injector add the proxy`,
      ),
    ];
  }
  return [];
}

function initFindings(view: PodView, containers: readonly ContainerRef[], config: Pick<MeshwardConfig, 'proxy'>): Finding[] {
  const init = containers.find((c) => c.name === INIT_CONTAINER_NAME);
  if (!init)
    return [
      finding(
        'MW-SIDECAR-002',
        `${view.prefix}spec.initContainers`,
        `no ${INIT_CONTAINER_NAME} init container, so inbound traffic is never redirected to the proxy`,
      ),
    ];
  if (!initPlacementOk(init)) {
    return [
      finding(
        'MW-SIDECAR-002',
        init.path,
        `${INIT_CONTAINER_NAME} must be a plain init container (in initContainers, without restartPolicy: Always)`,
        'let the injector add it',
      ),
    ];
  }
  if (init.image !== config.proxy.initImage) {
    return [
      finding(
        'MW-SIDECAR-002',
        `${init.path}.image`,
        `${JSON.stringify(init.image)} is not meshward's init image (${config.proxy.initImage})`,
        `use ${config.proxy.initImage}, or let the injector add it`,
      ),
    ];
  }
  return [];
}

/** MW-SIDECAR-001..003, for Pods only (templates are not injected): the final pod must carry meshward's parts. */
export function injectionFindings(view: PodView, config: Pick<MeshwardConfig, 'proxy'>): Finding[] {
  const containers = listContainers(view);
  const out = [...proxyFindings(view, containers, config), ...initFindings(view, containers, config)];
  const volumes = Array.isArray(view.spec.volumes) ? view.spec.volumes : [];
  if (!volumes.some((v: unknown) => isRecord(v) && v.name === CREDENTIALS_VOLUME_NAME)) {
    out.push(
      finding(
        'MW-SIDECAR-003',
        `${view.prefix}spec.volumes`,
        `no ${CREDENTIALS_VOLUME_NAME} volume, so the proxy has no workload certificate`,
      ),
    );
  }
  return out;
}
