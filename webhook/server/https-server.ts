import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Server as TlsServer, type TLSSocket } from 'node:tls';
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
  /**
   * Readiness off and every answer with `Connection: close`, still accepting: clients re-dial, and
   * their new connections go where the endpoints now point.
   */
  drain(): void;
  /** Readiness off, stop accepting, finish in-flight requests; resolves when all are answered. */
  shutdown(timeoutMs: number): Promise<{ forced: boolean }>;
}

// The API server keeps idle webhook connections for 90 s; closing sooner races its reuse.
const KEEP_ALIVE_TIMEOUT_MS = 95_000;
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
// Shutdown drains keep-alive connections instead of cutting them. The API server reuses an idle
// connection whenever it likes, so a request can be on its way while we stop: closing every
// "idle" connection at once (http's server.close() does, since Node 19) resets such requests, and
// the API server does not retry a POST. Instead a request that arrives after shutdown began is
// answered with `Connection: close`; connections idle for DRAIN_IDLE_GRACE_MS (least likely to be
// picked by a client) are closed at once, the others once they have been idle that long.
const DRAIN_IDLE_GRACE_MS = 1_000;
const DRAIN_CHECK_MS = 50;

interface ConnectionState {
  active: number;
  idleSince: number;
}

/** Keep-alive above the API server's idle timeout; bounded header and request times. */
export function applyServerTimeouts(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
}

export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const listeners = {
    mutate: createAdmissionListener({ ...options, webhook: 'mutate', handler: options.handlers.mutate }),
    validate: createAdmissionListener({ ...options, webhook: 'validate', handler: options.handlers.validate }),
  };
  const connections = new Map<TLSSocket, ConnectionState>();
  let draining = false;
  const server = createServer({ ...options.tls, minVersion: 'TLSv1.2', ciphers: TLS12_CIPHERS, honorCipherOrder: true }, (req, res) => {
    const connection = connections.get(req.socket as TLSSocket);
    if (draining) res.setHeader('connection', 'close');
    if (connection) {
      connection.active++;
      res.once('close', () => {
        connection.active--;
        connection.idleSince = performance.now();
      });
    }
    if (req.method === 'POST') {
      const path = req.url?.split('?', 1)[0];
      if (path === '/mutate' || path === '/validate') {
        listeners[path === '/mutate' ? 'mutate' : 'validate'](req, res);
        return;
      }
    }
    options.opsApp(req, res);
  });
  applyServerTimeouts(server);
  server.on('tlsClientError', (err) => options.logger.debug({ err }, 'TLS handshake failed'));
  server.on('secureConnection', (socket: TLSSocket) => {
    connections.set(socket, { active: 0, idleSince: performance.now() });
    socket.once('close', () => connections.delete(socket));
  });
  const closeIdle = (): void => {
    const now = performance.now();
    for (const [socket, c] of connections) if (c.active === 0 && now - c.idleSince >= DRAIN_IDLE_GRACE_MS) socket.destroy();
  };

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
    drain() {
      options.readiness.set('not-shutting-down', false);
      draining = true;
    },
    shutdown(timeoutMs) {
      options.readiness.set('not-shutting-down', false);
      draining = true;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          clearInterval(reaper);
          server.closeAllConnections();
          resolve({ forced: true });
        }, timeoutMs);
        timer.unref();
        // setImmediate: decide after this loop iteration's I/O, so a request already waiting on a
        // connection has made it active before the connection is judged idle.
        const reaper = setInterval(() => setImmediate(closeIdle), DRAIN_CHECK_MS);
        setImmediate(closeIdle);
        // tls.Server's close stops accepting and calls back once every connection has ended;
        // http's close would also cut idle keep-alive connections at once (see DRAIN_IDLE_GRACE_MS).
        TlsServer.prototype.close.call(server, () => {
          clearTimeout(timer);
          clearInterval(reaper);
          resolve({ forced: false });
        });
      });
    },
  };
}
