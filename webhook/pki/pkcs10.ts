import { verify, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { PkiInputError } from './errors.js';
import { classifyPublicKey, toPublicKey, type PodKeyType } from './key-types.js';
import { verifyAlgorithmFor } from './signature-algorithm.js';

export interface StubPkcs10 {
  readonly publicKey: KeyObject;
  readonly keyType: PodKeyType;
}

const FIELD = 'stubPKCS10Request';
/** Upper bound well above an RSA-4096 CSR (~1.2 KB), so garbage cannot make us parse megabytes. */
const MAX_DER_BYTES = 16 * 1024;

function parse(der: Buffer): CertificationRequest {
  try {
    const csr = AsnConvert.parse(der, CertificationRequest);
    if (!csr.certificationRequestInfoRaw) throw new Error('no CertificationRequestInfo');
    return csr;
  } catch {
    throw new PkiInputError(FIELD, 'is not a DER-encoded PKCS#10 CertificationRequest');
  }
}

/**
 * Parses the kubelet's stub PKCS#10 request, checks its self-signature (proof of possession of
 * the subject key) and returns the public key and its API key type. Keys that parse but are not
 * one of the API's key types come back as keyType 'unsupported' so the caller can deny politely.
 */
export function parseStubPkcs10(der: Buffer): StubPkcs10 {
  if (!Buffer.isBuffer(der) || der.length === 0) throw new PkiInputError(FIELD, 'is empty; expected DER PKCS#10 bytes');
  if (der.length > MAX_DER_BYTES) throw new PkiInputError(FIELD, `is ${der.length} bytes; a stub request is at most ${MAX_DER_BYTES}`);
  const csr = parse(der);
  const info = csr.certificationRequestInfo;
  if (info.version !== 0) throw new PkiInputError(FIELD, `has version ${info.version}; PKCS#10 v1 (0) is required`);
  const spki = Buffer.from(AsnConvert.serialize(info.subjectPKInfo as SubjectPublicKeyInfo));
  let publicKey: KeyObject;
  try {
    publicKey = toPublicKey(spki, FIELD);
  } catch {
    throw new PkiInputError(FIELD, 'carries a public key that cannot be decoded');
  }
  const alg = verifyAlgorithmFor(csr.signatureAlgorithm.algorithm);
  if (alg === undefined) {
    throw new PkiInputError(
      FIELD,
      `is signed with unsupported algorithm ${csr.signatureAlgorithm.algorithm}; use ECDSA, Ed25519 or RSA PKCS#1 v1.5 with SHA-2`,
    );
  }
  if (alg.keyFamily !== publicKey.asymmetricKeyType) {
    throw new PkiInputError(
      FIELD,
      `signature algorithm ${csr.signatureAlgorithm.algorithm} does not fit its ${String(publicKey.asymmetricKeyType)} public key`,
    );
  }
  let ok = false;
  try {
    ok = verify(alg.digest, Buffer.from(csr.certificationRequestInfoRaw as ArrayBuffer), publicKey, Buffer.from(csr.signature));
  } catch {
    ok = false;
  }
  if (!ok) throw new PkiInputError(FIELD, 'self-signature does not verify against its own public key');
  return { publicKey, keyType: classifyPublicKey(publicKey) };
}
