// Every failed API call surfaces as one KubeApiError carrying the HTTP status (`code`) and the
// Status object's `reason` and message. The adapter normalises client errors once; the in-memory
// fake throws the same class, so controllers branch on `code` and nothing else.

export class KubeApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server was never reached (connection refused, TLS, timeout). */
    readonly code: number,
    /** metav1.Status reason: NotFound, Conflict, AlreadyExists, Invalid, Forbidden, Gone… */
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KubeApiError';
  }
}

/** HTTP status of an API error, if it has one. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && code > 0 ? code : undefined;
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

export function isConflict(err: unknown): boolean {
  return statusOf(err) === 409;
}

/** The call's result, or undefined when the object does not exist (404); other errors throw. */
export async function orNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Gone',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** A KubeApiError from an HTTP status and the response body (a metav1.Status, or anything). */
export function apiErrorFrom(code: number, body: string, what: string): KubeApiError {
  let status: { reason?: unknown; message?: unknown } | undefined;
  try {
    status = JSON.parse(body) as typeof status;
  } catch {
    status = undefined;
  }
  const reason = typeof status?.reason === 'string' && status.reason !== '' ? status.reason : (REASONS[code] ?? 'Unknown');
  const message = typeof status?.message === 'string' && status.message !== '' ? status.message : body.trim() || `${what}: HTTP ${code}`;
  return new KubeApiError(code, reason, message);
}
