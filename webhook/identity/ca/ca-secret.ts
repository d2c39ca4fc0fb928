import { createHash, X509Certificate } from 'node:crypto';
import { loadCa, PkiInputError, type CaFiles, type MeshCa } from '../../pki/index.js';
import type { Secret } from '../../kube/types.js';
import { MANAGED_BY } from '../labels.js';

// The mesh CA in the cluster: one Opaque Secret in meshward's namespace. The signing CA is always
// under ca.*, so a plain reader (or an older meshward) finds it where `ca init --out` puts it.
export const CA_SECRET_KEYS = {
  cert: 'ca.crt',
  key: 'ca.key',
  chain: 'chain.crt',
  trustBundle: 'trust-bundle.crt',
  nextCert: 'next.crt',
  nextKey: 'next.key',
  nextChain: 'next-chain.crt',
} as const;
export const ROTATION_ANNOTATION = 'meshward.io/ca-rotation';

export const ROTATION_PHASES = ['idle', 'published', 'signing'] as const;
export type RotationPhase = (typeof ROTATION_PHASES)[number];

/** The rotation record kept in the Secret's annotation (JSON), so a rotation resumes from any machine. */
export interface RotationRecord {
  readonly phase: RotationPhase;
  /** ISO time the phase was entered. */
  readonly since?: string;
  /** signing: fingerprints of the roots to drop when the old root retires. */
  readonly retiring?: readonly string[];
  /** idle: when the last rotation finished. */
  readonly completedAt?: string;
}

export interface CaSecretState {
  /** The CA the signer signs with. */
  readonly current: CaFiles;
  /** Every root workloads must trust (current, plus next or previous during a rotation). */
  readonly trustBundlePem: string;
  /** published: the CA that signs after the next phase. */
  readonly next?: CaFiles;
  readonly rotation: RotationRecord;
}

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

/** Each CERTIFICATE block of a PEM bundle, normalised to end with a newline. */
export function pemCertificates(pem: string): string[] {
  return (pem.match(PEM_CERT) ?? []).map((b) => (b.endsWith('\n') ? b : `${b}\n`));
}

/** sha256 over DER, lowercase hex, per certificate (the same as pki's fingerprint()). */
export function certificateFingerprints(pem: string): string[] {
  return pemCertificates(pem).map((b) => createHash('sha256').update(new X509Certificate(b).raw).digest('hex'));
}

/**
 * The root a CA chains to, as PEM: what goes into the trust bundle. `extraRootsPem` helps find it
 * for an intermediate whose chain.crt stops below the root (loadCa lists the chain's root first).
 */
export function rootsOf(files: CaFiles, extraRootsPem = ''): string {
  const ca = loadCa({ certPem: files.certPem, keyPem: files.keyPem, chainPem: files.chainPem, trustBundlePem: extraRootsPem });
  return pemCertificates(ca.trustBundlePem)[0] ?? '';
}

/** The signing CA from the state, validated (an expired chain is refused when `now` is given). */
export function signingCaOf(state: CaSecretState, now?: Date): MeshCa {
  return loadCa({ ...state.current, trustBundlePem: state.trustBundlePem, now });
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function text(secret: Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  return v === undefined || v === '' ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

function files(secret: Secret, cert: string, key: string, chain: string): CaFiles | undefined {
  const certPem = text(secret, cert);
  const keyPem = text(secret, key);
  if (certPem === undefined && keyPem === undefined) return undefined;
  const where = `Secret ${secret.metadata.namespace}/${secret.metadata.name}`;
  if (certPem === undefined || keyPem === undefined) throw new PkiInputError(where, `has only one of ${cert} and ${key}; both are needed`);
  return { certPem, keyPem, chainPem: text(secret, chain) ?? '' };
}

function rotationOf(secret: Secret): RotationRecord {
  const raw = secret.metadata.annotations?.[ROTATION_ANNOTATION];
  if (raw === undefined) return { phase: 'idle' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const phase = (parsed as { phase?: unknown } | undefined)?.phase;
  if (!ROTATION_PHASES.includes(phase as RotationPhase)) {
    throw new PkiInputError(
      `annotation ${ROTATION_ANNOTATION}`,
      `must be JSON with "phase" one of ${ROTATION_PHASES.join(', ')}, got ${JSON.stringify(raw)}`,
    );
  }
  return parsed as RotationRecord;
}

/** Reads the CA Secret. Throws PkiInputError naming the key when it is unusable. */
export function decodeCaSecret(secret: Secret): CaSecretState {
  const where = `Secret ${secret.metadata.namespace}/${secret.metadata.name}`;
  const current = files(secret, CA_SECRET_KEYS.cert, CA_SECRET_KEYS.key, CA_SECRET_KEYS.chain);
  if (!current)
    throw new PkiInputError(where, `has no ${CA_SECRET_KEYS.cert}/${CA_SECRET_KEYS.key}; create it with "meshward ca init --kubeconfig …"`);
  const next = files(secret, CA_SECRET_KEYS.nextCert, CA_SECRET_KEYS.nextKey, CA_SECRET_KEYS.nextChain);
  const rotation = rotationOf(secret);
  if ((rotation.phase === 'published') !== (next !== undefined)) {
    throw new PkiInputError(
      where,
      `rotation phase "${rotation.phase}" ${next ? 'must not carry' : 'needs'} ${CA_SECRET_KEYS.nextCert}/${CA_SECRET_KEYS.nextKey}`,
    );
  }
  const trustBundlePem = text(secret, CA_SECRET_KEYS.trustBundle) ?? rootsOf(current);
  return { current, trustBundlePem, ...(next ? { next } : {}), rotation };
}

/** The Secret for a state; `base` (the Secret as read) carries resourceVersion so the write is guarded. */
export function encodeCaSecret(ref: SecretRef, state: CaSecretState, base?: Secret): Secret {
  const data: Record<string, string> = {
    [CA_SECRET_KEYS.cert]: b64(state.current.certPem),
    [CA_SECRET_KEYS.key]: b64(state.current.keyPem),
    [CA_SECRET_KEYS.trustBundle]: b64(state.trustBundlePem),
  };
  if (state.current.chainPem) data[CA_SECRET_KEYS.chain] = b64(state.current.chainPem);
  if (state.next) {
    data[CA_SECRET_KEYS.nextCert] = b64(state.next.certPem);
    data[CA_SECRET_KEYS.nextKey] = b64(state.next.keyPem);
    if (state.next.chainPem) data[CA_SECRET_KEYS.nextChain] = b64(state.next.chainPem);
  }
  const annotations = { ...(base?.metadata.annotations ?? {}), [ROTATION_ANNOTATION]: JSON.stringify(state.rotation) };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      ...(base?.metadata ?? {}),
      name: ref.name,
      namespace: ref.namespace,
      labels: { ...(base?.metadata.labels ?? {}), ...MANAGED_BY },
      annotations,
    },
    data,
  };
}
