import { isDeepStrictEqual } from 'node:util';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { ANNOTATION_STATUS, CONFIG_VOLUME_NAME, INIT_CONTAINER_NAME, PROXY_CONTAINER_NAME } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { podInNamespace } from '../inject/decide.js';
import { resolvePodModes } from '../inject/handler.js';
import { injectedContainers, podSettings } from '../inject/injected-containers.js';
import type { AnnotationProblem } from '../inject/pod-options.js';
import type { ProbeRoute } from '../inject/probes.js';
import { renderPodProxyFiles, type ProxyFiles } from '../inject/proxy-files.js';
import type { InjectionTemplates } from '../inject/templates.js';
import { configVolume, runtimeVolume } from '../inject/volumes.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { BootstrapInputError } from '../proxy/index.js';
import { finding, type Finding } from './rules.js';

// Rule MW-SIDECAR-004: a Pod that arrives injected must carry meshward's injection, not a look-alike.
// Names and images (MW-SIDECAR-001/002) are not enough: meshward-init's env decides which traffic
// is captured and which proxy config is written, the proxy's args and mounts which config Envoy
// reads. So the gate renders what the injector would for this pod (its annotations, its resolved
// modes, the probes its status annotation records) and compares exactly those parts.

export interface IntegrityDeps {
  readonly config: MeshwardConfig;
  readonly cluster: ClusterState;
  readonly templates: InjectionTemplates;
}

interface Located {
  readonly container: V1Container;
  readonly path: string;
}

// The fields compared, per list entry; anything else set on an entry (valueFrom, mountPropagation,
// ...) counts as a difference, since the injector sets none of them.
const ENV_KEYS = ['name', 'value', 'valueFrom'] as const;
const MOUNT_KEYS = ['name', 'mountPath', 'subPath', 'subPathExpr', 'readOnly', 'mountPropagation', 'recursiveReadOnly'] as const;

/** Same length, and each entry has the same values under `keys` (=== : strings and booleans). */
function sameEntries<T extends object>(actual: readonly T[] | undefined, expected: readonly T[] | undefined, keys: readonly (keyof T)[]): boolean {
  const a = actual ?? [];
  const b = expected ?? [];
  return a.length === b.length && a.every((entry, i) => keys.every((k) => entry[k] === b[i]![k]));
}

function sameStrings(actual: readonly string[] | undefined, expected: readonly string[] | undefined): boolean {
  const a = actual ?? [];
  const b = expected ?? [];
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function locate(pod: V1Pod, name: string): Located | undefined {
  for (const list of ['initContainers', 'containers'] as const) {
    const index = (pod.spec?.[list] ?? []).findIndex((c) => c.name === name);
    if (index >= 0) return { container: pod.spec![list]![index]!, path: `spec.${list}[${index}]` };
  }
  return undefined;
}

/** The fields of one container that differ from the injector's rendering. */
function differences(actual: V1Container, expected: V1Container, withEnv: boolean): string[] {
  const out: string[] = [];
  if (!sameStrings(actual.command, expected.command)) out.push('command');
  if (!sameStrings(actual.args, expected.args)) out.push('args');
  if (withEnv && !sameEntries(actual.env, expected.env, ENV_KEYS)) out.push('env');
  if (!sameEntries(actual.volumeMounts, expected.volumeMounts, MOUNT_KEYS)) out.push('volumeMounts');
  // A lifecycle hook runs a command in the container: only the hold-application hook is meshward's.
  if (!isDeepStrictEqual(actual.lifecycle ?? null, expected.lifecycle ?? null)) out.push('lifecycle');
  return out;
}

function statusProbes(pod: V1Pod): ProbeRoute[] | undefined {
  try {
    const status = JSON.parse(pod.metadata?.annotations?.[ANNOTATION_STATUS] ?? '') as { probes?: unknown } | null;
    if (typeof status !== 'object' || status === null) return undefined;
    if (status.probes === undefined) return [];
    const isObject = (p: unknown): boolean => typeof p === 'object' && p !== null && !Array.isArray(p);
    return Array.isArray(status.probes) && status.probes.every(isObject) ? (status.probes as ProbeRoute[]) : undefined;
  } catch {
    return undefined;
  }
}

/** MW-SIDECAR-004 findings for a Pod that already has meshward's containers (MW-SIDECAR-001/002 passed). */
export async function injectionIntegrityFindings(pod: V1Pod, namespace: string, deps: IntegrityDeps): Promise<Finding[]> {
  const init = locate(pod, INIT_CONTAINER_NAME)!;
  const proxy = locate(pod, PROXY_CONTAINER_NAME)!;
  const problems: AnnotationProblem[] = [];
  const settings = podSettings(pod.metadata?.annotations ?? {}, deps.config, problems);
  if (!settings) return problems.map((p) => finding('MW-SIDECAR-004', p.field, `is invalid, so this pod cannot carry meshward's injection: ${p.message}`));
  const probes = statusProbes(pod);
  if (!probes) return [finding('MW-SIDECAR-004', `metadata.annotations["${ANNOTATION_STATUS}"]`, 'is missing or not the JSON meshward writes')];
  const inNamespace = podInNamespace(pod, namespace);
  const modes = await resolvePodModes(inNamespace, namespace, deps.config, deps.cluster);
  let files: ProxyFiles;
  try {
    files = renderPodProxyFiles(inNamespace, deps.config, modes, probes);
  } catch (err) {
    // The probes come from the pod: whatever makes them unrenderable, meshward did not write them.
    const why = err instanceof BootstrapInputError ? err.message : 'malformed probe routes';
    return [finding('MW-SIDECAR-004', `metadata.annotations["${ANNOTATION_STATUS}"]`, `records probes meshward cannot have rendered: ${why}`)];
  }
  const expected = injectedContainers(settings, files, deps.config, deps.templates);
  const differing = [
    ...differences(init.container, expected.init, true).map((f) => `${init.path}.${f}`),
    ...differences(proxy.container, expected.proxy, false).map((f) => `${proxy.path}.${f}`),
  ];
  const out = differing.map((field) =>
    finding('MW-SIDECAR-004', field, "is not what meshward's injector renders for this pod, so its capture rules or proxy config cannot be trusted"),
  );
  for (const expected of [configVolume(), runtimeVolume()]) {
    const index = (pod.spec?.volumes ?? []).findIndex((v) => v.name === expected.name);
    const actual = index >= 0 ? pod.spec!.volumes![index] : undefined;
    if (!isDeepStrictEqual(actual, expected)) {
      out.push(finding('MW-SIDECAR-004', index >= 0 ? `spec.volumes[${index}]` : 'spec.volumes', `${expected.name} must be the emptyDir meshward injects (${expected.name === CONFIG_VOLUME_NAME ? 'meshward-init writes the proxy config there' : 'the proxy\'s runtime directory'})`));
    }
  }
  return out;
}
