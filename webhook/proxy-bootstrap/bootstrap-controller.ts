// startProxyBootstrap: keeps the ConfigMap meshward-proxy (the proxy's static bootstrap, rendered
// once from the configuration) in every namespace labelled meshward.io/inject=enabled, rewrites it
// when it differs (a new configuration, a hand edit) and deletes meshward's own when a namespace
// stops opting in. It follows the namespaces informer `meshward serve` already runs (no watch of its
// own) and reads each ConfigMap by name: meshward may not list or watch ConfigMaps. Only the leader
// writes; each decision is planProxyBootstrap's (pure), this file reads and writes.
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { LABEL_INJECT, PROXY_BOOTSTRAP_CONFIGMAP, SYSTEM_NAMESPACES } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import type { KubeApi } from '../kube/api.js';
import { CONFIG_MAPS } from '../kube/resources.js';
import { backoffDelayMs, type BackoffPolicy } from '../kube/runtime/backoff.js';
import type { Informer } from '../kube/runtime/informer.js';
import { RECONCILE_RETRY_BASE_MS, startReconcileLoop } from '../kube/runtime/reconcile-loop.js';
import { KeyedWorkQueue } from '../kube/runtime/work-queue.js';
import type { ConfigMap, Namespace } from '../kube/types.js';
import { desiredProxyBootstrapData, proxyConfigMapBody, readProxyConfigMap } from './bootstrap-configmap.js';
import { planProxyBootstrap, type ProxyBootstrapAction } from './bootstrap-plan.js';

export type ProxyBootstrapApi = Pick<KubeApi, 'get' | 'create' | 'replace' | 'delete'>;
/** What this controller uses of the namespaces informer (kube/runtime/informer.ts). */
export type NamespaceSource = Pick<Informer<Namespace>, 'get' | 'list' | 'subscribe' | 'synced'>;

export interface ProxyBootstrapDeps {
  readonly api: ProxyBootstrapApi;
  readonly namespaces: NamespaceSource;
  readonly config: MeshwardConfig;
  readonly isLeader: () => boolean;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** Where meshward_proxy_bootstrap_foreign_configmaps goes; none when absent. */
  readonly registry?: Registry;
  /** How often every opted-in namespace is read again (repairs hand edits and deletions). Default 60 s. */
  readonly resyncMs?: number;
  /** How often leadership is looked at. Default 2 s. */
  readonly leaderCheckMs?: number;
  /** ConfigMap calls in flight at once. Default 4. */
  readonly concurrency?: number;
}

export interface ProxyBootstrapController {
  /** Opted-in namespaces whose meshward-proxy ConfigMap is someone else's (never written over). */
  foreign(): string[];
  /** Queues every namespace that needs a look, as a resync does, and resolves once that work is done. */
  resync(): Promise<void>;
  stop(): Promise<void>;
}

export function optsIn(ns: Namespace): boolean {
  return ns.metadata.labels?.[LABEL_INJECT] === 'enabled' && !SYSTEM_NAMESPACES.includes(ns.metadata.name);
}

export function startProxyBootstrap(deps: ProxyBootstrapDeps): ProxyBootstrapController {
  const { api, namespaces, logger } = deps;
  const resyncMs = deps.resyncMs ?? 60_000;
  const retry: BackoffPolicy = { baseMs: RECONCILE_RETRY_BASE_MS, maxMs: resyncMs };
  const desired = desiredProxyBootstrapData(deps.config);
  const foreign = new Set<string>();
  // Namespaces that do not opt in and hold nothing of ours (as last read): not read again until
  // they opt in. Emptied at every start of leadership: another replica may have led meanwhile.
  const clean = new Set<string>();
  const failures = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const gauge = deps.registry
    ? new Gauge({
        name: 'meshward_proxy_bootstrap_foreign_configmaps',
        help: 'Opted-in namespaces whose meshward-proxy ConfigMap is not managed by meshward: their proxies would start from it',
        registers: [deps.registry],
      })
    : undefined;
  let leading = false;
  let synced = false;
  let lastFull = 0;
  let stopped = false;

  const apply = async (namespace: string, action: ProxyBootstrapAction, existing: ConfigMap | undefined): Promise<void> => {
    if (action.type === 'create') await api.create(CONFIG_MAPS, proxyConfigMapBody(namespace, desired));
    else if (action.type === 'update') await api.replace(CONFIG_MAPS, proxyConfigMapBody(namespace, desired, existing));
    else if (action.type === 'delete') await api.delete(CONFIG_MAPS, namespace, PROXY_BOOTSTRAP_CONFIGMAP);
    if (action.type !== 'none')
      logger.info(
        { configMap: `${namespace}/${PROXY_BOOTSTRAP_CONFIGMAP}`, action: action.type, reason: action.reason },
        'proxy bootstrap written',
      );
    if (action.type === 'none' && action.foreign) {
      if (!foreign.has(namespace))
        logger.warn(
          { configMap: `${namespace}/${PROXY_BOOTSTRAP_CONFIGMAP}`, reason: action.reason },
          'proxy bootstrap left alone: not ours',
        );
      foreign.add(namespace);
    } else foreign.delete(namespace);
    gauge?.set(foreign.size);
  };

  const reconcile = async (name: string): Promise<void> => {
    if (stopped || !deps.isLeader()) return;
    const ns = namespaces.get(undefined, name);
    // A deleted namespace takes its ConfigMaps with it.
    if (ns === undefined) return;
    const optedIn = optsIn(ns);
    if (!optedIn && clean.has(name)) return;
    const existing = await api.get(CONFIG_MAPS, name, PROXY_BOOTSTRAP_CONFIGMAP);
    await apply(name, planProxyBootstrap({ optedIn, desired, existing: existing && readProxyConfigMap(existing) }), existing);
    if (optedIn) clean.delete(name);
    else clean.add(name);
  };

  const queue = new KeyedWorkQueue<true>(deps.concurrency ?? 4, async (name) => {
    try {
      await reconcile(name);
      failures.delete(name);
    } catch (err) {
      // A lost race (409: created or changed meanwhile) is read again at once; anything else backs off.
      const n = (failures.get(name) ?? 0) + 1;
      failures.set(name, n);
      const delay = backoffDelayMs(retry, n, err);
      logger.warn({ err, namespace: name, retryInMs: delay }, 'proxy bootstrap write failed; retrying');
      const timer = setTimeout(() => (timers.delete(timer), queue.add(name, true)), delay);
      timer.unref();
      timers.add(timer);
    }
  });

  const fullPass = (): void => {
    lastFull = Date.now();
    for (const ns of namespaces.list()) if (optsIn(ns) || !clean.has(ns.metadata.name)) queue.add(ns.metadata.name, true);
  };

  const unsubscribe = namespaces.subscribe({
    onUpsert: (ns) => void (leading && queue.add(ns.metadata.name, true)),
    onDelete: (ns) => {
      const name = ns.metadata.name;
      clean.delete(name);
      if (foreign.delete(name)) gauge?.set(foreign.size);
      queue.forget(name);
    },
    onSynced: () => void (leading && fullPass()),
  });
  void namespaces.synced.then(
    () => void (synced = true),
    () => undefined,
  );

  // Leadership is looked at on a short period; the full pass runs at its start and every resyncMs.
  const loop = startReconcileLoop({
    pass: async () => {
      const now = deps.isLeader();
      if (now && !leading) clean.clear();
      leading = now;
      if (leading && synced && (lastFull === 0 || Date.now() - lastFull >= resyncMs)) fullPass();
      if (!leading) lastFull = 0;
      return Math.min(deps.leaderCheckMs ?? 2_000, resyncMs);
    },
    backoff: retry,
    onError: (err) => logger.warn({ err }, 'proxy bootstrap pass failed'),
  });

  return {
    foreign: () => [...foreign].sort(),
    async resync() {
      await namespaces.synced.catch(() => undefined);
      synced = true;
      await loop.trigger();
      if (leading && synced) fullPass();
      await queue.idle();
    },
    async stop() {
      stopped = true;
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await loop.stop();
      await queue.close();
    },
  };
}
