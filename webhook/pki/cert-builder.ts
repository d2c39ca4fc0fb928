import { randomBytes as nodeRandomBytes, KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName, Validity, type Extension } from '@peculiar/asn1-x509';
import { derBitString, derExplicit, derPositiveInteger, derSequence } from './der.js';
import { encodeExtensions } from './extensions.js';
import { spkiDer } from './key-types.js';
import { signData, type SigningAlgorithm } from './signature-algorithm.js';

export type RandomBytes = (size: number) => Buffer;

export const defaultRandomBytes: RandomBytes = (size) => nodeRandomBytes(size);

export interface CertificateTemplate {
  /** Big-endian magnitude of a positive serial number. */
  readonly serial: Uint8Array;
  /** Exact DER of the issuer Name (the signing certificate's subject). */
  readonly issuerName: Uint8Array;
  readonly subjectName: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subjectPublicKey: KeyObject;
  readonly extensions: readonly Extension[];
}

export interface CertificateSigner {
  readonly key: KeyObject;
  readonly algorithm: SigningAlgorithm;
}

const VERSION_V3 = derExplicit(0, Buffer.from([0x02, 0x01, 0x02]));

/** 128 random bits as a positive serial (RFC 5280: ≤20 octets, non-zero, ≥64 bits of entropy). */
export function randomSerial(randomBytes: RandomBytes = defaultRandomBytes): Buffer {
  const bytes = Buffer.from(randomBytes(16));
  if (bytes.every((b) => b === 0)) bytes[15] = 1;
  return bytes;
}

/** DER Name: empty when no attributes, else CN (and O) as UTF8String. */
export function encodeName(attrs: { commonName?: string; organization?: string } = {}): Buffer {
  const rdns: RelativeDistinguishedName[] = [];
  const add = (oid: string, value: string | undefined): void => {
    if (value === undefined || value === '') return;
    const atv = new AttributeTypeAndValue({ type: oid, value: new AttributeValue({ utf8String: value }) });
    rdns.push(new RelativeDistinguishedName([atv]));
  };
  add('2.5.4.10', attrs.organization);
  add('2.5.4.3', attrs.commonName);
  return Buffer.from(AsnConvert.serialize(new Name(rdns)));
}

/** Second precision, as X.509 encodes time (UTCTime up to 2049, GeneralizedTime after). */
export function truncateToSecond(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** Encodes and signs a v3 certificate; returns its DER. */
export function buildCertificate(tpl: CertificateTemplate, signer: CertificateSigner): Buffer {
  const validity = new Validity({ notBefore: truncateToSecond(tpl.notBefore), notAfter: truncateToSecond(tpl.notAfter) });
  const tbs = derSequence([
    VERSION_V3,
    derPositiveInteger(tpl.serial),
    signer.algorithm.der,
    tpl.issuerName,
    Buffer.from(AsnConvert.serialize(validity)),
    tpl.subjectName,
    spkiDer(tpl.subjectPublicKey),
    derExplicit(3, encodeExtensions(tpl.extensions)),
  ]);
  const signature = signData(signer.algorithm, signer.key, tbs);
  return derSequence([tbs, signer.algorithm.der, derBitString(signature)]);
}
