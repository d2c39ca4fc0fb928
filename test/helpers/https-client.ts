import { podCreateReview } from '../../bench/pods.js';
import type { KubeObject } from '../../webhook/admission/types.js';
import { Agent, request } from 'node:https';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: () => any;
}

/** A real TLS client that verifies the server against `ca` (no rejectUnauthorized shortcuts). */
export function httpsRequest(
  url: string,
  options: { ca: string; method?: string; body?: string | Buffer; headers?: Record<string, string>; agent?: Agent },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'POST', ca: options.ca, headers: options.headers, agent: options.agent, servername: 'localhost' },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

export function postReview(url: string, ca: string, review: unknown, agent?: Agent): Promise<HttpResult> {
  return httpsRequest(url, { ca, agent, body: JSON.stringify(review), headers: { 'content-type': 'application/json' } });
}

/** A minimal, valid AdmissionReview for a Pod CREATE (fields of `pod` override the defaults). */
export function podReview(uid: string, pod: Record<string, unknown> = {}, namespace = 'default'): Record<string, unknown> {
  const object = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace },
    spec: { containers: [{ name: 'app', image: 'app' }] },
    ...pod,
  };
  return podCreateReview(uid, object as KubeObject, namespace);
}
