// startSecretFallback: on clusters without PodCertificateRequest v1 (API discovery), or when
// credentials.source is "secret", keeps one SVID Secret per ServiceAccount and a trust-bundle
// ConfigMap in every meshed namespace, re-issuing at half-life. Only the leader writes; the
// decisions are planFallback's (pure), this file reads, issues and writes.
import type { CredentialSource, KeyType } from '../../config/types.js';
import { LABEL_INJECT, LABEL_INJECTED, SYSTEM_NAMESPACES } from '../../config/names.js';
import { FALLBACK_TRUST_CONFIGMAP, fallbackSecretName } from '../../config/names.js';
import { generateKeyPairFor, issueSvid, type MeshCa } from '../../pki/index.js';
import { isConflict } from '../../kube/errors.js';
import { CONFIG_MAPS, POD_CERTIFICATE_REQUESTS, SECRETS } from '../../kube/resources.js';
import { RECONCILE_RETRY_BASE_MS, startReconcileLoop } from '../../kube/runtime/reconcile-loop.js';
import type { IdentityLogger } from '../identity-logger.js';
import { decideFallback, type FallbackStatus } from './fallback-decision.js';
import {
  FALLBACK_SELECTOR,
  identitySecretBody,
  readIdentitySecret,
  readTrustConfigMap,
  trustConfigMapBody,
  type ServiceAccountRef,
} from './fallback-objects.js';
import { planFallback, type FallbackAction, type FallbackObservation, type FallbackSkip } from './fallback-plan.js';
import * as reads from './fallback-reads.js';
import type { FallbackApi } from './fallback-reads.js';

export interface SecretFallbackDeps {
  readonly api: FallbackApi;
  /** config.credentials.source: "secret" forces the fallback. */
  readonly configuredSource: CredentialSource;
  /** The signing CA (e.g. the identity CaStore's current()); undefined while it is not loaded yet. */
  readonly currentCa: () => MeshCa | undefined | Promise<MeshCa | undefined>;
  readonly trustDomain: string;
  /** SVID lifetime (config.credentials.maxExpirationSeconds; at least 3600). */
  readonly ttlSeconds: number;
  /** Default ECDSAP256. */
  readonly keyType?: KeyType;
  readonly isLeader: () => boolean;
  readonly logger: IdentityLogger;
  readonly now?: () => Date;
  /** Full re-list period. Default 30 s. */
  readonly resyncMs?: number;
}

export interface FallbackReport {
  readonly created: number;
  readonly updated: number;
  readonly trustBundles: number;
  readonly failed: number;
  readonly skipped: readonly FallbackSkip[];
}

export interface SecretFallback {
  /**
   * Resolves once discovery has decided (retried until the API answers): whether the fallback runs,
   * and the credential source the injector must use. The first pass follows at once (reconcileNow()
   * resolves after it).
   */
  readonly ready: Promise<FallbackStatus>;
  status(): FallbackStatus | undefined;
  lastReport(): FallbackReport | undefined;
  reconcileNow(): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULT_RESYNC_MS = 30_000;
const IDLE_MS = 3_600_000;
const CA_WAIT_MS = 2_000;

export const MESHED_NAMESPACE_SELECTOR = `${LABEL_INJECT}=enabled`;
export const INJECTED_POD_SELECTOR = `${LABEL_INJECTED}=true`;

class FallbackPassError extends Error {
  constructor(readonly failed: number) {
    super(`${failed} Secret fallback write(s) failed`);
  }
}

export function startSecretFallback(deps: SecretFallbackDeps): SecretFallback {
  const now = deps.now ?? ((): Date => new Date());
  const resyncMs = deps.resyncMs ?? DEFAULT_RESYNC_MS;
  const keyType = deps.keyType ?? 'ECDSAP256';
  const { api, logger } = deps;
  let status: FallbackStatus | undefined;
  let report: FallbackReport | undefined;
  let lastSkipped = '';
  let waitingForCa = false;
  let resolveReady!: (s: FallbackStatus) => void;
  const ready = new Promise<FallbackStatus>((resolve) => (resolveReady = resolve));

  const observe = async (ca: MeshCa): Promise<FallbackObservation> => {
    const meshedNamespaces = (await reads.listNamespaceNames(api, MESHED_NAMESPACE_SELECTOR)).filter((n) => !SYSTEM_NAMESPACES.includes(n));
    const serviceAccounts: ServiceAccountRef[] = [];
    for (const namespace of meshedNamespaces) serviceAccounts.push(...(await reads.listServiceAccounts(api, namespace)));
    const known = new Set(serviceAccounts.map((s) => `${s.namespace}/${s.name}`));
    for (const p of await reads.listPodServiceAccounts(api, INJECTED_POD_SELECTOR)) {
      const k = `${p.namespace}/${p.serviceAccount}`;
      if (known.has(k) || SYSTEM_NAMESPACES.includes(p.namespace)) continue;
      known.add(k);
      const sa = await reads.getServiceAccount(api, p.namespace, p.serviceAccount);
      if (sa) serviceAccounts.push(sa);
    }
    const secrets = (await reads.listSecrets(api, FALLBACK_SELECTOR)).map((s) => readIdentitySecret(s, ca.certificate));
    const configMaps = (await reads.listConfigMaps(api, FALLBACK_SELECTOR)).map(readTrustConfigMap);
    return {
      meshedNamespaces,
      serviceAccounts,
      secrets,
      configMaps,
      trustBundlePem: ca.trustBundlePem,
      trustDomain: deps.trustDomain,
      now: now(),
    };
  };

  const apply = async (action: FallbackAction, ca: MeshCa): Promise<void> => {
    if (action.type === 'issue-secret') {
      const sa = action.serviceAccount;
      const { publicKey, privateKey } = generateKeyPairFor(keyType);
      const svid = issueSvid({
        ca,
        subjectPublicKey: publicKey,
        trustDomain: deps.trustDomain,
        namespace: sa.namespace,
        serviceAccount: sa.name,
        ttlSeconds: deps.ttlSeconds,
        now: now(),
      });
      const bundle = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() + svid.certificateChainPem;
      const body = identitySecretBody(sa, bundle, svid, action.resourceVersion);
      await (action.resourceVersion === undefined ? api.create(SECRETS, body) : api.replace(SECRETS, body));
      logger.info(
        {
          secret: `${sa.namespace}/${body.metadata.name}`,
          spiffeId: svid.spiffeId,
          expiry: svid.notAfter.toISOString(),
          reason: action.reason,
        },
        'workload identity Secret issued',
      );
      return;
    }
    const body = trustConfigMapBody(action.namespace, ca.trustBundlePem, action.resourceVersion);
    await (action.resourceVersion === undefined ? api.create(CONFIG_MAPS, body) : api.replace(CONFIG_MAPS, body));
    logger.info({ configMap: `${action.namespace}/${body.metadata.name}`, reason: action.reason }, 'trust bundle ConfigMap written');
  };

  const pass = async (): Promise<number> => {
    if (!status) {
      status = decideFallback(deps.configuredSource, await api.serves(POD_CERTIFICATE_REQUESTS));
      logger.info(
        { ...status },
        status.active
          ? 'Secret fallback for workload credentials is on'
          : 'PodCertificateRequest v1 is served; the Secret fallback stays off',
      );
      resolveReady(status);
    }
    if (!status.active || !deps.isLeader()) return status.active ? resyncMs : IDLE_MS;
    const ca = await deps.currentCa();
    if (!ca) {
      if (!waitingForCa) logger.warn({}, 'Secret fallback is waiting for the mesh CA');
      waitingForCa = true;
      return Math.min(resyncMs, CA_WAIT_MS);
    }
    waitingForCa = false;
    const plan = planFallback(await observe(ca));
    const skipped = [...plan.skipped];
    let created = 0;
    let updated = 0;
    let trustBundles = 0;
    let failed = 0;
    for (const action of plan.actions) {
      try {
        await apply(action, ca);
        if (action.type === 'write-trust-bundle') trustBundles += 1;
        else if (action.resourceVersion === undefined) created += 1;
        else updated += 1;
      } catch (err) {
        if (isConflict(err) && action.resourceVersion === undefined) {
          const name = action.type === 'issue-secret' ? fallbackSecretName(action.serviceAccount.name) : FALLBACK_TRUST_CONFIGMAP;
          skipped.push({
            namespace: action.type === 'issue-secret' ? action.serviceAccount.namespace : action.namespace,
            name,
            reason: 'exists and is not managed by meshward (app.kubernetes.io/managed-by)',
          });
          continue;
        }
        failed += 1;
        logger.warn({ err, action: action.type, reason: action.reason }, 'Secret fallback write failed');
      }
    }
    report = { created, updated, trustBundles, failed, skipped };
    const skippedKey = skipped
      .map((s) => `${s.namespace}/${s.name}`)
      .sort()
      .join(',');
    if (skippedKey !== lastSkipped && skipped.length > 0) logger.warn({ skipped }, 'Secret fallback left objects it does not manage alone');
    lastSkipped = skippedKey;
    if (failed > 0) throw new FallbackPassError(failed);
    const t = now().getTime();
    const until = plan.nextRefreshAt ? plan.nextRefreshAt.getTime() - t : resyncMs;
    return Math.max(1_000, Math.min(resyncMs, until));
  };

  const loop = startReconcileLoop({
    pass,
    backoff: { baseMs: RECONCILE_RETRY_BASE_MS, maxMs: resyncMs },
    onError: (err, consecutive) => logger.warn({ err, consecutive }, 'Secret fallback pass failed; retrying'),
  });

  return {
    ready,
    status: () => status,
    lastReport: () => report,
    reconcileNow: () => loop.trigger(),
    stop: () => loop.stop(),
  };
}
