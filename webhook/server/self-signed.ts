import { issueSingleUseServing } from '../pki/index.js';

export interface SelfSignedBundle {
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * Development mode (--self-signed): an in-memory CA and a serving certificate for localhost,
 * 127.0.0.1 and ::1. Never used in production, where certificates come from files or the managed
 * serving certificate. Issued by pki's native-crypto issuer, the same one identity/serving uses.
 */
export function generateSelfSigned(now: Date, extraHosts: readonly string[] = []): SelfSignedBundle {
  const hosts = ['localhost', '127.0.0.1', '::1', ...extraHosts];
  const isIp = (h: string): boolean => /^[0-9.]+$|:/.test(h);
  const issued = issueSingleUseServing({
    dnsNames: hosts.filter((h) => !isIp(h)),
    ipAddresses: hosts.filter(isIp),
    validityDays: 30,
    now,
    caCommonName: 'meshward self-signed CA',
  });
  return { caCert: issued.caPem, cert: issued.certPem, key: issued.keyPem };
}
