import { isIP } from 'node:net';
import { createRootCa } from './create-ca.js';
import { buildCertificate, defaultRandomBytes, encodeName, randomSerial, truncateToSecond, type RandomBytes } from './cert-builder.js';
import { PkiInputError } from './errors.js';
import { authorityKeyIdentifier, basicConstraints, extendedKeyUsage, keyUsage, KeyUsageFlags, subjectAltName } from './extensions.js';
import { generateKeyPairFor, pkcs8Pem } from './key-types.js';
import { loadCa, type MeshCa } from './mesh-ca.js';
import { pemEncode } from './pem.js';

export interface ServingCertInput {
  readonly ca: MeshCa;
  readonly dnsNames: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** Default 365; clamped to the CA chain's lifetime. */
  readonly ttlDays?: number;
  readonly now: Date;
  readonly randomBytes?: RandomBytes;
}

export interface ServingCert {
  /** Leaf then the CA's intermediates: what the HTTPS server presents. */
  readonly certPem: string;
  /** PKCS#8, secret. */
  readonly keyPem: string;
  readonly notAfter: Date;
}

const DNS_NAME = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const DAY_MS = 86_400_000;
const BACKDATE_MS = 5 * 60_000;

function checkNames(input: ServingCertInput): void {
  input.dnsNames.forEach((d, i) => {
    if (d.length > 253 || !DNS_NAME.test(d)) {
      throw new PkiInputError(`dnsNames[${i}]`, `"${d}" is not a lowercase DNS name such as "meshward.meshward-system.svc"`);
    }
  });
  (input.ipAddresses ?? []).forEach((ip, i) => {
    if (isIP(ip) === 0) throw new PkiInputError(`ipAddresses[${i}]`, `"${ip}" is not an IPv4 or IPv6 address`);
  });
  if (input.dnsNames.length + (input.ipAddresses?.length ?? 0) === 0) {
    throw new PkiInputError('dnsNames', 'give at least one DNS name or IP address (e.g. "meshward.meshward-system.svc")');
  }
}

/** The webhook's own serving certificate: ECDSA P-256, EKU serverAuth, DNS and IP SANs. */
export function issueServingCert(input: ServingCertInput): ServingCert {
  checkNames(input);
  const days = input.ttlDays ?? 365;
  if (!Number.isInteger(days) || days < 1)
    throw new PkiInputError('ttlDays', `must be a whole number of days ≥ 1, got ${String(input.ttlDays)}`);
  const notAfter = truncateToSecond(new Date(Math.min(input.now.getTime() + days * DAY_MS, input.ca.notAfter.getTime())));
  if (notAfter.getTime() <= input.now.getTime())
    throw new PkiInputError('ca', `the CA chain expired at ${input.ca.notAfter.toISOString()}; rotate it`);
  const { publicKey, privateKey } = generateKeyPairFor('ECDSAP256');
  const der = buildCertificate(
    {
      serial: randomSerial(input.randomBytes ?? defaultRandomBytes),
      issuerName: input.ca.subjectName,
      subjectName: encodeName({ commonName: input.dnsNames[0] ?? input.ipAddresses?.[0] ?? '' }),
      notBefore: new Date(input.now.getTime() - BACKDATE_MS),
      notAfter,
      subjectPublicKey: publicKey,
      extensions: [
        basicConstraints(false),
        keyUsage(KeyUsageFlags.digitalSignature),
        extendedKeyUsage(['serverAuth']),
        subjectAltName({ dnsNames: input.dnsNames, ipAddresses: input.ipAddresses ?? [] }, false),
        authorityKeyIdentifier(input.ca.keyId),
      ],
    },
    input.ca.signer,
  );
  return { certPem: pemEncode('CERTIFICATE', der) + input.ca.chainPem, keyPem: pkcs8Pem(privateKey), notAfter };
}

export interface SingleUseServingInput {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** The serving certificate's lifetime; its CA lives a day longer, so it never cuts the leaf short. */
  readonly validityDays: number;
  readonly now: Date;
  /** Default: "meshward webhook CA <unix seconds>". */
  readonly caCommonName?: string;
}

export interface SingleUseServing {
  /** The leaf (what tls.crt holds). */
  readonly certPem: string;
  /** PKCS#8, secret. */
  readonly keyPem: string;
  /** The CA that signed it, for clients' trust (caBundle, ca.crt). */
  readonly caPem: string;
}

/**
 * A fresh single-use CA and the serving certificate it signs (both ECDSA P-256): the one issuer of
 * the webhook's serving certificate, managed (identity/serving) or development (--self-signed).
 * The CA's private key is dropped as soon as the certificate is signed: it is never stored, so it
 * cannot leak, and each rotation brings its own CA (which is what makes the caBundle overlap safe).
 */
export function issueSingleUseServing(input: SingleUseServingInput): SingleUseServing {
  const seconds = Math.floor(input.now.getTime() / 1000);
  const caPair = createRootCa({
    commonName: input.caCommonName ?? `meshward webhook CA ${seconds}`,
    validityDays: input.validityDays + 1,
    now: input.now,
  });
  const ca = loadCa(caPair);
  const cert = issueServingCert({
    ca,
    dnsNames: input.dnsNames,
    ipAddresses: input.ipAddresses,
    ttlDays: input.validityDays,
    now: input.now,
  });
  return { certPem: cert.certPem, keyPem: cert.keyPem, caPem: ca.certPem };
}
