// caBundle arithmetic for the serving-certificate manager: PEM bundles as ordered, de-duplicated
// lists of certificates keyed by their SHA-256 fingerprint. Pure; never throws on garbage input
// (a caBundle someone hand-edited is simply read as the certificates that parse).
import { createHash, X509Certificate } from 'node:crypto';

export interface BundleCert {
  /** One CERTIFICATE block, normalised (64-column base64, trailing newline). */
  readonly pem: string;
  /** sha256 over the DER, lowercase hex. */
  readonly fingerprint: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;

function certFromDer(der: Buffer): BundleCert | undefined {
  try {
    new X509Certificate(der);
  } catch {
    return undefined;
  }
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return {
    pem: `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`,
    fingerprint: createHash('sha256').update(der).digest('hex'),
  };
}

/** The certificates in a PEM bundle, in order, duplicates and unparseable blocks dropped. */
export function parseBundle(pem: string | undefined): BundleCert[] {
  const out: BundleCert[] = [];
  for (const m of (pem ?? '').matchAll(PEM_CERT)) {
    const cert = certFromDer(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
    if (cert && !out.some((c) => c.fingerprint === cert.fingerprint)) out.push(cert);
  }
  return out;
}

/** Every certificate of every list, first occurrence wins. */
export function bundleUnion(...lists: ReadonlyArray<readonly BundleCert[]>): BundleCert[] {
  const out: BundleCert[] = [];
  for (const c of lists.flat()) if (!out.some((o) => o.fingerprint === c.fingerprint)) out.push(c);
  return out;
}

export function bundleContains(bundle: readonly BundleCert[], cert: BundleCert): boolean {
  return bundle.some((c) => c.fingerprint === cert.fingerprint);
}

/** Same certificates, order ignored. */
export function sameBundle(a: readonly BundleCert[], b: readonly BundleCert[]): boolean {
  return a.length === b.length && a.every((c) => bundleContains(b, c));
}

export function bundlePem(bundle: readonly BundleCert[]): string {
  return bundle.map((c) => c.pem).join('');
}
