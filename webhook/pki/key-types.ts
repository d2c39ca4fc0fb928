import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import type { KeyType } from '../config/types.js';
import { PkiInputError } from './errors.js';

/** A key type the PodCertificate API names, or 'unsupported' for anything else. */
export type PodKeyType = KeyType | 'unsupported';

/** A subject public key as callers hold it: a KeyObject, SPKI DER, or PEM text. */
export type PublicKeyInput = KeyObject | Buffer | Uint8Array | string;

const CURVES: Readonly<Record<string, KeyType>> = {
  prime256v1: 'ECDSAP256',
  secp384r1: 'ECDSAP384',
  secp521r1: 'ECDSAP521',
};

/** Which of the API's key types `key` is (public or private key accepted). */
export function classifyPublicKey(key: KeyObject): PodKeyType {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return 'ED25519';
    case 'ec':
      return CURVES[details.namedCurve ?? ''] ?? 'unsupported';
    case 'rsa':
      if (details.modulusLength === 3072) return 'RSA3072';
      if (details.modulusLength === 4096) return 'RSA4096';
      return 'unsupported';
    default:
      return 'unsupported';
  }
}

/** Normalises any accepted public-key form (a private KeyObject yields its public half). */
export function toPublicKey(input: PublicKeyInput, field = 'subjectPublicKey'): KeyObject {
  try {
    if (input instanceof KeyObject) {
      if (input.type === 'secret') throw new Error('secret key');
      return input.type === 'private' ? createPublicKey(input) : input;
    }
    if (typeof input === 'string') return createPublicKey(input);
    return createPublicKey({ key: Buffer.from(input), format: 'der', type: 'spki' });
  } catch {
    throw new PkiInputError(field, 'must be a public KeyObject, SPKI DER bytes or a "PUBLIC KEY" PEM block');
  }
}

/** A CA or workload private key from PKCS#8/SEC1/PKCS#1 PEM. */
export function toPrivateKey(pem: string, field: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new PkiInputError(field, 'must be an unencrypted PEM private key (PKCS#8 "PRIVATE KEY" preferred)');
  }
}

export function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

export function pkcs8Pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Generates a key pair of one of the API's key types with Node's native crypto. */
export function generateKeyPairFor(keyType: KeyType): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (keyType) {
    case 'ED25519':
      return generateKeyPairSync('ed25519');
    case 'ECDSAP256':
      return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    case 'ECDSAP384':
      return generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    case 'ECDSAP521':
      return generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
    case 'RSA3072':
      return generateKeyPairSync('rsa', { modulusLength: 3072 });
    case 'RSA4096':
      return generateKeyPairSync('rsa', { modulusLength: 4096 });
  }
}

/** Human wording for a key, for denial messages ("RSA 2048-bit", "EC secp256k1", "ed448"). */
export function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    return `${key.asymmetricKeyType.toUpperCase()} ${details.modulusLength ?? '?'}-bit`;
  }
  if (key.asymmetricKeyType === 'ec') return `EC ${details.namedCurve ?? 'unknown curve'}`;
  return String(key.asymmetricKeyType ?? 'unknown');
}
