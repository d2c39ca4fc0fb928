import { AsnConvert } from '@peculiar/asn1-schema';
import {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';

/** The facts about a certificate that CA loading and SPIFFE checks decide on. */
export interface CertificateFacts {
  readonly isCa: boolean;
  readonly hasBasicConstraints: boolean;
  /** basicConstraints pathLenConstraint, undefined when unlimited. */
  readonly pathLen: number | undefined;
  /** KeyUsage bit flags (KeyUsageFlags), undefined when the extension is absent. */
  readonly keyUsage: number | undefined;
  readonly keyUsageCritical: boolean;
  /** EKU OIDs, undefined when the extension is absent. */
  readonly extKeyUsage: readonly string[] | undefined;
  readonly uris: readonly string[];
  readonly dnsNames: readonly string[];
  readonly sanCritical: boolean;
  readonly subjectKeyId: Buffer | undefined;
  readonly subjectIsEmpty: boolean;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Parses DER with @peculiar/asn1-x509; throws if it is not an X.509 certificate. */
export function inspectCertificate(der: Uint8Array): CertificateFacts {
  const cert = AsnConvert.parse(der, Certificate);
  const tbs = cert.tbsCertificate;
  let isCa = false;
  let hasBasicConstraints = false;
  let pathLen: number | undefined;
  let keyUsage: number | undefined;
  let keyUsageCritical = false;
  let extKeyUsage: string[] | undefined;
  let sanCritical = false;
  let subjectKeyId: Buffer | undefined;
  const uris: string[] = [];
  const dnsNames: string[] = [];
  for (const e of tbs.extensions ?? []) {
    const value = e.extnValue.buffer;
    if (e.extnID === id_ce_basicConstraints) {
      hasBasicConstraints = true;
      const bc = AsnConvert.parse(value, BasicConstraints);
      isCa = bc.cA;
      pathLen = bc.pathLenConstraint;
    } else if (e.extnID === id_ce_keyUsage) {
      keyUsage = AsnConvert.parse(value, KeyUsage).toNumber();
      keyUsageCritical = e.critical;
    } else if (e.extnID === id_ce_extKeyUsage) {
      extKeyUsage = [...AsnConvert.parse(value, ExtendedKeyUsage)];
    } else if (e.extnID === id_ce_subjectAltName) {
      sanCritical = e.critical;
      for (const name of AsnConvert.parse(value, SubjectAlternativeName)) {
        if (name.uniformResourceIdentifier !== undefined) uris.push(name.uniformResourceIdentifier);
        if (name.dNSName !== undefined) dnsNames.push(name.dNSName);
      }
    } else if (e.extnID === id_ce_subjectKeyIdentifier) {
      subjectKeyId = Buffer.from(AsnConvert.parse(value, SubjectKeyIdentifier).buffer);
    }
  }
  return {
    isCa,
    hasBasicConstraints,
    pathLen,
    keyUsage,
    keyUsageCritical,
    extKeyUsage,
    uris,
    dnsNames,
    sanCritical,
    subjectKeyId,
    subjectIsEmpty: tbs.subject.length === 0,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
  };
}
