import { PkiInputError } from './errors.js';

// The SPIFFE ID standard: spiffe://<trust-domain>/<path>; trust domain [a-z0-9._-]; path segments
// [a-zA-Z0-9._-], never empty, "." or ".."; no query, fragment, port or userinfo; ≤2048 bytes.

const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
const SEGMENT = /^[a-zA-Z0-9._-]+$/;
const MAX_TRUST_DOMAIN = 255;
const MAX_ID = 2048;
const SCHEME = 'spiffe://';

export interface SpiffeId {
  readonly trustDomain: string;
  /** '' for a trust-domain ID, otherwise '/seg/seg…'. */
  readonly path: string;
}

export function validateTrustDomain(trustDomain: string, field = 'trustDomain'): string {
  if (typeof trustDomain !== 'string' || trustDomain.length === 0) {
    throw new PkiInputError(field, 'is required, e.g. "cluster.local"');
  }
  if (trustDomain.length > MAX_TRUST_DOMAIN || !TRUST_DOMAIN.test(trustDomain)) {
    throw new PkiInputError(
      field,
      `"${trustDomain}" is not a SPIFFE trust domain: use lowercase letters, digits, ".", "-" or "_" (no scheme, port or path), e.g. "cluster.local"`,
    );
  }
  return trustDomain;
}

export function validatePathSegment(segment: string, field: string): string {
  if (typeof segment !== 'string' || segment.length === 0) throw new PkiInputError(field, 'is required');
  if (segment === '.' || segment === '..' || !SEGMENT.test(segment)) {
    throw new PkiInputError(
      field,
      `"${segment}" cannot be a SPIFFE ID path segment: use letters, digits, ".", "-" or "_", and not "." or ".."`,
    );
  }
  return segment;
}

/** `spiffe://<td>/ns/<namespace>/sa/<serviceAccount>`, every part validated. */
export function workloadSpiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  validateTrustDomain(trustDomain);
  validatePathSegment(namespace, 'namespace');
  validatePathSegment(serviceAccount, 'serviceAccount');
  const id = `${SCHEME}${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
  if (Buffer.byteLength(id) > MAX_ID) throw new PkiInputError('serviceAccount', `SPIFFE ID exceeds ${MAX_ID} bytes`);
  return id;
}

/** The trust domain's own ID (no path), as carried by CA certificates. */
export function trustDomainSpiffeId(trustDomain: string): string {
  return `${SCHEME}${validateTrustDomain(trustDomain)}`;
}

/** Parses and validates a SPIFFE ID; throws PkiInputError naming `field` if it is not one. */
export function parseSpiffeId(uri: string, field = 'spiffeId'): SpiffeId {
  if (typeof uri !== 'string' || !uri.startsWith(SCHEME)) {
    throw new PkiInputError(field, `"${String(uri)}" is not a SPIFFE ID: it must start with "spiffe://"`);
  }
  if (Buffer.byteLength(uri) > MAX_ID) throw new PkiInputError(field, `SPIFFE ID exceeds ${MAX_ID} bytes`);
  const rest = uri.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const trustDomain = slash === -1 ? rest : rest.slice(0, slash);
  validateTrustDomain(trustDomain, `${field} trust domain`);
  if (slash === -1) return { trustDomain, path: '' };
  const path = rest.slice(slash);
  path
    .slice(1)
    .split('/')
    .forEach((seg, i) => validatePathSegment(seg, `${field} path segment ${i + 1}`));
  return { trustDomain, path };
}
