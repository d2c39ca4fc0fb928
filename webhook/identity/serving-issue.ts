// A fresh single-use CA and the serving certificate it signs (both ECDSA P-256). The CA's private
// key is dropped as soon as the certificate is signed: it is never stored, so it cannot leak, and
// each rotation brings its own CA (which is what makes the caBundle overlap safe).
import { createRootCa, issueServingCert, loadCa } from '../pki/index.js';
import type { StagedMaterial } from './serving-secret.js';

export interface IssueServingInput {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** The serving certificate's lifetime; its CA lives a day longer, so it never cuts the leaf short. */
  readonly validityDays: number;
  readonly now: Date;
}

export type IssueServing = (input: IssueServingInput) => StagedMaterial;

export const issueServingMaterial: IssueServing = (input) => {
  const seconds = Math.floor(input.now.getTime() / 1000);
  const caPair = createRootCa({ commonName: `meshward webhook CA ${seconds}`, validityDays: input.validityDays + 1, now: input.now });
  const ca = loadCa(caPair);
  const cert = issueServingCert({ ca, dnsNames: input.dnsNames, ipAddresses: input.ipAddresses, ttlDays: input.validityDays, now: input.now });
  return { certPem: cert.certPem, keyPem: cert.keyPem, caPem: ca.certPem };
};
