import { Agent, request } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
  /** SHA-256 fingerprint of the certificate the server presented on this connection. */
  readonly peer: string;
}

/** POSTs raw bytes; resolves with the answer or rejects with the transport error (never throws for a status). */
export function postRaw(
  url: string,
  ca: string,
  body: Buffer,
  contentType: string | undefined,
  agent: Agent | false,
  timeoutMs = 20_000,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-length': body.length };
    if (contentType !== undefined) headers['content-type'] = contentType;
    const req = request(url, { method: 'POST', ca, servername: 'localhost', agent, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const peer = (res.socket as TLSSocket).getPeerCertificate?.().fingerprint256 ?? '';
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers, peer }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Why an answer is not one meshward may give, or undefined when it is: a 4xx with a JSON
 * {error, detail}, or a 200 AdmissionReview v1 whose response is allowed:true (a patch, if any,
 * being a base64 JSON array) or allowed:false with a message. `uid` is checked when known.
 */
export function answerProblem(answer: Answer, uid?: string): string | undefined {
  if (answer.status >= 500) return `HTTP ${answer.status}`;
  let body: any;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `HTTP ${answer.status} with a body that is not JSON: ${answer.body.slice(0, 200)}`;
  }
  if (answer.status >= 400 && answer.status < 500) {
    if (typeof body?.error !== 'string' || !body.error) return `HTTP ${answer.status} without an error code: ${answer.body.slice(0, 200)}`;
    if (typeof body.detail !== 'string' || body.detail.length < 10)
      return `HTTP ${answer.status} without a detail: ${answer.body.slice(0, 200)}`;
    return undefined;
  }
  if (answer.status !== 200) return `unexpected HTTP ${answer.status}`;
  if (body?.apiVersion !== 'admission.k8s.io/v1' || body.kind !== 'AdmissionReview')
    return `200 that is not an AdmissionReview v1: ${answer.body.slice(0, 200)}`;
  const response = body.response;
  if (typeof response?.allowed !== 'boolean') return `200 without response.allowed: ${answer.body.slice(0, 200)}`;
  if (uid !== undefined && response.uid !== uid) return `response.uid ${JSON.stringify(response.uid)} does not echo ${JSON.stringify(uid)}`;
  if (!response.allowed) {
    if (typeof response.status?.message !== 'string' || !response.status.message)
      return `denial without a message: ${answer.body.slice(0, 200)}`;
    return undefined;
  }
  if (response.patch !== undefined) {
    if (response.patchType !== 'JSONPatch') return 'patch without patchType JSONPatch';
    let ops: unknown;
    try {
      ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
    } catch {
      return 'patch is not base64 JSON';
    }
    if (!Array.isArray(ops) || ops.some((op) => typeof op?.op !== 'string' || typeof op.path !== 'string'))
      return 'patch is not an array of RFC 6902 operations';
  }
  return undefined;
}

/** A denial that comes from the handler having thrown (fail-closed path), not from a rule. */
export function isInternalError(answer: Answer): boolean {
  if (answer.status !== 200) return false;
  try {
    return JSON.parse(answer.body)?.response?.status?.reason === 'internal-error';
  } catch {
    return false;
  }
}
