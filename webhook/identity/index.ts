// In-cluster identity: the mesh CA in a Secret, a leader-elected PodCertificateRequest signer and
// the signer's ClusterTrustBundles. `meshward serve` calls startIdentityControllers; this file only
// wires the capability folders (ca/, signer/, trust-bundles/) to the runtime's leader election.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { MeshwardConfig } from '../config/types.js';
import type { MeshCa } from '../pki/index.js';
import type { KubeApi } from '../kube/api.js';
import { kubeApi } from '../kube/client-api.js';
import { loadKubeConfig } from '../kube/kube-client.js';
import { LeaderElector } from '../kube/runtime/leader-elector.js';
import { ensureCaSecret } from './ca/ca-bootstrap.js';
import { CaStore } from './ca/ca-store.js';
import { identitySettings } from './identity-settings.js';
import { SignerController } from './signer/signer-controller.js';
import { createSignerMetrics } from './signer/signer-metrics.js';
import { syncTrustBundles } from './trust-bundles/trust-bundle-sync.js';

export { IdentityConfigError, identitySettings, type IdentitySettings } from './identity-settings.js';

/** What the identity controllers call, together. */
export type IdentityApi = Pick<KubeApi, 'get' | 'list' | 'watch' | 'create' | 'replace' | 'replaceStatus' | 'delete'>;

export interface IdentityDeps {
  readonly config: MeshwardConfig;
  readonly logger: Logger;
  /** Default: loadKubeConfig(config.kube.kubeconfig) (in-cluster, then $KUBECONFIG). */
  readonly kubeConfig?: KubeConfig;
  /** Replaces the client-node implementation (tests). */
  readonly api?: IdentityApi;
  /** Lease holder identity; default $POD_NAME or the hostname, plus a random suffix. */
  readonly identity?: string;
  /** Where meshward_pcr_* and meshward_signer_leader go (the server's registry); none when absent. */
  readonly registry?: Registry;
  readonly now?: () => Date;
}

export interface IdentityControllers {
  /** Stops signing, releases the lease (quick failover) and stops the watches. Idempotent. */
  stop(): Promise<void>;
  /** sha256 of the root the signer signs under; undefined until the CA is loaded. */
  trustRootFingerprint(): string | undefined;
  /** The signing CA (for the Secret fallback); undefined until loaded. */
  currentCa(): MeshCa | undefined;
  /**
   * Resolves once the CA has been loaded (on every replica, leader or not). Never rejects; it stays
   * pending while the CA Secret is missing and identity.createCa is off, so do not gate serving on it.
   */
  readonly ready: Promise<void>;
  isLeader(): boolean;
  readonly identity: string;
  /** Resolves when no PodCertificateRequest is queued or being written (tests, benchmarks). */
  idle(): Promise<void>;
}

// The leader re-applies the ClusterTrustBundles this often, repairing hand edits and deletions.
const TRUST_BUNDLE_RESYNC_MS = 60_000;

function defaultIdentity(): string {
  return `${process.env.POD_NAME ?? hostname()}_${randomBytes(4).toString('hex')}`;
}

/**
 * Starts the CA Secret watch and the leader election; the replica holding the Lease ensures the CA
 * Secret, signs PodCertificateRequests and keeps the ClusterTrustBundles. Throws IdentityConfigError
 * for contradictory identity.* fields.
 */
export async function startIdentityControllers(deps: IdentityDeps): Promise<IdentityControllers> {
  const { config, logger: parent } = deps;
  const identity = deps.identity ?? defaultIdentity();
  // --offline has no API server to sign for; identity.enabled=false leaves signing to someone else.
  if (!config.identity.enabled || config.kube.offline) {
    return {
      stop: async () => undefined,
      trustRootFingerprint: () => undefined,
      currentCa: () => undefined,
      ready: Promise.resolve(),
      isLeader: () => false,
      identity,
      idle: async () => undefined,
    };
  }
  const settings = identitySettings(config);
  const logger = parent.child({ component: 'identity', identity });
  const api = deps.api ?? kubeApi(deps.kubeConfig ?? loadKubeConfig(config.kube.kubeconfig));
  const now = deps.now ?? (() => new Date());
  const metrics = deps.registry ? createSignerMetrics(deps.registry) : undefined;
  const signerName = settings.policy.signerName;

  let signer: SignerController | undefined;
  let resync: NodeJS.Timeout | undefined;
  const syncBundles = async (): Promise<void> => {
    const state = store.state();
    if (!signer || !state) return;
    try {
      const plan = await syncTrustBundles(api, signerName, state.trustBundlePem);
      const changed = [
        ...plan.create.map((b) => `+${b.metadata.name}`),
        ...plan.update.map((b) => `~${b.metadata.name}`),
        ...plan.delete.map((n) => `-${n}`),
      ];
      if (changed.length > 0) logger.info({ clusterTrustBundles: changed }, 'ClusterTrustBundles updated');
    } catch (err) {
      logger.warn({ err }, 'ClusterTrustBundle sync failed; will retry');
    }
  };
  const store = new CaStore({ api, ref: settings.caSecret, now, logger, onChange: () => void syncBundles() });

  const elector = new LeaderElector({
    api,
    ...settings.lease,
    identity,
    leaseDurationSeconds: settings.leaseDurationSeconds,
    renewDeadlineSeconds: settings.renewDeadlineSeconds,
    retryPeriodSeconds: settings.retryPeriodSeconds,
    now,
    logger,
    onStartedLeading: async () => {
      metrics?.leader.set(1);
      if (settings.createCa) {
        try {
          const result = await ensureCaSecret(api, settings.caSecret, { trustDomain: settings.policy.trustDomain, now: now() });
          if (result === 'created')
            logger.info(
              { secret: `${settings.caSecret.namespace}/${settings.caSecret.name}` },
              'created the mesh CA Secret with a new self-signed root',
            );
        } catch (err) {
          logger.error({ err }, 'could not create the mesh CA Secret; requests wait until a CA exists');
        }
      }
      signer = new SignerController({
        api,
        policy: settings.policy,
        currentCa: () => store.current(),
        now,
        logger,
        concurrency: settings.concurrency,
        metrics,
      });
      signer.start();
      await syncBundles();
      resync = setInterval(() => void syncBundles(), TRUST_BUNDLE_RESYNC_MS);
      resync.unref();
    },
    onStoppedLeading: async () => {
      metrics?.leader.set(0);
      clearInterval(resync);
      const stopping = signer;
      signer = undefined;
      await stopping?.stop();
    },
  });

  store.start();
  elector.start();
  let stopping: Promise<void> | undefined;
  return {
    stop: () => (stopping ??= elector.stop().then(() => store.stop())),
    trustRootFingerprint: () => store.trustRootFingerprint(),
    currentCa: () => store.current(),
    ready: store.ready,
    isLeader: () => elector.isLeader(),
    identity,
    idle: async () => {
      await elector.settled();
      await signer?.idle();
    },
  };
}
