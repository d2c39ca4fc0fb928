import { Agent, request } from 'node:https';
import type { ControlPlane } from '../scripts/control-plane/control-plane.js';

export interface ApiClient {
  /** POST a body to an API path; resolves with the status, the parsed body and the elapsed ms. */
  post(path: string, body: unknown): Promise<{ status: number; json: any; ms: number }>;
  close(): void;
}

/**
 * The admin identity over keep-alive connections (cp.request opens a new TLS connection per call,
 * which would add a handshake to every measured create).
 */
export function apiClient(cp: ControlPlane, maxSockets: number): ApiClient {
  const agent = new Agent({ keepAlive: true, maxSockets, ca: cp.caPem, cert: cp.admin.certPem, key: cp.admin.keyPem });
  const base = new URL(cp.server);
  return {
    post(path, body) {
      const payload = JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const started = performance.now();
        const req = request(
          {
            host: base.hostname,
            port: base.port,
            path,
            method: 'POST',
            agent,
            timeout: 30_000,
            headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(payload) },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => {
              const ms = performance.now() - started;
              let json: unknown;
              try {
                json = JSON.parse(text);
              } catch {
                json = { raw: text };
              }
              resolve({ status: res.statusCode ?? 0, json, ms });
            });
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`POST ${path}: timeout`)));
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}
