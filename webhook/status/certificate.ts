import { X509Certificate } from 'node:crypto';
import type { KubeObject } from '../admission/types.js';
import { CREDENTIALS_VOLUME_NAME } from '../config/names.js';
import { CREDENTIAL_FILES } from '../config/names.js';
import type { KubeApi } from '../kube/api.js';
import { resourcePath, SECRETS, type Resource } from '../kube/resources.js';
import type { KubeResourceObject, Secret } from '../kube/types.js';
import type { CertificateStatus } from './model.js';

// Where a pod's workload certificate comes from (its meshward-credentials volume) and, when it
// can be known, when it expires. Native pod certificates live only in the kubelet's projected
// volume: nothing outside the node can read them, and the kubelet renews them itself. The Secret
// fallback is readable (with RBAC to get Secrets): its leaf certificate carries notAfter.

/** Reads Secrets through the one KubeApi (get: undefined when absent; throws when forbidden or unreachable). */
export type SecretReader = Pick<KubeApi, 'get'>;

/** Below this much lifetime left, a fallback certificate is reported as expiring. */
export const EXPIRING_SECONDS = 3600;

type Source = Record<string, unknown>;

function credentialSources(pod: KubeObject): Source[] | undefined {
  const volumes = (pod.spec as { volumes?: unknown } | undefined)?.volumes;
  if (!Array.isArray(volumes)) return undefined;
  const volume = volumes.find(
    (v: unknown) => typeof v === 'object' && v !== null && (v as { name?: unknown }).name === CREDENTIALS_VOLUME_NAME,
  ) as { projected?: { sources?: unknown } } | undefined;
  const sources = volume?.projected?.sources;
  return Array.isArray(sources) ? (sources.filter((s) => typeof s === 'object' && s !== null) as Source[]) : undefined;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  return `${m}m`;
}

/** The certificate source of a pod, without expiry for the fallback (see withSecretExpiry). */
export function certificateSource(pod: KubeObject): CertificateStatus {
  const sources = credentialSources(pod);
  if (!sources) return { source: 'none', expiry: 'none', note: `no ${CREDENTIALS_VOLUME_NAME} volume` };
  const native = sources.find((s) => typeof s.podCertificate === 'object' && s.podCertificate !== null)?.podCertificate as
    { signerName?: unknown; maxExpirationSeconds?: unknown } | undefined;
  if (native) {
    const max = typeof native.maxExpirationSeconds === 'number' ? native.maxExpirationSeconds : undefined;
    return {
      source: 'pod-certificate',
      ...(typeof native.signerName === 'string' ? { signerName: native.signerName } : {}),
      ...(max !== undefined ? { maxExpirationSeconds: max } : {}),
      expiry: 'rotated-by-kubelet',
      note: `rotated by the kubelet${max !== undefined ? ` (lifetime ≤ ${formatDuration(max)})` : ''}`,
    };
  }
  const secret = sources.find((s) => typeof s.secret === 'object' && s.secret !== null)?.secret as { name?: unknown } | undefined;
  if (secret && typeof secret.name === 'string')
    return { source: 'secret', secretName: secret.name, expiry: 'unknown', note: 'expiry not read' };
  return { source: 'none', expiry: 'none', note: `${CREDENTIALS_VOLUME_NAME} has neither a podCertificate nor a secret source` };
}

/** notAfter of the first certificate in a PEM text (the leaf of a credential bundle). */
export function leafNotAfter(pem: string): Date | undefined {
  const match = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  if (!match) return undefined;
  try {
    const when = new Date(new X509Certificate(match[0]).validTo);
    return Number.isNaN(when.getTime()) ? undefined : when;
  } catch {
    return undefined;
  }
}

/** The leaf's notAfter from a fallback Secret (data is base64, stringData plain). */
export function secretNotAfter(secret: {
  readonly data?: Readonly<Record<string, unknown>>;
  readonly stringData?: Readonly<Record<string, unknown>>;
}): Date | undefined {
  const key = CREDENTIAL_FILES.bundle;
  const data = secret.data?.[key];
  const plain = secret.stringData?.[key];
  const pem = typeof data === 'string' ? Buffer.from(data, 'base64').toString('utf8') : typeof plain === 'string' ? plain : undefined;
  return pem ? leafNotAfter(pem) : undefined;
}

/** Completes a fallback certificate's status with its expiry, read through `secrets`. */
export async function withSecretExpiry(
  status: CertificateStatus,
  namespace: string,
  secrets: SecretReader | undefined,
  now: Date,
): Promise<CertificateStatus> {
  if (status.source !== 'secret' || !status.secretName) return status;
  if (!secrets) return { ...status, expiry: 'unknown', note: `Secret ${status.secretName}: expiry not read (no Secret access)` };
  let secret: Secret | undefined;
  try {
    secret = await secrets.get(SECRETS, namespace, status.secretName);
  } catch (err) {
    return { ...status, expiry: 'unknown', note: `Secret ${status.secretName} unreadable: ${(err as Error).message}` };
  }
  if (!secret) return { ...status, expiry: 'unknown', note: `Secret ${status.secretName} does not exist yet (the pod cannot start)` };
  const notAfter = secretNotAfter(secret);
  if (!notAfter)
    return { ...status, expiry: 'unknown', note: `Secret ${status.secretName} holds no certificate in ${CREDENTIAL_FILES.bundle}` };
  const left = (notAfter.getTime() - now.getTime()) / 1000;
  const base = { ...status, notAfter: notAfter.toISOString() };
  if (left <= 0) return { ...base, expiry: 'expired', note: `expired ${formatDuration(-left)} ago` };
  return { ...base, expiry: left < EXPIRING_SECONDS ? 'expiring' : 'valid', note: `expires in ${formatDuration(left)}` };
}

/** Memoises Secret reads for one status build (pods of a ServiceAccount share their Secret). */
export function cachedSecretReader(secrets: SecretReader): SecretReader {
  const cache = new Map<string, Promise<KubeResourceObject | undefined>>();
  return {
    get<T extends KubeResourceObject>(r: Resource<T>, namespace: string | undefined, name: string): Promise<T | undefined> {
      const key = resourcePath(r, namespace, name);
      let hit = cache.get(key) as Promise<T | undefined> | undefined;
      if (!hit) {
        hit = secrets.get(r, namespace, name);
        cache.set(key, hit);
      }
      return hit;
    },
  };
}
