import type { MeshwardConfig } from '../config/types.js';
import { containerFindings } from './container-rules.js';
import { injectionFindings } from './meshward-containers.js';
import { metadataFindings } from './metadata-rules.js';
import type { PodView } from './pod-template.js';
import type { Finding } from './rules.js';

export interface PodCheckOptions {
  /** Rule 5 (arrived injected): Pods at admission; templates and pre-injection manifests never. */
  readonly requireInjected: boolean;
}

/** Rules 1–4 (and 5 when asked) for a pod or pod template in a STRICT namespace. Pure. */
export function podFindings(view: PodView, config: Pick<MeshwardConfig, 'proxy'>, options: PodCheckOptions): Finding[] {
  return [...metadataFindings(view), ...containerFindings(view, config), ...(options.requireInjected ? injectionFindings(view, config) : [])];
}
