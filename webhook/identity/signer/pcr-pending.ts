import type { PodCertificateRequest } from '../../kube/types.js';

/** The API allows exactly one of these, with status "True", and then freezes the status. */
export const TERMINAL_CONDITIONS: readonly string[] = ['Issued', 'Denied', 'Failed'];

/** The terminal condition a PodCertificateRequest carries, if any. */
export function terminalCondition(pcr: PodCertificateRequest): string | undefined {
  return (pcr.status?.conditions ?? []).find((c) => TERMINAL_CONDITIONS.includes(c.type) && c.status === 'True')?.type;
}

/** Addressed to this signer and not decided yet: the signer must write its status. */
export function isPendingFor(pcr: PodCertificateRequest, signerName: string): boolean {
  return pcr.spec?.signerName === signerName && terminalCondition(pcr) === undefined && pcr.metadata?.deletionTimestamp === undefined;
}

export function pcrKey(pcr: Pick<PodCertificateRequest, 'metadata'>): string {
  return `${pcr.metadata.namespace}/${pcr.metadata.name}`;
}
