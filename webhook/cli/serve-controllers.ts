import type { Logger } from 'pino';
import type { CredentialSource, MeshwardConfig } from '../config/types.js';
import { startSecretFallback } from '../identity/fallback/fallback-controller.js';
import { startIdentityControllers, type IdentityControllers } from '../identity/index.js';
import { startServingCertManager } from '../identity/serving/serving-manager.js';
import { servingSettingsFrom } from '../identity/serving/serving-settings.js';
import { kubeApi } from '../kube/client-api.js';
import { loadKubeConfig } from '../kube/kube-client.js';
import { startProxyBootstrap, type NamespaceSource, type ProxyBootstrapController } from '../proxy-bootstrap/bootstrap-controller.js';
import type { ServerContext } from '../server/start.js';
import type { TlsPair } from '../server/tls-files.js';
import { startControlPlane, type ControlPlane } from '../xds/control-plane.js';

/** The controllers `meshward serve` runs beside its webhooks, and what the webhooks need from them. */
export interface ServeControllers {
  readonly identity: IdentityControllers;
  /** The credential source the injector must use (the fallback decides it by API discovery). */
  readonly credentialSource: CredentialSource;
  /** The first serving certificate, in self-managed mode. */
  readonly initialTls?: Promise<TlsPair>;
  /** The xDS server (absent when controlPlane.port is unset). */
  readonly controlPlane?: ControlPlane;
  /** Where rotated serving certificates go, once the server listens. */
  setTlsSink(sink: (pair: TlsPair) => void): void;
  /** Starts publishing the proxy's static bootstrap, following the webhooks' namespaces informer once it loaded. */
  startProxyBootstrap(namespaces: Promise<NamespaceSource>): void;
  stop(): Promise<void>;
}

/**
 * Identity (signer, trust bundles), the self-managed serving certificate, the Secret fallback and
 * the proxy bootstrap, against a cluster (offline-controllers.ts stands in with --offline). With
 * --self-signed or serving.mode=files the serving certificate is not managed.
 */
export async function startServeControllers(config: MeshwardConfig, logger: Logger, context: ServerContext): Promise<ServeControllers> {
  const api = kubeApi(loadKubeConfig(config.kube.kubeconfig));
  const identity = await startIdentityControllers({ config, logger, registry: context.registry, api });
  let sink: ((pair: TlsPair) => void) | undefined;
  const managed = config.serving.mode === 'self-managed' && !config.server.selfSigned;
  if (managed && !config.identity.enabled) {
    throw new Error(
      'serving.mode=self-managed needs identity.enabled=true (the signer lease decides which replica rotates); set serving.mode=files to mount a certificate instead',
    );
  }
  const serving = managed
    ? startServingCertManager({
        api,
        settings: servingSettingsFrom(config),
        isLeader: identity.isLeader,
        logger,
        onServingCert: (pair) => sink?.(pair),
      })
    : undefined;
  const fallback = startSecretFallback({
    api,
    configuredSource: config.credentials.source,
    currentCa: () => identity.currentCa(),
    trustDomain: config.mesh.trustDomain,
    ttlSeconds: config.credentials.maxExpirationSeconds,
    isLeader: identity.isLeader,
    logger,
  });
  const { effectiveSource } = await fallback.ready;
  const controlPlane = await startControlPlane({ config, logger, registry: context.registry, api, currentCa: () => identity.currentCa() });
  let proxyBootstrap: Promise<ProxyBootstrapController> | undefined;
  return {
    identity,
    controlPlane,
    credentialSource: effectiveSource,
    ...(serving ? { initialTls: serving.ready } : {}),
    setTlsSink: (next) => (sink = next),
    startProxyBootstrap(namespaces) {
      proxyBootstrap ??= namespaces.then((source) =>
        startProxyBootstrap({
          api,
          namespaces: source,
          config,
          // Written by the signer's leader; without identity controllers there is no Lease, and
          // every replica writes (each write guarded by resourceVersion).
          isLeader: config.identity.enabled ? identity.isLeader : () => true,
          logger,
          registry: context.registry,
        }),
      );
    },
    async stop() {
      await Promise.allSettled([serving?.stop(), fallback.stop(), controlPlane.stop(), proxyBootstrap?.then((c) => c.stop())]);
      await identity.stop();
    },
  };
}
