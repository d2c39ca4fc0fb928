import { X509Certificate, type KeyObject } from 'node:crypto';
import type { CertificateSigner } from './cert-builder.js';
import { inspectCertificate } from './cert-inspect.js';
import { rawSubjectName } from './der.js';
import { PkiInputError } from './errors.js';
import { keyIdentifier, KeyUsageFlags } from './extensions.js';
import { toPrivateKey } from './key-types.js';
import { certificatesToPem, splitPemCertificates } from './pem.js';
import { signingAlgorithmFor } from './signature-algorithm.js';
import { parseSpiffeId } from './spiffe-id.js';

/** A loaded, validated signing CA. Holds the private key as a KeyObject only (never as text). */
export interface MeshCa {
  /** The signing certificate (root or intermediate). */
  readonly certPem: string;
  /** Appended after every leaf: the signing certificate when it is not a root, then its parents below the root. '' for a root CA. */
  readonly chainPem: string;
  /** The root certificate(s): what peers trust and what goes into the ClusterTrustBundle. */
  readonly trustBundlePem: string;
  readonly certificate: X509Certificate;
  readonly privateKey: KeyObject;
  readonly signer: CertificateSigner;
  /** Exact DER of the signing certificate's subject (issuer of what it signs). */
  readonly subjectName: Buffer;
  /** The signing certificate's key identifier (leaves' AuthorityKeyIdentifier). */
  readonly keyId: Buffer;
  /** The earliest notAfter along the path to the root: nothing issued may outlive it. */
  readonly notAfter: Date;
  /** From the CA's spiffe://<td> URI SAN, when it has one. */
  readonly trustDomain: string | undefined;
}

export interface LoadCaInput {
  readonly certPem: string;
  readonly keyPem: string;
  /** Certificates above certPem: intermediates, optionally followed by the root(s). */
  readonly chainPem?: string;
  /** Root(s), when chainPem stops below the root. */
  readonly trustBundlePem?: string;
  /** When given, an expired CA is refused. */
  readonly now?: Date;
}

/** A DN on one line ("O=x, CN=y"); Node separates RDNs with newlines. */
function dn(c: X509Certificate): string {
  const subject = (c.subject as string | undefined) ?? '';
  return subject === '' ? '(empty subject)' : subject.split('\n').join(', ');
}

function isSelfSigned(c: X509Certificate): boolean {
  return c.issuer === c.subject && c.checkIssued(c) && c.verify(c.publicKey);
}

function requireCa(c: X509Certificate, field: string): void {
  const facts = inspectCertificate(c.raw);
  if (!facts.isCa) throw new PkiInputError(field, `"${dn(c)}" is not a CA certificate (basicConstraints cA=true is missing)`);
  if (facts.keyUsage !== undefined && (facts.keyUsage & KeyUsageFlags.keyCertSign) === 0) {
    throw new PkiInputError(field, `"${dn(c)}" lacks the keyCertSign key usage, so it cannot sign certificates`);
  }
}

/** Walks issuer links from `leaf` to a self-signed root; returns [intermediates, root]. */
function buildPath(leaf: X509Certificate, pool: X509Certificate[]): [X509Certificate[], X509Certificate] {
  const path: X509Certificate[] = [];
  let current = leaf;
  while (!isSelfSigned(current)) {
    const parent = pool.find((p) => current.checkIssued(p) && current.verify(p.publicKey) && !path.includes(p));
    if (!parent) {
      throw new PkiInputError(
        'chainPem',
        `no certificate in the chain issued "${dn(current)}"; append its issuing intermediate(s) and the root CA`,
      );
    }
    requireCa(parent, 'chainPem');
    if (isSelfSigned(parent)) return [path, parent];
    path.push(parent);
    current = parent;
  }
  return [path, current];
}

/** Validates a CA certificate, its key and its chain, and returns a ready-to-sign MeshCa. */
export function loadCa(input: LoadCaInput): MeshCa {
  const certs = splitPemCertificates(input.certPem ?? '', 'certPem');
  if (certs.length !== 1)
    throw new PkiInputError('certPem', `expected exactly one certificate, found ${certs.length}; put parents in chainPem`);
  const certificate = new X509Certificate(certs[0] as Buffer);
  requireCa(certificate, 'certPem');
  const privateKey = toPrivateKey(input.keyPem ?? '', 'keyPem');
  if (!certificate.checkPrivateKey(privateKey))
    throw new PkiInputError('keyPem', 'does not match the public key of the certificate in certPem');
  const pool = [
    ...splitPemCertificates(input.chainPem ?? '', 'chainPem'),
    ...splitPemCertificates(input.trustBundlePem ?? '', 'trustBundlePem'),
  ].map((d) => new X509Certificate(d));
  const [intermediates, root] = buildPath(certificate, pool);
  const roots = [root, ...pool.filter((p) => isSelfSigned(p) && p.ca)].filter(
    (c, i, all) => all.findIndex((o) => o.fingerprint256 === c.fingerprint256) === i,
  );
  const path = root === certificate ? [] : [certificate, ...intermediates];
  const facts = inspectCertificate(certificate.raw);
  const notAfter = new Date(Math.min(...[certificate, ...intermediates, root].map((c) => inspectCertificate(c.raw).notAfter.getTime())));
  if (input.now && notAfter.getTime() <= input.now.getTime()) {
    throw new PkiInputError('certPem', `the CA chain expired at ${notAfter.toISOString()}; rotate the CA (meshward ca init)`);
  }
  const tdUri = facts.uris.find((u) => u.startsWith('spiffe://'));
  return {
    certPem: certificatesToPem([certificate.raw]),
    chainPem: certificatesToPem(path.map((c) => c.raw)),
    trustBundlePem: certificatesToPem(roots.map((c) => c.raw)),
    certificate,
    privateKey,
    signer: { key: privateKey, algorithm: signingAlgorithmFor(privateKey, 'keyPem') },
    subjectName: rawSubjectName(certificate.raw),
    keyId: facts.subjectKeyId ?? keyIdentifier(certificate.publicKey),
    notAfter,
    trustDomain: tdUri === undefined ? undefined : parseSpiffeId(tdUri, 'certPem URI SAN').trustDomain,
  };
}
