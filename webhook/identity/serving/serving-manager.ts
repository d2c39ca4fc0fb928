// startServingCertManager: keeps the webhook's serving certificate valid, trusted and rotated.
// Every replica reads the Secret and hands each new current certificate to onServingCert (the
// server's reloadTls); only the leader (isLeader()) plans and writes. See serving-plan.ts for the
// phases; this file only runs them against the API.
import type { KubeApi } from '../../kube/api.js';
import { SECRETS } from '../../kube/resources.js';
import { RECONCILE_RETRY_BASE_MS, startReconcileLoop } from '../../kube/runtime/reconcile-loop.js';
import type { Secret } from '../../kube/types.js';
import { issueSingleUseServing, type SingleUseServing, type SingleUseServingInput } from '../../pki/index.js';
import type { TlsPair } from '../../server/tls-files.js';
import type { IdentityLogger } from '../identity-logger.js';
import { caBundlePatchOps, observeWebhookConfig, webhookConfigResource } from './webhook-configs.js';
import { planServing, type ObservedWebhookConfig, type ServingAction, type ServingPhase } from './serving-plan.js';
import { promotedSecret, readServingSecret, stagedSecret, trustedSecret, type ServingMaterial } from './serving-secret.js';
import type { ServingSettings } from './serving-settings.js';

export type { IdentityLogger } from '../identity-logger.js';

/** Issues the next certificate and its single-use CA (default: pki's issueSingleUseServing). */
export type IssueServing = (input: SingleUseServingInput) => SingleUseServing;

/** The calls the serving controller makes. */
export type ServingApi = Pick<KubeApi, 'get' | 'create' | 'replace' | 'patch'>;

export interface ServingCertManagerDeps {
  readonly api: ServingApi;
  readonly settings: ServingSettings;
  /** True while this replica holds the leader lease; only the leader writes. */
  readonly isLeader: () => boolean;
  /** Every new current certificate, once (the running server's reloadTls). */
  readonly onServingCert: (pair: TlsPair) => void;
  readonly logger: IdentityLogger;
  readonly now?: () => Date;
  readonly issue?: IssueServing;
  /** Re-read period; also bounds how late a follower picks up a rotation. Default 10 s. */
  readonly resyncMs?: number;
}

export interface ServingCertManager {
  /** The first certificate to serve: from the Secret, or issued (and trusted) by the leader. */
  readonly ready: Promise<TlsPair>;
  /** Leader only: rotate now; resolves once the new certificate is served (phase b). */
  rotateNow(): Promise<void>;
  /** A reconcile pass now (after the one in flight). */
  reconcileNow(): Promise<void>;
  /** The phase the last leader pass ended in (diagnostics, tests). */
  phase(): ServingPhase | 'follower' | 'starting';
  stop(): Promise<void>;
}

const DEFAULT_RESYNC_MS = 10_000;
const MAX_STEPS_PER_PASS = 8;
const MIN_DELAY_MS = 50;

function short(fingerprint: string): string {
  return fingerprint.slice(0, 16);
}

export function startServingCertManager(deps: ServingCertManagerDeps): ServingCertManager {
  const now = deps.now ?? ((): Date => new Date());
  const issue = deps.issue ?? issueSingleUseServing;
  const resyncMs = deps.resyncMs ?? DEFAULT_RESYNC_MS;
  const { settings, api, logger } = deps;
  const ref = { namespace: settings.namespace, name: settings.secretName };
  let delivered: string | undefined;
  let lastPhase: ServingPhase | 'follower' | 'starting' = 'starting';
  let requestedGen = 0;
  let stagedGen = 0;
  let promotedGen = 0;
  const waiters: Array<{ gen: number; resolve: () => void; reject: (err: Error) => void }> = [];
  let resolveReady!: (pair: TlsPair) => void;
  let rejectReady!: (err: Error) => void;
  const ready = new Promise<TlsPair>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined);

  const deliver = (current: ServingMaterial | undefined): void => {
    if (!current || current.leafFingerprint === delivered) return;
    const pair = { cert: current.certPem, key: current.keyPem };
    deps.onServingCert(pair);
    delivered = current.leafFingerprint;
    logger.info(
      { secret: `${ref.namespace}/${ref.name}`, fingerprint: short(current.leafFingerprint), notAfter: current.notAfter.toISOString() },
      'serving certificate loaded',
    );
    resolveReady(pair);
  };

  const settleWaiters = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.gen <= promotedGen) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  };

  const observeConfigs = async (): Promise<ObservedWebhookConfig[]> => {
    const out: ObservedWebhookConfig[] = [];
    for (const c of settings.webhookConfigs) {
      const object = await api.get(webhookConfigResource(c.kind), undefined, c.name);
      if (object) out.push(observeWebhookConfig(c.kind, c.name, object));
    }
    return out;
  };

  const writeSecret = (existing: Secret | undefined, body: Secret): Promise<Secret> =>
    existing ? api.replace(SECRETS, body) : api.create(SECRETS, body);

  const execute = async (action: ServingAction, raw: Secret | undefined): Promise<Secret | undefined> => {
    switch (action.type) {
      case 'stage': {
        const material = issue({
          dnsNames: settings.dnsNames,
          ipAddresses: settings.ipAddresses,
          validityDays: settings.validityDays,
          now: now(),
        });
        const gen = requestedGen;
        const written = await writeSecret(raw, stagedSecret(raw, ref, material));
        stagedGen = gen;
        logger.info({ secret: `${ref.namespace}/${ref.name}`, reason: action.reason }, 'serving certificate staged; trusting its CA first');
        return written;
      }
      case 'patch-ca-bundle':
        await api.patch(webhookConfigResource(action.kind), undefined, action.name, caBundlePatchOps(action));
        logger.info(
          {
            configuration: `${action.kind}/${action.name}`,
            webhooks: action.webhooks.map((w) => w.name),
            cas: action.webhooks[0]?.caBundle.map((c) => short(c.fingerprint)),
            reason: action.reason,
          },
          'caBundle patched',
        );
        return raw;
      case 'mark-trusted':
        return api.replace(SECRETS, trustedSecret(raw as Secret, ref, action.at));
      case 'promote': {
        const written = await api.replace(SECRETS, promotedSecret(raw as Secret, ref, action.retireAfter));
        promotedGen = stagedGen;
        logger.info(
          { secret: `${ref.namespace}/${ref.name}`, retireAfter: action.retireAfter.toISOString() },
          'serving certificate promoted',
        );
        deliver(readServingSecret(written).current);
        settleWaiters();
        return written;
      }
    }
  };

  const pass = async (): Promise<number> => {
    for (let step = 0; step < MAX_STEPS_PER_PASS; step++) {
      let raw = await api.get(SECRETS, ref.namespace, ref.name);
      const state = readServingSecret(raw);
      deliver(state.current);
      if (!deps.isLeader()) {
        lastPhase = 'follower';
        return resyncMs;
      }
      const configs = await observeConfigs();
      const t = now();
      const plan = planServing({ secret: state, configs, now: t, forceRotation: requestedGen > stagedGen }, settings);
      lastPhase = plan.phase;
      if (plan.actions.length === 0) {
        const until = plan.nextCheckAt ? plan.nextCheckAt.getTime() - t.getTime() : resyncMs;
        return Math.max(MIN_DELAY_MS, Math.min(resyncMs, until));
      }
      for (const action of plan.actions) raw = await execute(action, raw);
    }
    return MIN_DELAY_MS;
  };

  const loop = startReconcileLoop({
    pass,
    backoff: { baseMs: RECONCILE_RETRY_BASE_MS, maxMs: resyncMs },
    onError: (err, consecutive) =>
      logger.warn({ err, secret: `${ref.namespace}/${ref.name}`, consecutive }, 'serving certificate reconcile failed; retrying'),
  });

  return {
    ready,
    rotateNow() {
      if (!deps.isLeader())
        return Promise.reject(new Error('rotateNow: this replica is not the leader; only the leader rotates the serving certificate'));
      requestedGen += 1;
      const done = new Promise<void>((resolve, reject) => waiters.push({ gen: requestedGen, resolve, reject }));
      void loop.trigger();
      return done;
    },
    reconcileNow: () => loop.trigger(),
    phase: () => lastPhase,
    async stop() {
      await loop.stop();
      for (const w of waiters.splice(0)) w.reject(new Error('serving certificate manager stopped'));
      rejectReady(new Error('serving certificate manager stopped before a certificate was available'));
    },
  };
}
