import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { encodeAdmissionReview, EnvelopeError, parseAdmissionReview } from '../admission/envelope.js';
import type { AdmissionDecision, AdmissionHandler, AdmissionRequest } from '../admission/types.js';
import type { AdmissionMetrics } from '../metrics/admission-metrics.js';

export type WebhookName = 'mutate' | 'validate';

export interface AdmissionListenerOptions {
  readonly webhook: WebhookName;
  readonly handler: AdmissionHandler;
  readonly metrics: AdmissionMetrics;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
}

function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  send(res, status, Buffer.from(JSON.stringify(body)), close);
}

function send(res: ServerResponse, status: number, bytes: Buffer, close = false): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': bytes.length,
  };
  if (close) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(bytes);
}

function isJsonContentType(header: string | undefined): boolean {
  if (header === 'application/json') return true; // what the API server sends
  if (!header) return false;
  const type = header.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json';
}

function outcomeOf(decision: AdmissionDecision): string {
  if (!decision.allowed) return 'denied';
  return decision.patch && decision.patch.length > 0 ? 'patched' : 'allowed';
}

/**
 * The admission hot path, served straight from node:https without express's per-request
 * middleware (see bench/): body limit, content type, JSON, envelope, handler, response, one log
 * line and metrics. Bad input gets a 4xx with {error, detail}; a throwing handler is a denial.
 */
export function createAdmissionListener(options: AdmissionListenerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { webhook, handler, metrics, logger, bodyLimitBytes } = options;
  const record = metrics.recorder(webhook);

  const reject = (res: ServerResponse, status: number, error: string, detail: string, close = false): void => {
    metrics.badRequests.inc({ webhook, error });
    logger.warn({ webhook, status, error, detail }, 'admission request refused');
    sendJson(res, status, { error, detail }, close);
  };

  const answer = async (res: ServerResponse, body: Buffer, started: bigint): Promise<void> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      reject(res, 400, 'InvalidJSON', `request body is not valid JSON: ${(err as Error).message}`);
      return;
    }
    let request: AdmissionRequest;
    try {
      request = parseAdmissionReview(parsed);
    } catch (err) {
      if (!(err instanceof EnvelopeError)) throw err;
      reject(res, err.status, err.error, err.detail);
      return;
    }
    let decision: AdmissionDecision;
    try {
      decision = await handler(request);
    } catch (err) {
      // Fail closed: the API server's failurePolicy must not decide for us.
      logger.error({ err, webhook, uid: request.uid }, 'admission handler failed');
      decision = {
        allowed: false,
        code: 500,
        reason: 'internal-error',
        message: `meshward ${webhook} could not decide: ${(err as Error).message}`,
      };
    }
    send(res, 200, encodeAdmissionReview(request.uid, decision));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const outcome = outcomeOf(decision);
    record.answered(request.operation, outcome, decision.reason, seconds);
    if (!logger.isLevelEnabled('info')) return;
    const meta = request.object?.metadata;
    logger.info(
      {
        webhook,
        uid: request.uid,
        kind: request.kind.kind,
        namespace: request.namespace,
        name: request.name || meta?.name || meta?.generateName,
        operation: request.operation,
        dryRun: request.dryRun === true,
        decision: outcome,
        reason: decision.reason,
        durationMs: Math.round(seconds * 1e6) / 1e3,
      },
      'admission',
    );
  };

  return (req, res) => {
    const started = process.hrtime.bigint();
    if (!isJsonContentType(req.headers['content-type'])) {
      req.resume();
      reject(res, 415, 'UnsupportedMediaType', `content-type must be application/json, got ${req.headers['content-type'] ?? 'none'}`, true);
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > bodyLimitBytes) {
      req.resume();
      reject(res, 413, 'PayloadTooLarge', `body of ${declared} bytes exceeds the limit of ${bodyLimitBytes} bytes`, true);
      return;
    }
    record.begin();
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        record.end();
      }
    };
    res.on('close', finish);
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > bodyLimitBytes) {
        finish();
        reject(res, 413, 'PayloadTooLarge', `body exceeds the limit of ${bodyLimitBytes} bytes`, true);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (err) => {
      logger.warn({ err, webhook }, 'admission request stream failed');
      finish();
    });
    req.on('end', () => {
      if (done) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      answer(res, body, started)
        .catch((err: unknown) => {
          logger.error({ err, webhook }, 'admission listener failed');
          if (!res.headersSent) sendJson(res, 400, { error: 'BadRequest', detail: (err as Error).message });
        })
        .finally(finish);
    });
  };
}
