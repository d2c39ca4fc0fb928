import { buildCaptureRules } from '../capture/rules.js';
import { captureSettingsFromAnnotations } from '../capture/annotations.js';
import { initContainerEnv } from '../capture/pod-spec.js';
import type { MeshwardConfig } from '../config/types.js';
import type { AnnotationProblem } from './pod-options.js';

/**
 * The iptables rules for this pod, as the env of meshward-init: generated here, so they are
 * readable in the pod spec and the init program applies exactly what was admitted.
 */
export function buildCaptureEnv(
  annotations: Readonly<Record<string, string>>,
  config: MeshwardConfig,
  problems: AnnotationProblem[],
): Array<{ name: string; value: string }> | undefined {
  const parsed = captureSettingsFromAnnotations(annotations, config);
  if ('errors' in parsed) {
    problems.push(...parsed.errors);
    return undefined;
  }
  return initContainerEnv(buildCaptureRules(parsed.settings));
}
