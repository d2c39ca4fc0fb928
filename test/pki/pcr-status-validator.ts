import { X509Certificate, type KeyObject } from 'node:crypto';
import type { PcrStatus } from '../../webhook/pki/pcr-status.js';

const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const MIN = 60_000;

/**
 * A transcription of upstream ValidatePodCertificateRequestStatusUpdate (certificates/validation)
 * for the new-terminal-condition case. Returns the violations; [] means the apiserver would accept.
 */
export function pcrStatusViolations(
  status: PcrStatus,
  spec: { maxExpirationSeconds: number; publicKey: KeyObject },
  apiNow: Date,
): string[] {
  const errs: string[] = [];
  if (status.conditions.length !== 1) errs.push(`want exactly one condition, got ${status.conditions.length}`);
  const cond = status.conditions[0];
  if (!cond) return errs;
  if (!['Issued', 'Denied', 'Failed'].includes(cond.type)) errs.push(`condition type ${cond.type}`);
  if (cond.status !== 'True') errs.push('condition status must be "True"');
  if (!REASON.test(cond.reason)) errs.push(`reason ${cond.reason} fails the metav1.Condition pattern`);
  if (Buffer.byteLength(cond.message) > 32_768) errs.push('message longer than 32768 bytes');
  if (!RFC3339.test(cond.lastTransitionTime)) errs.push(`lastTransitionTime ${cond.lastTransitionTime} is not RFC 3339`);
  const extra = Object.keys(status).filter((k) => k !== 'conditions');
  if (cond.type !== 'Issued') {
    if (extra.length > 0) errs.push(`Denied/Failed must carry only conditions, got ${extra.join(',')}`);
    return errs;
  }
  const blocks = [...(status.certificateChain ?? '').matchAll(/-----BEGIN ([A-Z ]+)-----/g)].map((m) => m[1]);
  if (blocks.length === 0 || blocks.some((b) => b !== 'CERTIFICATE')) errs.push('chain must be CERTIFICATE blocks only');
  const leaf = new X509Certificate(status.certificateChain ?? '');
  if (!leaf.publicKey.equals(spec.publicKey)) errs.push('leaf not issued to the requested public key');
  for (const f of ['notBefore', 'notAfter', 'beginRefreshAt'] as const) {
    if (!RFC3339.test(status[f] ?? '')) errs.push(`${f} missing or not RFC 3339`);
  }
  const nb = new Date(status.notBefore ?? '');
  const na = new Date(status.notAfter ?? '');
  const br = new Date(status.beginRefreshAt ?? '');
  if (nb.getTime() !== new Date(leaf.validFrom).getTime()) errs.push('notBefore differs from the leaf');
  if (na.getTime() !== new Date(leaf.validTo).getTime()) errs.push('notAfter differs from the leaf');
  if (!(nb.getTime() > apiNow.getTime() - 5 * MIN && nb.getTime() < apiNow.getTime() + 5 * MIN))
    errs.push('notBefore not within 5 minutes of the apiserver clock');
  const lifetime = (na.getTime() - nb.getTime()) / 1000;
  if (lifetime < 3600) errs.push(`lifetime ${lifetime}s < 1h`);
  if (lifetime > spec.maxExpirationSeconds) errs.push(`lifetime ${lifetime}s > maxExpirationSeconds ${spec.maxExpirationSeconds}`);
  if (br.getTime() < nb.getTime() + 10 * MIN) errs.push('beginRefreshAt earlier than notBefore+10m');
  if (br.getTime() > na.getTime() - 10 * MIN) errs.push('beginRefreshAt later than notAfter-10m');
  return errs;
}
