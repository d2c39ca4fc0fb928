import { describeLevel } from '../gate/policy-rules.js';
import type { ResolvedLevel } from '../policy/resolve-modes.js';
import type { CertificateStatus, PodStatus, WorkloadPort, WorkloadStatus } from './model.js';

// Short human phrases shared by the table and the dashboard.

/** `8080 STRICT`, `8080 plaintext` (no proxy), `8080 PERMISSIVE→STRICT` (proxy behind policy). */
export function describeWorkloadPort(port: WorkloadPort): string {
  if (port.proxy === 'none') return `${port.port} plaintext`;
  if (port.proxy === 'mixed' || port.resolved === 'mixed') return `${port.port} mixed`;
  return port.proxy === port.resolved ? `${port.port} ${port.resolved}` : `${port.port} ${port.proxy}→${port.resolved}`;
}

/** `STRICT (mesh default)`, `PERMISSIVE (namespace-wide policy shop/default)`. */
export function describeModeLevel(level: ResolvedLevel): string {
  return `${level.mode} (${level.source === 'mesh-default' ? 'mesh default' : describeLevel(level)})`;
}

/** The first 16 hex digits of a hash or fingerprint, with an ellipsis when cut. */
export function shortHash(hash: string): string {
  return hash.length > 16 ? `${hash.slice(0, 16)}…` : hash;
}

export function describeCertificate(cert: CertificateStatus): string {
  if (cert.source === 'none') return 'none';
  if (cert.source === 'pod-certificate') return 'pod certificate';
  if (cert.expiry === 'expired') return 'secret, EXPIRED';
  if (cert.notAfter && cert.note.startsWith('expires in ')) return `secret, ${cert.note.slice('expires in '.length)} left`;
  return 'secret';
}

/** The workload's certificate column: one source, or `mixed`. */
export function workloadCertificate(workload: WorkloadStatus): string {
  const texts = [...new Set(workload.pods.map((p) => describeCertificate(p.certificate)))];
  return texts.length === 1 ? texts[0]! : 'mixed';
}

/** What needs doing about a pod, or undefined when nothing does. */
export function podAttention(pod: PodStatus): string | undefined {
  const parts: string[] = [];
  if (!pod.injected) parts.push(`not injected (${pod.notInjectedReason}): ${pod.notInjectedMessage}`);
  for (const d of pod.drift) parts.push(`restart (${d.kind}): ${d.message}`);
  if (pod.certificate.expiry === 'expired' || pod.certificate.expiry === 'expiring') parts.push(`certificate ${pod.certificate.note}`);
  if (pod.certificate.source === 'secret' && pod.certificate.expiry === 'unknown') parts.push(`certificate: ${pod.certificate.note}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * The worst of a workload's pods: a violation; a proxy that refused its configuration; a Running,
 * ready pod whose proxy no replica serves; static drift (restart); a proxy that has not ACKed yet;
 * pods without a proxy.
 */
export type WorkloadState = 'ok' | 'violation' | 'rejected' | 'disconnected' | 'restart' | 'stale' | 'unmeshed';

export function workloadState(workload: WorkloadStatus): WorkloadState {
  if (workload.violations > 0) return 'violation';
  if (workload.rejected > 0) return 'rejected';
  if (workload.disconnected > 0) return 'disconnected';
  if (workload.restart > 0) return 'restart';
  if (workload.stale > 0) return 'stale';
  if (workload.meshed < workload.total) return 'unmeshed';
  return 'ok';
}
