import { X509Certificate } from 'node:crypto';
import { PkiInputError } from './errors.js';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END \1-----/g;

/** One PEM block, base64 wrapped at 64 columns, with a trailing newline. */
export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * The DER bodies of every CERTIFICATE block in `pem`, in order. Text around blocks is ignored;
 * any other block type is refused, as is a block that does not parse as X.509.
 */
export function splitPemCertificates(pem: string, field: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of pem.matchAll(PEM_BLOCK)) {
    if (m[1] !== 'CERTIFICATE') {
      throw new PkiInputError(field, `contains a "${m[1]}" PEM block; only CERTIFICATE blocks are accepted`);
    }
    const der = Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64');
    try {
      new X509Certificate(der);
    } catch {
      throw new PkiInputError(field, `certificate #${out.length + 1} is not valid X.509 DER inside its PEM block`);
    }
    out.push(der);
  }
  return out;
}

/** Normalised PEM for a list of DER certificates ('' for an empty list). */
export function certificatesToPem(ders: readonly Uint8Array[]): string {
  return ders.map((d) => pemEncode('CERTIFICATE', d)).join('');
}
