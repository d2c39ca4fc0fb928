import { createHash, KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
} from '@peculiar/asn1-x509';
import { spkiDer } from './key-types.js';

export { KeyUsageFlags };

function ext(oid: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = AsnConvert.parse(spkiDer(publicKey), SubjectPublicKeyInfo);
  return createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest();
}

export function basicConstraints(cA: boolean, pathLenConstraint?: number): Extension {
  const value = new BasicConstraints({ cA, ...(pathLenConstraint === undefined ? {} : { pathLenConstraint }) });
  return ext(id_ce_basicConstraints, true, value);
}

/** Always critical (SPIFFE requires it for SVIDs; RFC 5280 recommends it for CAs). */
export function keyUsage(flags: number): Extension {
  return ext(id_ce_keyUsage, true, new KeyUsage(flags));
}

export function extendedKeyUsage(usages: readonly ('serverAuth' | 'clientAuth')[]): Extension {
  const oids = usages.map((u) => (u === 'serverAuth' ? id_kp_serverAuth : id_kp_clientAuth));
  return ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage(oids));
}

export interface AltNames {
  readonly uris?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

/** SubjectAltName; critical when the subject is empty (RFC 5280 §4.2.1.6, SPIFFE X509-SVID §2). */
export function subjectAltName(names: AltNames, critical: boolean): Extension {
  const general = [
    ...(names.uris ?? []).map((u) => new GeneralName({ uniformResourceIdentifier: u })),
    ...(names.dnsNames ?? []).map((d) => new GeneralName({ dNSName: d })),
    ...(names.ipAddresses ?? []).map((ip) => new GeneralName({ iPAddress: ip })),
  ];
  return ext(id_ce_subjectAltName, critical, new SubjectAlternativeName(general));
}

export function subjectKeyIdentifier(keyId: Uint8Array): Extension {
  return ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId));
}

export function authorityKeyIdentifier(keyId: Uint8Array): Extension {
  return ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId) }));
}

/** DER of the Extensions SEQUENCE (to be wrapped in [3] EXPLICIT). */
export function encodeExtensions(list: readonly Extension[]): Buffer {
  return Buffer.from(AsnConvert.serialize(new Extensions([...list])));
}
