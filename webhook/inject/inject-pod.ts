import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { PatchOperation } from '../admission/types.js';
import { ANNOTATION_STATUS, DEFAULT_CONTAINER_ANNOTATION, LABEL_INJECTED, PROXY_CONTAINER_NAME } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { deepFreeze } from '../json/deep-freeze.js';
import { addToArray, addToMap } from './json-pointer.js';
import { injectedContainers, podSettings, type InjectedContainers } from './injected-containers.js';
import type { AnnotationProblem, PodInjectionOptions } from './pod-options.js';
import { podProbeRewrites, probeRewriteOperations, type ProbeRoute } from './probes.js';
import { checkProxyProbes } from './proxy-probes.js';
import { reservedPortProblems } from './reserved-ports.js';
import { RenderCache } from './render-cache.js';
import { sharedOperation } from './shared-operations.js';
import type { InjectionTemplates } from './templates.js';
import { configVolume, credentialsVolume, runtimeVolume } from './volumes.js';

/**
 * Everything an injection depends on besides the pod: fixed at start-up or read per request. Not
 * the policies: the proxy's modes arrive live from the xDS server, so the patch never carries them.
 */
export interface InjectionContext {
  readonly config: MeshwardConfig;
  readonly templates: InjectionTemplates;
  /** Hash of the config that shapes injection (status annotation, drift detection). */
  readonly configHash: string;
  /** sha256 fingerprint of the trust root the pod will trust, when known. */
  readonly trustRootFingerprint?: string;
}

/**
 * What meshward.io/status records (JSON): from which inputs the pod was injected, and the original
 * probe targets. Version 2: the proxy takes its configuration from the xDS server, which reads the
 * probe targets here. Which containers and volumes are meshward's is fixed by name (config/names.ts)
 * and plain in the spec, so the annotation no longer lists them.
 */
export interface InjectionStatus {
  readonly version: 2;
  readonly templateHash: string;
  readonly configHash: string;
  readonly trustRoot: string;
  /** Original probe targets: the xDS server routes the status port by them, and a reinvocation keeps them. */
  readonly probes: ProbeRoute[];
}

export type InjectionResult =
  | { readonly ok: true; readonly patch: PatchOperation[] }
  | { readonly ok: false; readonly reason: 'invalid-annotation' | 'reserved-port'; readonly problems: AnnotationProblem[] };

/** Declared TCP ports of the app containers and user sidecars (what the proxy serves inbound). */
export function declaredPorts(pod: V1Pod): number[] {
  const ports = new Set<number>();
  const add = (c: V1Container): void => {
    if (c.name === PROXY_CONTAINER_NAME || !c.ports) return;
    for (const p of c.ports) if ((p.protocol ?? 'TCP') === 'TCP' && Number.isInteger(p.containerPort)) ports.add(p.containerPort);
  };
  for (const c of pod.spec?.containers ?? []) add(c);
  for (const c of pod.spec?.initContainers ?? []) if (c.restartPolicy === 'Always') add(c);
  return [...ports].sort((a, b) => a - b);
}

/**
 * The injection of one pod as RFC 6902 operations, built directly (no clone-and-diff). Pure: the
 * same pod and context always give the same patch.
 */
export function injectPod(pod: V1Pod, context: InjectionContext): InjectionResult {
  const { config, templates } = context;
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
  const patch: PatchOperation[] = [];
  const routes: ProbeRoute[] = [];

  // Probe rewrites first: they address containers by index, before anything is inserted. Replicas
  // rewrite alike: sharedOperation (shared-operations.ts) hands out one frozen operation.
  if (options.rewriteProbes) {
    const owner = pod.metadata?.ownerReferences?.find((o) => o.controller)?.uid;
    // Only groups the cache (a hit is compared in full): a plain join will do.
    const workload = `${pod.metadata?.namespace}/${owner ?? pod.metadata?.generateName ?? pod.metadata?.name}`;
    for (const r of podProbeRewrites(spec)) {
      for (const op of probeRewriteOperations(r))
        patch.push(op.op === 'remove' ? deepFreeze(op) : sharedOperation(workload, op.op, op.path, op.value as object));
      routes.push(r.route);
    }
  }

  const containersOfWorkload = injectedContainers(settings, config, templates);
  const layout: PodLayout = {
    hasInitContainers: initContainers.length > 0,
    hasContainers: containers.length > 0,
    hasVolumes: (spec.volumes?.length ?? 0) > 0,
    hasAnnotations: pod.metadata?.annotations !== undefined,
    hasLabels: pod.metadata?.labels !== undefined,
    defaultContainer: annotations[DEFAULT_CONTAINER_ANNOTATION] ? undefined : containers[0]?.name,
  };
  // Everything below the probe rewrites is the same for every replica of a workload: built once
  // per workload render and pod layout, deep-frozen (the encoder remembers the bytes of frozen values).
  // The owner, the containers, stands for the settings (config, annotations) and the templates; the
  // key adds what buildSharedOps reads besides them: the account (credentials volume) and the probe
  // routes (status annotation).
  const serviceAccount = spec.serviceAccountName || 'default';
  let key = `${context.configHash}\n${context.trustRootFingerprint ?? ''}\n${templates.hash}\n${JSON.stringify(serviceAccount)}${JSON.stringify(routes)}`;
  key += `\n${+layout.hasInitContainers}${+layout.hasContainers}${+layout.hasVolumes}${+layout.hasAnnotations}${+layout.hasLabels}${JSON.stringify(layout.defaultContainer) ?? '-'}`;
  const shared = sharedOps.get(containersOfWorkload, key, () =>
    buildSharedOps(settings.options, containersOfWorkload, { ...context, serviceAccount, routes, layout }).map((op) => deepFreeze(op)),
  )!;
  patch.push(...shared);
  return { ok: true, patch };
}

/** Which of the arrays and maps the injection adds to exist already: they decide the operations' shape. */
interface PodLayout {
  readonly hasInitContainers: boolean;
  readonly hasContainers: boolean;
  readonly hasVolumes: boolean;
  readonly hasAnnotations: boolean;
  readonly hasLabels: boolean;
  /** The container kubectl picks by default, when the pod names none. */
  readonly defaultContainer: string | undefined;
}

const sharedOps = new RenderCache<readonly PatchOperation[]>(64);

interface SharedOpsInput extends InjectionContext {
  readonly serviceAccount: string;
  readonly routes: ProbeRoute[];
  readonly layout: PodLayout;
}

/** The containers, volumes, status annotation and label: a pure function of the input. */
function buildSharedOps(options: PodInjectionOptions, { init, proxy }: InjectedContainers, input: SharedOpsInput): PatchOperation[] {
  const { config, layout } = input;
  // Routes the xDS server could not render would leave the proxy without a status listener.
  checkProxyProbes(input.routes);
  const ops: PatchOperation[] = [];
  // Native: meshward-init, then the proxy, before the user's init containers. Classic: the proxy
  // only starts with the app containers, so capture goes last to leave init containers' network alone.
  const initLength = layout.hasInitContainers ? 1 : 0;
  if (options.nativeSidecar) {
    ops.push(...addToArray('/spec/initContainers', initLength, [init, proxy], 'front'));
  } else {
    ops.push(...addToArray('/spec/initContainers', initLength, [init], 'back'));
    ops.push(...addToArray('/spec/containers', layout.hasContainers ? 1 : 0, [proxy], options.holdApplication ? 'front' : 'back'));
  }
  const volumes: V1Volume[] = [credentialsVolume(config.credentials, input.serviceAccount), configVolume(), runtimeVolume()];
  ops.push(...addToArray('/spec/volumes', layout.hasVolumes ? 1 : 0, volumes, 'back'));

  const status: InjectionStatus = {
    version: 2,
    templateHash: input.templates.hash,
    configHash: input.configHash,
    trustRoot: input.trustRootFingerprint ?? '',
    probes: input.routes,
  };
  const newAnnotations: Record<string, string> = { [ANNOTATION_STATUS]: JSON.stringify(status) };
  if (layout.defaultContainer !== undefined) newAnnotations[DEFAULT_CONTAINER_ANNOTATION] = layout.defaultContainer;
  ops.push(...addToMap('/metadata/annotations', layout.hasAnnotations ? {} : undefined, newAnnotations));
  ops.push(...addToMap('/metadata/labels', layout.hasLabels ? {} : undefined, { [LABEL_INJECTED]: 'true' }));
  return ops;
}
