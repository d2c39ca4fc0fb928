// The rootfs of a one-binary image: a static executable and nothing else (no libc, no /etc), like
// the upstream pause image.

import { copyFile, chmod, mkdir, open } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { DEFAULT_PATH_ENV } from './dockerfile.js';
import type { ImageConfig } from './oci-archive.js';

export interface BinaryImageSpec {
  /** The static binary on this machine. */
  readonly binary: string;
  /** Where it goes in the image (default: /<its file name>); the entrypoint. */
  readonly path?: string;
  /** e.g. 65535:65535 (numeric: there is no /etc/passwd). Default: the runtime's, root. */
  readonly user?: string;
  /** CMD: arguments after the entrypoint. */
  readonly args?: readonly string[];
  /** KEY=VALUE entries besides PATH. */
  readonly env?: readonly string[];
}

const PT_INTERP = 3;

/** Refuses what would not start in an image without libc: not ELF, or dynamically linked. */
export async function assertStaticElf(path: string): Promise<void> {
  const file = await open(path, 'r').catch((err: Error) => {
    throw new Error(`binary ${path} cannot be read (${err.message}); pass the path of a built static binary`);
  });
  try {
    const header = Buffer.alloc(64);
    await file.read(header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) throw new Error(`${path} is not a 64-bit ELF executable`);
    const phoff = Number(header.readBigUInt64LE(0x20));
    const phentsize = header.readUInt16LE(0x36);
    const phnum = header.readUInt16LE(0x38);
    const table = Buffer.alloc(phentsize * phnum);
    await file.read(table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) {
      if (table.readUInt32LE(i * phentsize) === PT_INTERP) {
        throw new Error(`${path} is dynamically linked (it names an ELF interpreter); build it static, e.g. CGO_ENABLED=0 go build`);
      }
    }
  } finally {
    await file.close();
  }
}

/** Lays out spec's binary under rootfs; returns the image config that runs it. */
export async function binaryRootfs(spec: BinaryImageSpec, rootfs: string): Promise<{ rootfs: string; config: ImageConfig }> {
  await assertStaticElf(spec.binary);
  const path = spec.path ?? `/${basename(spec.binary)}`;
  if (!posix.isAbsolute(path)) throw new Error(`image path ${path} of ${spec.binary} must be absolute`);
  const target = join(rootfs, path);
  await mkdir(dirname(target), { recursive: true });
  await copyFile(spec.binary, target);
  await chmod(target, 0o755);
  await chmod(rootfs, 0o755);
  const config: ImageConfig = {
    User: spec.user,
    Env: [DEFAULT_PATH_ENV, ...(spec.env ?? [])],
    Entrypoint: [path],
    Cmd: spec.args === undefined ? undefined : [...spec.args],
  };
  return { rootfs, config };
}
