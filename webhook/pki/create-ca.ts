import { X509Certificate, type KeyObject } from 'node:crypto';
import type { KeyType } from '../config/types.js';
import { inspectCertificate } from './cert-inspect.js';
import { buildCertificate, defaultRandomBytes, encodeName, randomSerial, truncateToSecond, type RandomBytes } from './cert-builder.js';
import { PkiInputError } from './errors.js';
import {
  authorityKeyIdentifier,
  basicConstraints,
  keyIdentifier,
  keyUsage,
  KeyUsageFlags,
  subjectAltName,
  subjectKeyIdentifier,
} from './extensions.js';
import { generateKeyPairFor, pkcs8Pem } from './key-types.js';
import type { MeshCa } from './mesh-ca.js';
import { pemEncode, splitPemCertificates } from './pem.js';
import { signingAlgorithmFor } from './signature-algorithm.js';
import { trustDomainSpiffeId } from './spiffe-id.js';

export interface CreateCaOptions {
  readonly commonName?: string;
  /** Default ECDSAP256. */
  readonly keyType?: KeyType;
  /** Default 3650 for a root, 1825 for an intermediate. */
  readonly validityDays?: number;
  /** Adds the URI SAN spiffe://<trustDomain> (no path). */
  readonly trustDomain?: string;
  readonly now: Date;
  readonly randomBytes?: RandomBytes;
}

export interface CaPemPair {
  readonly certPem: string;
  /** PKCS#8 PEM. Secret: write it with mode 0600, never log it. */
  readonly keyPem: string;
}

export interface IntermediateCaPem extends CaPemPair {
  /** Certificates above the new intermediate, up to and including the root (loadCa's chainPem). */
  readonly chainPem: string;
}

const DAY_MS = 86_400_000;
const CA_BACKDATE_MS = 5 * 60_000;

function validityDaysOf(value: number | undefined, fallback: number): number {
  const days = value ?? fallback;
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new PkiInputError('validityDays', `must be a whole number of days between 1 and 36500, got ${String(value)}`);
  }
  return days;
}

function caExtensions(publicKey: KeyObject, trustDomain: string | undefined, authorityKeyId?: Buffer, pathLen?: number) {
  const ski = keyIdentifier(publicKey);
  return [
    basicConstraints(true, pathLen),
    keyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign),
    subjectKeyIdentifier(ski),
    ...(authorityKeyId ? [authorityKeyIdentifier(authorityKeyId)] : []),
    ...(trustDomain === undefined ? [] : [subjectAltName({ uris: [trustDomainSpiffeId(trustDomain)] }, false)]),
  ];
}

/**
 * RFC 5280 pathLenConstraint: a CA at position j above the new intermediate (0 = its parent)
 * must allow at least j+1 intermediates below it.
 */
function assertRoomForIntermediate(parent: MeshCa): void {
  const chain = splitPemCertificates(parent.chainPem === '' ? parent.certPem : parent.chainPem, 'parent');
  const top = new X509Certificate(chain[chain.length - 1] as Buffer);
  const root = splitPemCertificates(parent.trustBundlePem, 'parent').find((r) => top.checkIssued(new X509Certificate(r)));
  const path = root && !chain.some((c) => c.equals(root)) ? [...chain, root] : chain;
  path.forEach((der, j) => {
    const limit = inspectCertificate(der).pathLen;
    if (limit !== undefined && limit < j + 1) {
      const who = new X509Certificate(der).subject.split('\n').join(', ');
      throw new PkiInputError(
        'parent',
        `"${who}" has pathLenConstraint ${limit}, which forbids another CA below it; issue from that CA directly or use a parent CA with pathlen ≥ ${j + 1}`,
      );
    }
  });
}

/** A self-signed mesh root: cA=true and keyCertSign+cRLSign, both critical, with an SKI. */
export function createRootCa(opts: CreateCaOptions): CaPemPair {
  const days = validityDaysOf(opts.validityDays, 3650);
  const { publicKey, privateKey } = generateKeyPairFor(opts.keyType ?? 'ECDSAP256');
  const name = encodeName({ organization: 'meshward', commonName: opts.commonName ?? 'meshward mesh root CA' });
  const notBefore = truncateToSecond(new Date(opts.now.getTime() - CA_BACKDATE_MS));
  const der = buildCertificate(
    {
      serial: randomSerial(opts.randomBytes ?? defaultRandomBytes),
      issuerName: name,
      subjectName: name,
      notBefore,
      notAfter: new Date(opts.now.getTime() + days * DAY_MS),
      subjectPublicKey: publicKey,
      extensions: caExtensions(publicKey, opts.trustDomain),
    },
    { key: privateKey, algorithm: signingAlgorithmFor(privateKey) },
  );
  return { certPem: pemEncode('CERTIFICATE', der), keyPem: pkcs8Pem(privateKey) };
}

/**
 * An intermediate (pathLen 0) signed by `parent`, e.g. the user's own CA loaded with loadCa.
 * Its validity is clamped so it never outlives the parent chain.
 */
export function createIntermediateCa(parent: MeshCa, opts: CreateCaOptions): IntermediateCaPem {
  const days = validityDaysOf(opts.validityDays, 1825);
  assertRoomForIntermediate(parent);
  const { publicKey, privateKey } = generateKeyPairFor(opts.keyType ?? 'ECDSAP256');
  const wanted = opts.now.getTime() + days * DAY_MS;
  const notAfter = new Date(Math.min(wanted, parent.notAfter.getTime()));
  if (notAfter.getTime() <= opts.now.getTime()) {
    throw new PkiInputError('parent', `the parent CA expired at ${parent.notAfter.toISOString()}; rotate it first`);
  }
  const der = buildCertificate(
    {
      serial: randomSerial(opts.randomBytes ?? defaultRandomBytes),
      issuerName: parent.subjectName,
      subjectName: encodeName({ organization: 'meshward', commonName: opts.commonName ?? 'meshward mesh intermediate CA' }),
      notBefore: truncateToSecond(new Date(opts.now.getTime() - CA_BACKDATE_MS)),
      notAfter,
      subjectPublicKey: publicKey,
      extensions: caExtensions(publicKey, opts.trustDomain ?? parent.trustDomain, parent.keyId, 0),
    },
    parent.signer,
  );
  return {
    certPem: pemEncode('CERTIFICATE', der),
    keyPem: pkcs8Pem(privateKey),
    chainPem: parent.chainPem + parent.trustBundlePem,
  };
}
