// Hashes of what an image is built from, for the image cache's keys: a key names every input its
// archive depends on (files and trees by content, Debian package versions, the tar and zlib used).

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** sha256 of a file's or a directory tree's contents, file modes and symlink targets (not mtimes). */
export async function hashPath(path: string): Promise<string> {
  const hash = createHash('sha256');
  const visit = async (abs: string, rel: string): Promise<void> => {
    const st = await lstat(abs);
    if (st.isSymbolicLink()) hash.update(`link ${rel} ${await readlink(abs)}\n`);
    else if (st.isDirectory()) {
      hash.update(`dir ${rel}\n`);
      for (const name of (await readdir(abs)).sort()) await visit(join(abs, name), rel === '' ? name : `${rel}/${name}`);
    } else {
      const content = createHash('sha256')
        .update(await readFile(abs))
        .digest('hex');
      hash.update(`file ${rel} ${(st.mode & 0o777).toString(8)} ${content}\n`);
    }
  };
  try {
    await visit(path, '');
  } catch (err) {
    throw new Error(`cannot read image input ${path}: ${(err as Error).message}`);
  }
  return hash.digest('hex');
}

/**
 * The Debian package versions a rootfs script would unpack (`<script> --debs`, then apt's
 * candidate versions through rootfs-lib.sh), as package=version lines.
 */
export async function debVersions(script: string, lib: string): Promise<string[]> {
  const { stdout } = await run('sh', ['-c', '. "$1"; deb_versions $(sh "$2" --debs)', 'deb-versions', lib, script]);
  return stdout.trim().split('\n');
}

/** The tools whose version changes an archive's bytes: GNU tar (layer) and zlib (gzip). */
export async function toolVersions(): Promise<string[]> {
  const tar = (await run('tar', ['--version'])).stdout.split('\n')[0]!;
  return [`tar ${tar}`, `zlib ${process.versions.zlib}`];
}

/** The cache key of an image: sha256 over its named inputs, one per line. */
export function cacheKey(inputs: readonly string[]): string {
  return createHash('sha256').update(inputs.join('\n')).digest('hex');
}
