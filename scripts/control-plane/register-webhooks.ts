// Points meshward's webhook configurations at a locally running meshward
// (https://127.0.0.1:<port>), installs the CRDs, and waits until the API server really calls it.
import { existsSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { KubeObject } from '../../webhook/admission/types.js';
import { LABEL_INJECT, LABEL_INJECTED } from '../../webhook/config/names.js';
import { readManifestPaths } from '../../webhook/kube/manifests.js';
import type { ControlPlane } from './control-plane.js';
import { repoRoot } from './ensure-binaries.js';
import { sleep } from './processes.js';

export const WEBHOOK_KINDS = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const;
export const DEFAULT_CANARY_NAMESPACE = 'meshward-canary';
const FIELD_MANAGER = 'meshward-e2e';

export interface CanaryContext {
  readonly controlPlane: ControlPlane;
  /** A namespace labelled meshward.io/inject=enabled (its default ServiceAccount exists). */
  readonly namespace: string;
  /** 1-based attempt number. */
  readonly attempt: number;
  /**
   * Creates a Pod with server-side dry run (nothing is persisted) and returns the object the
   * API server answered with, after all admission; throws when admission refused it.
   */
  dryRunPod(pod?: KubeObject): Promise<KubeObject>;
}

/** true once meshward's webhooks are live; false or a throw means "not yet" (retried). */
export type CanaryCheck = (ctx: CanaryContext) => Promise<boolean>;

/** The canary pod: tiny, labelled so it is recognisable in meshward's logs. */
export function canaryPod(namespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'meshward-canary', namespace, labels: { app: 'meshward-canary' } },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
  };
}

/** Ready when the dry-run pod comes back carrying the injector's marker label (meshward.io/injected=true). */
export function injectedLabelCanary(): CanaryCheck {
  return async (ctx) => {
    const pod = await ctx.dryRunPod();
    return pod.metadata?.labels?.[LABEL_INJECTED] === 'true';
  };
}

/** Sum of every `meshward_admissions_total` sample (optionally of one webhook) on meshward's /metrics. */
export async function readAdmissionsTotal(metricsUrl: string, caPem: string, webhook?: 'mutate' | 'validate'): Promise<number> {
  const text = await new Promise<string>((resolveText, reject) => {
    const req = httpsRequest(metricsUrl, { method: 'GET', ca: caPem, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolveText(body) : reject(new Error(`${metricsUrl}: HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${metricsUrl}: timeout`)));
    req.on('error', reject);
    req.end();
  });
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^meshward_admissions_total(\{[^}]*\})?\s+([0-9.eE+-]+)/.exec(line);
    if (!m) continue;
    if (webhook && !(m[1] ?? '').includes(`webhook="${webhook}"`)) continue;
    total += Number(m[2]);
  }
  return total;
}

/**
 * Ready when a dry-run pod makes meshward's `meshward_admissions_total` grow: works with any
 * handler (even one that changes nothing), as long as the API server reached meshward.
 */
export function metricsCanary(options: { metricsUrl: string; caPem: string; webhook?: 'mutate' | 'validate' }): CanaryCheck {
  return async (ctx) => {
    const before = await readAdmissionsTotal(options.metricsUrl, options.caPem, options.webhook);
    try {
      await ctx.dryRunPod();
    } catch {
      // a refusal still counts if meshward answered it
    }
    return (await readAdmissionsTotal(options.metricsUrl, options.caPem, options.webhook)) > before;
  };
}

/** Either signal: the injected label, or meshward's admission counter growing. */
export function anyCanary(...checks: CanaryCheck[]): CanaryCheck {
  return async (ctx) => {
    for (const check of checks) {
      try {
        if (await check(ctx)) return true;
      } catch {
        // try the next signal
      }
    }
    return false;
  };
}

export interface RegisterWebhooksOptions {
  readonly controlPlane: ControlPlane;
  /** Where meshward listens, e.g. https://127.0.0.1:8443 (no trailing path). */
  readonly meshwardUrl: string;
  /** PEM CA that verifies meshward's serving certificate (becomes each clientConfig.caBundle). */
  readonly caBundlePem: string;
  /** Parsed manifests; the webhook configurations (and any CRDs) among them are used. */
  readonly manifests: readonly KubeObject[];
  /** CRD files or directories to apply first (default: <repo>/manifests/crds when it exists). */
  readonly crdPaths?: readonly string[];
  /**
   * Readiness check, repeated until true (default: the injected label or, when no injector
   * exists yet, meshward's meshward_admissions_total growing).
   */
  readonly canary?: CanaryCheck;
  /** Opted-in namespace for the canary (created if missing). Default meshward-canary. */
  readonly canaryNamespace?: string;
  /** Bound for CRDs Established + canary success. Default 60 s. */
  readonly timeoutMs?: number;
}

export interface RegisteredWebhooks {
  /** The rewritten configurations, as applied. */
  readonly configurations: readonly KubeObject[];
  readonly crds: readonly string[];
  readonly canaryAttempts: number;
  /** From the first apply to the canary's success. */
  readonly readyMs: number;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Rewrites every webhook's clientConfig to `{url: <meshwardUrl><path>, caBundle}`, where the path
 * comes from `clientConfig.service.path` (or an existing url's path).
 */
export function rewriteWebhookConfigurations(manifests: readonly KubeObject[], meshwardUrl: string, caBundlePem: string): KubeObject[] {
  const base = meshwardUrl.replace(/\/+$/, '');
  if (!/^https:\/\//.test(base))
    throw new Error(`meshwardUrl must be https:// (the API server only calls webhooks over TLS): ${meshwardUrl}`);
  const caBundle = Buffer.from(caBundlePem).toString('base64');
  const out: KubeObject[] = [];
  for (const object of manifests) {
    if (!(WEBHOOK_KINDS as readonly string[]).includes(object.kind ?? '')) continue;
    const copy = clone(object);
    const name = copy.metadata?.name ?? '(unnamed)';
    const webhooks = (copy.webhooks ?? []) as Array<Record<string, any>>;
    for (const webhook of webhooks) {
      const cc = (webhook.clientConfig ?? {}) as { service?: { path?: string }; url?: string };
      const path = cc.service?.path ?? (cc.url ? new URL(cc.url).pathname : undefined);
      if (!path)
        throw new Error(`${copy.kind} ${name}, webhook ${webhook.name}: clientConfig has no service.path or url to take the path from`);
      webhook.clientConfig = { url: `${base}${path.startsWith('/') ? path : `/${path}`}`, caBundle };
    }
    out.push(copy);
  }
  if (out.length === 0) throw new Error(`no ${WEBHOOK_KINDS.join(' or ')} among the ${manifests.length} manifest object(s)`);
  return out;
}

function defaultCrdPaths(): string[] {
  const dir = join(repoRoot(), 'manifests', 'crds');
  return existsSync(dir) ? [dir] : [];
}

/** Applies objects with server-side apply (one kubectl call). */
async function serverSideApply(cp: ControlPlane, objects: readonly KubeObject[]): Promise<void> {
  if (objects.length === 0) return;
  await cp.kubectl(['apply', '--server-side', '--force-conflicts', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], {
    input: { apiVersion: 'v1', kind: 'List', items: objects },
  });
}

/** Applies CRDs and waits until each is Established; returns their names. */
/** Installs meshward's CRDs (manifests/crds) and waits until they are Established: meshward's
 * caches, and so its readiness, wait for them, as in a real install where the CRDs come first. */
export async function installMeshwardCrds(cp: ControlPlane, timeoutMs = 60_000): Promise<string[]> {
  const crds = readManifestPaths(defaultCrdPaths())
    .map((s) => s.object)
    .filter((o) => o.kind === 'CustomResourceDefinition');
  return applyCrds(cp, crds, timeoutMs);
}

export async function applyCrds(cp: ControlPlane, crds: readonly KubeObject[], timeoutMs = 60_000): Promise<string[]> {
  const names = crds.map((c) => c.metadata?.name).filter((n): n is string => !!n);
  if (names.length === 0) return [];
  await serverSideApply(cp, crds);
  await cp.kubectl(
    [
      'wait',
      '--for=condition=Established',
      `--timeout=${Math.ceil(timeoutMs / 1000)}s`,
      ...names.map((n) => `customresourcedefinition/${n}`),
    ],
    {
      timeoutMs: timeoutMs + 10_000,
    },
  );
  return names;
}

/**
 * Installs CRDs and meshward's webhook configurations pointed at meshwardUrl, then repeats the
 * canary until the API server demonstrably calls meshward (configurations take effect a moment
 * after they are written). Throws after timeoutMs with the canary's last error.
 */
export async function registerMeshwardWebhooks(options: RegisterWebhooksOptions): Promise<RegisteredWebhooks> {
  const cp = options.controlPlane;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const t0 = Date.now();
  const configurations = rewriteWebhookConfigurations(options.manifests, options.meshwardUrl, options.caBundlePem);

  const crdByName = new Map<string, KubeObject>();
  for (const o of [...readManifestPaths(options.crdPaths ?? defaultCrdPaths()).map((s) => s.object), ...options.manifests]) {
    if (o.kind === 'CustomResourceDefinition' && o.metadata?.name) crdByName.set(o.metadata.name, o);
  }
  const crdObjects = [...crdByName.values()];
  const crds = await applyCrds(cp, crdObjects, timeoutMs);

  const namespace = options.canaryNamespace ?? DEFAULT_CANARY_NAMESPACE;
  await cp.ensureNamespace(namespace, { [LABEL_INJECT]: 'enabled' });
  await serverSideApply(cp, configurations);

  const metricsUrl = `${options.meshwardUrl.replace(/\/+$/, '')}/metrics`;
  // The canary pod lands in an opted-in (not STRICT) namespace: with an injector registered, only
  // /mutate proves the injector's configuration is live, so only its counter counts.
  const hasInjector = configurations.some((c) => c.kind === 'MutatingWebhookConfiguration');
  const canary =
    options.canary ??
    anyCanary(
      injectedLabelCanary(),
      metricsCanary({ metricsUrl, caPem: options.caBundlePem, webhook: hasInjector ? 'mutate' : undefined }),
    );
  const deadline = t0 + timeoutMs;
  let lastError = '';
  for (let attempt = 1; ; attempt++) {
    const ctx: CanaryContext = {
      controlPlane: cp,
      namespace,
      attempt,
      async dryRunPod(pod = canaryPod(namespace)) {
        const res = await cp.request('POST', `/api/v1/namespaces/${namespace}/pods?dryRun=All&fieldManager=${FIELD_MANAGER}`, pod);
        if (res.status !== 201 && res.status !== 200)
          throw new Error(`dry-run pod: HTTP ${res.status}: ${res.json<{ message?: string }>().message ?? res.body}`);
        return res.json<KubeObject>();
      },
    };
    try {
      if (await canary(ctx)) return { configurations, crds, canaryAttempts: attempt, readyMs: Date.now() - t0 };
      lastError = 'the canary saw no sign of meshward';
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `meshward webhooks at ${options.meshwardUrl} not live after ${timeoutMs} ms (${attempt} canary attempts; last: ${lastError})`,
      );
    }
    await sleep(Math.min(100 * attempt, 1000));
  }
}

export interface UnregisterWebhooksOptions {
  readonly controlPlane: ControlPlane;
  /** The same manifests given to registerMeshwardWebhooks (their webhook configurations are deleted). */
  readonly manifests: readonly KubeObject[];
  /** Also delete these CRDs (default: keep them; deleting a CRD deletes all its objects). */
  readonly deleteCrds?: readonly string[];
}

/** Deletes meshward's webhook configurations (missing ones are fine). Takes effect within a moment. */
export async function unregisterMeshwardWebhooks(options: UnregisterWebhooksOptions): Promise<void> {
  const cp = options.controlPlane;
  const targets = options.manifests
    .filter((o) => (WEBHOOK_KINDS as readonly string[]).includes(o.kind ?? '') && o.metadata?.name)
    .map((o) => `${(o.kind as string).toLowerCase()}.admissionregistration.k8s.io/${o.metadata!.name}`);
  for (const crd of options.deleteCrds ?? []) targets.push(`customresourcedefinition.apiextensions.k8s.io/${crd}`);
  if (targets.length === 0) return;
  await cp.kubectl(['delete', '--ignore-not-found', '--wait=true', ...targets]);
}
