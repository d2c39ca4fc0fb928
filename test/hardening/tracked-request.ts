import { Agent, request } from 'node:https';
import type { Socket } from 'node:net';

/**
 * What happened to one request, from the client's side:
 * - answered: a complete response arrived (status and body kept);
 * - refused: the request never had an established connection (TCP refused, or the connection
 *   died before its TLS handshake finished): the server never saw it;
 * - failed: the request went out on an established TLS connection (fresh or reused) and no
 *   complete response came back (reset, hang-up, truncated body).
 */
export type Tracked =
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly body: string;
      readonly sentAt: number;
      readonly connectedAt: number;
      readonly doneAt: number;
      readonly reused: boolean;
    }
  | { readonly kind: 'refused'; readonly code: string; readonly sentAt: number; readonly doneAt: number }
  | {
      readonly kind: 'failed';
      readonly code: string;
      readonly sentAt: number;
      readonly connectedAt: number;
      readonly doneAt: number;
      readonly reused: boolean;
      readonly gotHeaders: boolean;
    };

// Sockets whose TLS handshake completed (an established connection).
const established = new WeakSet<Socket>();

/**
 * POST `body` and classify the outcome; never rejects. Times are performance.now() ms; connectedAt
 * is when the request had an established connection (at once on a reused one, else at the end of
 * the TLS handshake; NaN if it never had one).
 */
export function trackedPost(url: string, ca: string, body: Buffer, agent: Agent | false): Promise<Tracked> {
  return new Promise((resolve) => {
    const sentAt = performance.now();
    let socket: Socket | undefined;
    let reused = false;
    let connectedAt = Number.NaN;
    let gotHeaders = false;
    let settled = false;
    const settle = (t: Tracked): void => {
      if (!settled) {
        settled = true;
        resolve(t);
      }
    };
    const req = request(
      url,
      {
        method: 'POST',
        ca,
        servername: 'localhost',
        agent,
        timeout: 30_000,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        gotHeaders = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const complete = res.complete;
          const text = Buffer.concat(chunks).toString('utf8');
          if (complete)
            settle({ kind: 'answered', status: res.statusCode ?? 0, body: text, sentAt, connectedAt, doneAt: performance.now(), reused });
          else settle({ kind: 'failed', code: 'INCOMPLETE_BODY', sentAt, connectedAt, doneAt: performance.now(), reused, gotHeaders });
        });
        res.on('aborted', () =>
          settle({ kind: 'failed', code: 'ABORTED', sentAt, connectedAt, doneAt: performance.now(), reused, gotHeaders }),
        );
        res.on('error', (err: NodeJS.ErrnoException) =>
          settle({ kind: 'failed', code: err.code ?? err.message, sentAt, connectedAt, doneAt: performance.now(), reused, gotHeaders }),
        );
      },
    );
    req.on('socket', (s: Socket) => {
      socket = s;
      reused = established.has(s);
      if (reused) connectedAt = performance.now();
      else
        s.once('secureConnect', () => {
          established.add(s);
          connectedAt = performance.now();
        });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      const connected = socket !== undefined && established.has(socket);
      if (!connected && !gotHeaders) settle({ kind: 'refused', code, sentAt, doneAt: performance.now() });
      else settle({ kind: 'failed', code, sentAt, connectedAt, doneAt: performance.now(), reused, gotHeaders });
    });
    req.end(body);
  });
}
