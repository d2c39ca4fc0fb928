import type { V1Pod, V1Volume } from '@kubernetes/client-node';
import type { PatchOperation } from '../admission/types.js';
import {
  ANNOTATION_STATUS,
  CONFIG_VOLUME_NAME,
  CREDENTIALS_VOLUME_NAME,
  DEFAULT_CONTAINER_ANNOTATION,
  INIT_CONTAINER_NAME,
  LABEL_INJECTED,
  PORTS,
  PROXY_CONTAINER_NAME,
  RUNTIME_VOLUME_NAME,
} from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import type { WorkloadModes } from '../policy/resolve-modes.js';
import { addToArray, addToMap } from './json-pointer.js';
import { injectedContainers, podSettings } from './injected-containers.js';
import type { AnnotationProblem } from './pod-options.js';
import { rewriteProbes, type ProbeRoute } from './probes.js';
import { renderPodProxyFiles } from './proxy-files.js';
import type { InjectionTemplates } from './templates.js';
import { configVolume, credentialsVolume, runtimeVolume } from './volumes.js';

/** Everything an injection depends on besides the pod: fixed at start-up or read per request. */
export interface InjectionContext {
  readonly config: MeshwardConfig;
  readonly templates: InjectionTemplates;
  /** Hash of the config that shapes injection (status annotation, drift detection). */
  readonly configHash: string;
  /** The resolved mTLS modes for this pod's labels and ports. */
  readonly modes: WorkloadModes;
  /** sha256 fingerprint of the trust root the pod will trust, when known. */
  readonly trustRootFingerprint?: string;
}

/** What meshward.io/status records (JSON) — what was injected and from which inputs. */
export interface InjectionStatus {
  readonly version: 1;
  readonly initContainers: string[];
  readonly containers: string[];
  readonly volumes: string[];
  readonly nativeSidecar: boolean;
  readonly templateHash: string;
  readonly configHash: string;
  readonly proxyConfigHash: string;
  readonly trustRoot: string;
  readonly mode: string;
  readonly ports: Record<string, string>;
  /** Original probe targets, so a reinvocation can add routes without losing these. */
  readonly probes: ProbeRoute[];
}

export type InjectionResult =
  | { readonly ok: true; readonly patch: PatchOperation[]; readonly status: InjectionStatus }
  | { readonly ok: false; readonly reason: 'invalid-annotation' | 'reserved-port'; readonly problems: AnnotationProblem[] };

const RESERVED_PORTS: ReadonlySet<number> = new Set(Object.values(PORTS));

/** App ports that collide with the proxy's own (the proxy could not listen, or would capture itself). */
export function reservedPortProblems(pod: V1Pod): AnnotationProblem[] {
  const problems: AnnotationProblem[] = [];
  const reserved = [...RESERVED_PORTS].sort((a, b) => a - b).join(', ');
  for (const [list, containers] of [['containers', pod.spec?.containers ?? []], ['initContainers', pod.spec?.initContainers ?? []]] as const) {
    containers.forEach((c, i) =>
      (c.ports ?? []).forEach((p, j) => {
        if (!RESERVED_PORTS.has(p.containerPort)) return;
        const field = `spec.${list}[${i}].ports[${j}].containerPort`;
        problems.push({ field, value: String(p.containerPort), message: `${field}: ${p.containerPort} is reserved for meshward's proxy (${reserved}); use another port, or opt the pod out with meshward.io/inject: "false"` });
      }),
    );
  }
  return problems;
}

/** Declared TCP ports of the app containers and user sidecars (what the proxy serves inbound). */
export function declaredPorts(pod: V1Pod): number[] {
  const ports = new Set<number>();
  const sidecars = (pod.spec?.initContainers ?? []).filter((i) => i.restartPolicy === 'Always');
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
    if (c.name === PROXY_CONTAINER_NAME) continue;
    for (const p of c.ports ?? []) if ((p.protocol ?? 'TCP') === 'TCP' && Number.isInteger(p.containerPort)) ports.add(p.containerPort);
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * The injection of one pod as RFC 6902 operations, built directly (no clone-and-diff). Pure: the
 * same pod and context always give the same patch.
 */
export function injectPod(pod: V1Pod, context: InjectionContext): InjectionResult {
  const { config, templates, modes } = context;
  const annotations = pod.metadata?.annotations ?? {};
  const problems: AnnotationProblem[] = [];
  const settings = podSettings(annotations, config, problems);
  if (!settings) return { ok: false, reason: 'invalid-annotation', problems };
  const { options } = settings;
  const portProblems = reservedPortProblems(pod);
  if (portProblems.length > 0) return { ok: false, reason: 'reserved-port', problems: portProblems };

  const spec = pod.spec ?? { containers: [] };
  const containers = spec.containers ?? [];
  const initContainers = spec.initContainers ?? [];
  const restartableInit = initContainers.map((c, index) => ({ c, index })).filter(({ c }) => c.restartPolicy === 'Always');
  const patch: PatchOperation[] = [];
  const routes: ProbeRoute[] = [];

  // Probe rewrites first: they address containers by index, before anything is inserted.
  if (options.rewriteProbes) {
    for (const r of rewriteProbes(containers)) {
      patch.push({ op: 'replace', path: `/spec/containers/${r.containerIndex}/${r.probe}`, value: r.rewritten });
      routes.push(r.route);
    }
    const initRewrites = rewriteProbes(restartableInit.map(({ c }) => c));
    for (const r of initRewrites) {
      patch.push({ op: 'replace', path: `/spec/initContainers/${restartableInit[r.containerIndex]!.index}/${r.probe}`, value: r.rewritten });
      routes.push(r.route);
    }
  }

  const serviceAccount = spec.serviceAccountName || 'default';
  const proxyFiles = renderPodProxyFiles(pod, config, modes, routes);

  const { init, proxy } = injectedContainers(settings, proxyFiles, config, templates);

  // Native: meshward-init, then the proxy, before the user's init containers. Classic: the proxy
  // only starts with the app containers, so capture goes last to leave init containers' network alone.
  if (options.nativeSidecar) {
    patch.push(...addToArray('/spec/initContainers', initContainers.length, [init, proxy], 'front'));
  } else {
    patch.push(...addToArray('/spec/initContainers', initContainers.length, [init], 'back'));
    patch.push(...addToArray('/spec/containers', containers.length, [proxy], options.holdApplication ? 'front' : 'back'));
  }
  const volumes: V1Volume[] = [credentialsVolume(config.credentials, serviceAccount), configVolume(), runtimeVolume()];
  patch.push(...addToArray('/spec/volumes', spec.volumes?.length ?? 0, volumes, 'back'));

  const status: InjectionStatus = {
    version: 1,
    initContainers: options.nativeSidecar ? [INIT_CONTAINER_NAME, PROXY_CONTAINER_NAME] : [INIT_CONTAINER_NAME],
    containers: options.nativeSidecar ? [] : [PROXY_CONTAINER_NAME],
    volumes: [CREDENTIALS_VOLUME_NAME, CONFIG_VOLUME_NAME, RUNTIME_VOLUME_NAME],
    nativeSidecar: options.nativeSidecar,
    templateHash: templates.hash,
    configHash: context.configHash,
    proxyConfigHash: proxyFiles.hash,
    trustRoot: context.trustRootFingerprint ?? '',
    mode: modes.workloadMode,
    ports: Object.fromEntries(modes.ports.map((p) => [String(p.port), p.mode])),
    probes: routes,
  };
  const newAnnotations: Record<string, string> = { [ANNOTATION_STATUS]: JSON.stringify(status) };
  if (!annotations[DEFAULT_CONTAINER_ANNOTATION] && containers[0]) newAnnotations[DEFAULT_CONTAINER_ANNOTATION] = containers[0].name;
  patch.push(...addToMap('/metadata/annotations', pod.metadata?.annotations, newAnnotations));
  patch.push(...addToMap('/metadata/labels', pod.metadata?.labels, { [LABEL_INJECTED]: 'true' }));
  return { ok: true, patch, status };
}

