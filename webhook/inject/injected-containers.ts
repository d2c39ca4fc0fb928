import type { V1Container } from '@kubernetes/client-node';
import { ANNOTATION_PREFIX, POD_ANNOTATIONS } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { deepFreeze } from '../json/deep-freeze.js';
import { buildCaptureEnv } from './capture-env.js';
import { proxyResources, readPodOptions, type AnnotationProblem, type PodInjectionOptions } from './pod-options.js';
import { RenderCache } from './render-cache.js';
import { fillTemplate } from '../template/fill-template.js';
import type { InjectionTemplates } from './templates.js';

// What a pod's meshward.io/* annotations ask for, and the two containers rendered from it, are
// the same for every replica of a workload: both are pure functions of (config, annotations,
// templates), so they are computed once and shared, deep-frozen: the response encoder remembers
// the encoding of frozen values (admission/patch-base64.ts). Both caches still pay: reading the
// annotations builds the capture rules (CIDR parsing, ~2 KB of text), and a shared frozen
// container is encoded once, not on every admission.

/** The pod's validated annotations: proxy options and meshward-init's capture rules. */
export interface PodSettings {
  readonly options: PodInjectionOptions;
  readonly captureEnv: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

export interface InjectedContainers {
  readonly init: V1Container;
  readonly proxy: V1Container & { restartPolicy?: string; lifecycle?: unknown };
}

const settingsCache = new RenderCache<PodSettings>(256);
// Full annotation names, made once: looking up a freshly concatenated string costs a hash each time.
const ANNOTATION_KEYS = POD_ANNOTATIONS.map((name) => ANNOTATION_PREFIX + name);
// Keyed by the settings (a shared render), checked against config and templates.
const containersCache = new WeakMap<
  PodSettings,
  { config: MeshwardConfig; templates: InjectionTemplates; containers: InjectedContainers }
>();

/** Reads and validates the annotations; undefined (with every problem listed) when one is invalid. */
export function podSettings(
  annotations: Readonly<Record<string, string>>,
  config: MeshwardConfig,
  problems: AnnotationProblem[],
): PodSettings | undefined {
  let key = '';
  for (const name of ANNOTATION_KEYS) {
    const value = annotations[name];
    key += value === undefined ? '-,' : `${JSON.stringify(value)},`;
  }
  return settingsCache.get(config, key, () => {
    const found: AnnotationProblem[] = [];
    const options = readPodOptions(annotations, config, found);
    const captureEnv = buildCaptureEnv(annotations, config, found);
    if (found.length > 0 || !captureEnv) {
      problems.push(...found);
      return undefined;
    }
    return Object.freeze({ options: Object.freeze(options), captureEnv: Object.freeze(captureEnv.map((e) => Object.freeze(e))) });
  });
}

/** meshward-init and meshward-proxy for these settings (shared and frozen). */
export function injectedContainers(settings: PodSettings, config: MeshwardConfig, templates: InjectionTemplates): InjectedContainers {
  const cached = containersCache.get(settings);
  if (cached && cached.config === config && cached.templates === templates) return cached.containers;
  const containers = renderContainers(settings, config, templates);
  containersCache.set(settings, { config, templates, containers });
  return containers;
}

function renderContainers({ options, captureEnv }: PodSettings, config: MeshwardConfig, templates: InjectionTemplates): InjectedContainers {
  const init = fillTemplate(templates.init, {
    initImage: config.proxy.initImage,
    initEnv: captureEnv.map((e) => ({ ...e })),
    initResources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
  }) as V1Container;
  const proxy = fillTemplate(templates.proxy, {
    proxyImage: options.proxyImage,
    proxyLogLevel: options.proxyLogLevel,
    concurrency: String(config.proxy.concurrency),
    proxyResources: proxyResources(options),
    proxyUid: config.proxy.uid,
    proxyGid: config.proxy.gid,
  }) as InjectedContainers['proxy'];
  if (options.nativeSidecar) proxy.restartPolicy = 'Always';
  else if (options.holdApplication) proxy.lifecycle = structuredClone(templates.holdApplication);
  return { init: deepFreeze(init), proxy: deepFreeze(proxy) };
}
