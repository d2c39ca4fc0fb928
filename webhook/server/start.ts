import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AdmissionHandler } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import { createAdmissionMetrics, type AdmissionMetrics } from '../metrics/admission-metrics.js';
import { createWebhookServer, type WebhookServer } from './https-server.js';
import { createOpsApp } from './ops-app.js';
import { Readiness } from './readiness.js';
import { managedTlsSource, openTlsSource } from './tls-source.js';
import type { TlsPair } from './tls-files.js';

/** What handler factories may use from the server being built. */
export interface ServerContext {
  readonly readiness: Readiness;
  readonly registry: Registry;
}

export interface MeshwardHandlers {
  readonly mutate: AdmissionHandler;
  readonly validate: AdmissionHandler;
  /** Resolves when caches have synced (readiness waits for it). */
  readonly synced?: Promise<void>;
  readonly extendOps?: (app: Express) => void;
  readonly close?: () => void | Promise<void>;
  /** The first serving certificate, when a controller manages it (else files or --self-signed). */
  readonly initialTls?: Promise<TlsPair>;
  /** Called once the server listens (e.g. to hand it rotated serving certificates). */
  readonly onListening?: (webhook: WebhookServer) => void;
}

export interface RunningMeshward {
  readonly address: AddressInfo;
  readonly caBundlePath?: string;
  readonly webhook: WebhookServer;
  readonly readiness: Readiness;
  readonly metrics: AdmissionMetrics;
  /** Graceful stop: readiness off, finish in-flight requests, close watchers, then the handlers (controllers). */
  stop(): Promise<{ forced: boolean }>;
  /**
   * SIGTERM: /readyz fails at once, admission (answering with `Connection: close`) and xDS go on for
   * server.shutdownDelayMs, then stop(). Endpoints drop a terminating pod while the kubelet signals
   * it, so for a moment traffic still arrives; the delay lets it move to the other replica first.
   */
  terminate(): Promise<{ forced: boolean }>;
}

/** Composes TLS, metrics, readiness and the two webhooks into a listening server. */
export async function startMeshward(
  config: MeshwardConfig,
  logger: Logger,
  makeHandlers: (context: ServerContext) => MeshwardHandlers | Promise<MeshwardHandlers>,
  now: () => Date = () => new Date(),
): Promise<RunningMeshward> {
  const readiness = new Readiness();
  readiness.require('certificates-loaded');
  readiness.require('caches-synced');
  readiness.set('not-shutting-down', true);
  const metrics = createAdmissionMetrics();
  const handlers = await makeHandlers({ readiness, registry: metrics.registry });
  const tls = handlers.initialTls ? managedTlsSource(await handlers.initialTls) : openTlsSource(config.server, logger, now());
  readiness.set('certificates-loaded', true);
  const opsApp = createOpsApp({ readiness, registry: metrics.registry, extend: handlers.extendOps });
  const webhook = createWebhookServer({
    tls: tls.pair,
    handlers,
    opsApp,
    metrics,
    readiness,
    logger,
    bodyLimitBytes: config.server.bodyLimitBytes,
  });
  const watcher = tls.watch((pair) => {
    webhook.reloadTls(pair);
    logger.info('serving certificate reloaded');
  });
  (handlers.synced ?? Promise.resolve()).then(
    () => readiness.set('caches-synced', true),
    (err: unknown) => logger.error({ err }, 'cache sync failed; staying unready'),
  );
  const address = await webhook.listen(config.server.port, config.server.host);
  handlers.onListening?.(webhook);
  logger.info({ host: address.address, port: address.port, caBundle: tls.caBundlePath, runtime: process.version }, 'meshward listening');
  const stop = async (): Promise<{ forced: boolean }> => {
    watcher.close();
    const started = performance.now();
    const result = await webhook.shutdown(config.server.shutdownTimeoutMs);
    logger.info({ ...result, ms: Math.round(performance.now() - started) }, 'stopped accepting; in-flight admission requests finished');
    await handlers.close?.();
    return result;
  };
  return {
    address,
    caBundlePath: tls.caBundlePath,
    webhook,
    readiness,
    metrics,
    stop,
    async terminate() {
      webhook.drain();
      const delayMs = config.server.shutdownDelayMs;
      logger.info({ delayMs }, 'draining: /readyz fails; admission and xDS go on for the shutdown delay');
      await sleep(delayMs);
      return stop();
    },
  };
}
