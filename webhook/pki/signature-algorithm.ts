import { sign, KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { PkiInputError } from './errors.js';

/** How a CA key signs: the AlgorithmIdentifier written into certificates and Node's digest. */
export interface SigningAlgorithm {
  readonly oid: string;
  /** Encoded AlgorithmIdentifier, identical in TBSCertificate.signature and Certificate. */
  readonly der: Buffer;
  /** Digest for crypto.sign; null for Ed25519 (pure EdDSA). */
  readonly digest: string | null;
}

const DER_NULL = new Uint8Array([0x05, 0x00]).buffer;

const OIDS = {
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  rsaSha256: '1.2.840.113549.1.1.11',
  rsaSha384: '1.2.840.113549.1.1.12',
  rsaSha512: '1.2.840.113549.1.1.13',
  ed25519: '1.3.101.112',
} as const;

/** How to verify a signature we did not make (stub CSRs): digest and the key family it needs. */
export interface VerifyAlgorithm {
  readonly digest: string | null;
  readonly keyFamily: 'ec' | 'rsa' | 'ed25519';
}

const VERIFY: Readonly<Record<string, VerifyAlgorithm>> = {
  [OIDS.ecdsaSha256]: { digest: 'sha256', keyFamily: 'ec' },
  [OIDS.ecdsaSha384]: { digest: 'sha384', keyFamily: 'ec' },
  [OIDS.ecdsaSha512]: { digest: 'sha512', keyFamily: 'ec' },
  [OIDS.rsaSha256]: { digest: 'sha256', keyFamily: 'rsa' },
  [OIDS.rsaSha384]: { digest: 'sha384', keyFamily: 'rsa' },
  [OIDS.rsaSha512]: { digest: 'sha512', keyFamily: 'rsa' },
  [OIDS.ed25519]: { digest: null, keyFamily: 'ed25519' },
};

function algorithm(oid: string, digest: string | null, nullParams: boolean): SigningAlgorithm {
  const id = new AlgorithmIdentifier({ algorithm: oid, ...(nullParams ? { parameters: DER_NULL } : {}) });
  return { oid, der: Buffer.from(AsnConvert.serialize(id)), digest };
}

/** The signature algorithm a CA private key uses: SHA size matched to the curve, SHA-256 for RSA. */
export function signingAlgorithmFor(caKey: KeyObject, field = 'ca key'): SigningAlgorithm {
  const details = caKey.asymmetricKeyDetails ?? {};
  switch (caKey.asymmetricKeyType) {
    case 'ed25519':
      return algorithm(OIDS.ed25519, null, false);
    case 'rsa':
      if ((details.modulusLength ?? 0) < 2048) throw new PkiInputError(field, 'RSA CA keys must be at least 2048 bits');
      return algorithm(OIDS.rsaSha256, 'sha256', true);
    case 'ec':
      if (details.namedCurve === 'prime256v1') return algorithm(OIDS.ecdsaSha256, 'sha256', false);
      if (details.namedCurve === 'secp384r1') return algorithm(OIDS.ecdsaSha384, 'sha384', false);
      if (details.namedCurve === 'secp521r1') return algorithm(OIDS.ecdsaSha512, 'sha512', false);
      break;
    default:
      break;
  }
  throw new PkiInputError(field, 'unsupported CA key; use ECDSA P-256/P-384/P-521, RSA ≥2048 or Ed25519');
}

export function signData(alg: SigningAlgorithm, key: KeyObject, data: Uint8Array): Buffer {
  return sign(alg.digest, data, key);
}

/** The verification recipe for a signature OID, or undefined when we do not accept it (RSASSA-PSS, SHA-1, …). */
export function verifyAlgorithmFor(oid: string): VerifyAlgorithm | undefined {
  return VERIFY[oid];
}
