import type { KeyObject } from 'node:crypto';
import { buildCertificate, defaultRandomBytes, encodeName, randomSerial, type RandomBytes } from './cert-builder.js';
import { authorityKeyIdentifier, basicConstraints, extendedKeyUsage, keyUsage, KeyUsageFlags, subjectAltName } from './extensions.js';
import { KEY_TYPES } from '../config/types.js';
import { PkiInputError } from './errors.js';
import { classifyPublicKey, toPublicKey, type PublicKeyInput } from './key-types.js';
import type { MeshCa } from './mesh-ca.js';
import { pemEncode } from './pem.js';
import { workloadSpiffeId } from './spiffe-id.js';
import { computeSvidValidity } from './svid-validity.js';

export interface IssueSvidInput {
  readonly ca: MeshCa;
  readonly subjectPublicKey: PublicKeyInput;
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Default 86400 (24h). */
  readonly ttlSeconds?: number;
  /** Upper bound on notAfter − notBefore (a PCR's spec.maxExpirationSeconds). */
  readonly maxExpirationSeconds?: number;
  readonly now: Date;
  /** Clock-skew allowance subtracted from notBefore. Default 300. */
  readonly backdateSeconds?: number;
  /** Where in the lifetime beginRefreshAt falls, in percent (default 50; clamped as the API requires). */
  readonly refreshPercent?: number;
  readonly randomBytes?: RandomBytes;
}

export interface IssuedSvid {
  /** Leaf, then the CA's intermediates (never the root). */
  readonly certificateChainPem: string;
  readonly leafPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly beginRefreshAt: Date;
  readonly spiffeId: string;
}

/** Key usage per SPIFFE X509-SVID §4.3: digitalSignature, plus keyEncipherment for RSA only. */
export function svidKeyUsage(subjectKey: KeyObject): number {
  const rsa = subjectKey.asymmetricKeyType === 'rsa';
  return KeyUsageFlags.digitalSignature | (rsa ? KeyUsageFlags.keyEncipherment : 0);
}

/**
 * Issues an X.509-SVID for spiffe://<td>/ns/<ns>/sa/<sa>. The subject is empty and the single
 * URI SAN is critical (X509-SVID §2, as Istio does); cA=false and keyUsage are critical; EKU
 * carries serverAuth and clientAuth; AKI names the CA key; the serial is 128 random bits.
 */
export function issueSvid(input: IssueSvidInput): IssuedSvid {
  const spiffeId = workloadSpiffeId(input.trustDomain, input.namespace, input.serviceAccount);
  const subjectKey = toPublicKey(input.subjectPublicKey);
  if (classifyPublicKey(subjectKey) === 'unsupported') {
    throw new PkiInputError('subjectPublicKey', `unsupported key; use one of ${KEY_TYPES.join(', ')}`);
  }
  const validity = computeSvidValidity({
    now: input.now,
    ttlSeconds: input.ttlSeconds,
    maxExpirationSeconds: input.maxExpirationSeconds,
    backdateSeconds: input.backdateSeconds,
    refreshPercent: input.refreshPercent,
    caNotAfter: input.ca.notAfter,
  });
  const der = buildCertificate(
    {
      serial: randomSerial(input.randomBytes ?? defaultRandomBytes),
      issuerName: input.ca.subjectName,
      subjectName: encodeName(),
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      subjectPublicKey: subjectKey,
      extensions: [
        basicConstraints(false),
        keyUsage(svidKeyUsage(subjectKey)),
        extendedKeyUsage(['serverAuth', 'clientAuth']),
        subjectAltName({ uris: [spiffeId] }, true),
        authorityKeyIdentifier(input.ca.keyId),
      ],
    },
    input.ca.signer,
  );
  const leafPem = pemEncode('CERTIFICATE', der);
  return {
    certificateChainPem: leafPem + input.ca.chainPem,
    leafPem,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    beginRefreshAt: validity.beginRefreshAt,
    spiffeId,
  };
}
