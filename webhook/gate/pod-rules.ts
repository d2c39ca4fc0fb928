import type { KubeObject } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import { containerFindings } from './container-rules.js';
import { injectionFindings } from './meshward-containers.js';
import { metadataFindings } from './metadata-rules.js';
import type { PodView } from './pod-template.js';
import { portRuleFindings } from './port-rules.js';
import type { Finding } from './rules.js';

export interface PodCheckOptions {
  /** MW-SIDECAR-001..003 (arrived injected): Pods at admission; templates and pre-injection manifests never. */
  readonly requireInjected: boolean;
  /** The pod's Namespace object, when known: MW-INJECT-002 (would the injector see the pod at all). */
  readonly namespace?: KubeObject;
}

/** Every static rule for one pod or pod template in a STRICT namespace. Pure. */
export function podFindings(view: PodView, config: Pick<MeshwardConfig, 'proxy'>, options: PodCheckOptions): Finding[] {
  return [
    ...metadataFindings(view, config, options.namespace),
    ...containerFindings(view, config),
    ...portRuleFindings(view, config),
    ...(options.requireInjected ? injectionFindings(view, config) : []),
  ];
}
