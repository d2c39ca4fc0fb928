import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PkiInputError } from './errors.js';
import { pkcs8Pem } from './key-types.js';
import { loadCa, type MeshCa } from './mesh-ca.js';

export const CA_CERT_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';
export const CA_CHAIN_FILE = 'chain.crt';
export const TLS_CERT_FILE = 'tls.crt';
export const TLS_KEY_FILE = 'tls.key';

/** The PEM texts a CA directory holds. */
export interface CaFiles {
  readonly certPem: string;
  /** Secret. */
  readonly keyPem: string;
  /** Parents of certPem up to and including the root; '' or absent for a root CA. */
  readonly chainPem?: string;
}

export interface SvidFiles {
  /** Leaf then intermediates → tls.crt. */
  readonly certificateChainPem: string;
  /** Secret → tls.key (0600). */
  readonly keyPem: string;
  /** Roots → ca.crt. */
  readonly trustBundlePem: string;
}

/** Writes via a temporary file and rename, so readers never see half a file; `mode` is enforced even on overwrite. */
async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The CA-directory form of a loaded CA (key exported from its KeyObject). */
export function caFilesOf(ca: MeshCa): CaFiles {
  const parents = ca.chainPem === '' ? '' : ca.chainPem.slice(ca.certPem.length) + ca.trustBundlePem;
  return { certPem: ca.certPem, keyPem: pkcs8Pem(ca.privateKey), chainPem: parents };
}

/** dir/ca.crt (0644), dir/ca.key (0600), dir/chain.crt (0644, only when there is a chain). */
export async function writeCaDir(dir: string, files: CaFiles): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomic(join(dir, CA_KEY_FILE), files.keyPem, 0o600);
  await writeAtomic(join(dir, CA_CERT_FILE), files.certPem, 0o644);
  if (files.chainPem) await writeAtomic(join(dir, CA_CHAIN_FILE), files.chainPem, 0o644);
}

/** Reads and validates a CA directory (see loadCa). */
export async function readCaDir(dir: string, now?: Date): Promise<MeshCa> {
  const certPem = await readOptional(join(dir, CA_CERT_FILE));
  const keyPem = await readOptional(join(dir, CA_KEY_FILE));
  if (certPem === undefined || keyPem === undefined) {
    throw new PkiInputError(
      'ca directory',
      `${dir} must contain ${CA_CERT_FILE} and ${CA_KEY_FILE} (create one with "meshward ca init --out ${dir}")`,
    );
  }
  const chainPem = await readOptional(join(dir, CA_CHAIN_FILE));
  return loadCa({ certPem, keyPem, chainPem, now });
}

/** dir/tls.crt, dir/tls.key (0600), dir/ca.crt: the layout proxies and Secrets of type kubernetes.io/tls use. */
export async function writeSvidDir(dir: string, files: SvidFiles): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomic(join(dir, TLS_KEY_FILE), files.keyPem, 0o600);
  await writeAtomic(join(dir, TLS_CERT_FILE), files.certificateChainPem, 0o644);
  await writeAtomic(join(dir, CA_CERT_FILE), files.trustBundlePem, 0o644);
}
