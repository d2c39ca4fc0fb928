import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Express } from 'express';
import { createAdmissionListener, type WebhookName } from './admission-listener.js';
import { TLS12_CIPHERS, type TlsPair } from './tls-files.js';
import type { AdmissionHandler } from '../admission/types.js';
import type { AdmissionMetrics } from '../metrics/admission-metrics.js';
import type { Readiness } from './readiness.js';

export interface WebhookServerOptions {
  readonly tls: TlsPair;
  readonly handlers: Readonly<Record<WebhookName, AdmissionHandler>>;
  readonly opsApp: Express;
  readonly metrics: AdmissionMetrics;
  readonly readiness: Readiness;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
}

export interface WebhookServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Swap the serving certificate; existing connections keep theirs, new handshakes get the new one. */
  reloadTls(pair: TlsPair): void;
  /** Readiness off, stop accepting, finish in-flight requests; resolves when all are answered. */
  shutdown(timeoutMs: number): Promise<{ forced: boolean }>;
}

// The API server keeps idle webhook connections for 90 s; closing sooner races its reuse.
const KEEP_ALIVE_TIMEOUT_MS = 95_000;
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const listeners = {
    mutate: createAdmissionListener({ ...options, webhook: 'mutate', handler: options.handlers.mutate }),
    validate: createAdmissionListener({ ...options, webhook: 'validate', handler: options.handlers.validate }),
  };
  const server = createServer(
    { ...options.tls, minVersion: 'TLSv1.2', ciphers: TLS12_CIPHERS, honorCipherOrder: true },
    (req, res) => {
      if (req.method === 'POST') {
        const path = req.url?.split('?', 1)[0];
        if (path === '/mutate' || path === '/validate') {
          listeners[path === '/mutate' ? 'mutate' : 'validate'](req, res);
          return;
        }
      }
      options.opsApp(req, res);
    },
  );
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.on('tlsClientError', (err) => options.logger.debug({ err }, 'TLS handshake failed'));

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    reloadTls(pair) {
      server.setSecureContext({ ...pair, minVersion: 'TLSv1.2', ciphers: TLS12_CIPHERS, honorCipherOrder: true });
    },
    shutdown(timeoutMs) {
      options.readiness.set('not-shutting-down', false);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          clearInterval(reaper);
          server.closeAllConnections();
          resolve({ forced: true });
        }, timeoutMs);
        timer.unref();
        // close() stops accepting and waits for active requests; keep-alive sockets are closed
        // as soon as they go idle, so the wait is bounded by the slowest in-flight request.
        const reaper = setInterval(() => server.closeIdleConnections(), 25);
        server.close(() => {
          clearTimeout(timer);
          clearInterval(reaper);
          resolve({ forced: false });
        });
        server.closeIdleConnections();
      });
    },
  };
}
