// The images' names, and which Dockerfile stage and rootfs script make each stage image.

/** Local image names: what pods use (imagePullPolicy: Never) after `ctr -n k8s.io images import`. */
export const LOCAL_MESHWARD_IMAGE = 'meshward.local/meshward:dev';
export const LOCAL_INIT_IMAGE = 'meshward.local/meshward-init:dev';
export const LOCAL_PAUSE_IMAGE = 'meshward.local/pause:3.10';
export const LOCAL_PROXY_STANDIN_IMAGE = 'meshward.local/proxy-standin:dev';

/** The pause image as upstream's: /pause, run as 65535 (numeric: the image has no /etc/passwd). */
export const PAUSE_LAYOUT = { path: '/pause', user: '65535:65535' } as const;

/** The Dockerfile's final stages, each built from a rootfs script under scripts/images/. */
export const STAGES = {
  meshward: { stage: 'meshward', script: 'rootfs-meshward.sh', localName: LOCAL_MESHWARD_IMAGE },
  init: { stage: 'meshward-init', script: 'rootfs-meshward-init.sh', localName: LOCAL_INIT_IMAGE },
} as const;
export type StageImage = keyof typeof STAGES;

/** The name the release manifests use, e.g. ghcr.io/meshward/meshward:0.1.0. */
export function releaseImageName(image: 'meshward' | 'meshward-init', version: string): string {
  return `ghcr.io/meshward/${image}:${version}`;
}

/** The archive file name `main.js build --out DIR` writes for an image name. */
export function archiveFileName(name: string): string {
  const repository = name.slice(name.lastIndexOf('/') + 1).replace(/:.*$/, '');
  return `${repository}.tar`;
}
