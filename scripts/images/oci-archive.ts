// A single-layer OCI image-layout tar from a rootfs directory, built with GNU tar and no container
// engine; `ctr -n k8s.io images import --platform linux/amd64 <tar>` imports it under its name.
// Reproducible: the same rootfs and config give the same bytes, so the same digests.

import { spawn } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** The runtime part of an image config, named as in the OCI image spec. */
export interface ImageConfig {
  readonly User?: string;
  readonly Entrypoint?: readonly string[];
  readonly Cmd?: readonly string[];
  readonly Env?: readonly string[];
  readonly WorkingDir?: string;
}

export interface ImageSpec {
  /** Full reference, e.g. meshward.local/meshward:dev; the tag defaults to latest. */
  readonly name: string;
  readonly rootfs: string;
  readonly config: ImageConfig;
  /** gzip (default) keeps archives small; none skips the compression time. */
  readonly compression?: 'gzip' | 'none';
}

export interface BuiltImage {
  readonly name: string;
  readonly path: string;
  /** sha256:… of the manifest: what containerd reports as the image's digest. */
  readonly digest: string;
  readonly configDigest: string;
  readonly sizeBytes: number;
}

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;
const EPOCH = '1970-01-01T00:00:00Z';

/**
 * GNU tar flags for a reproducible archive: sorted entries, root ownership, mtime 0, and pax
 * headers without atime/ctime (and without the pid in their names).
 */
export const REPRODUCIBLE_TAR_FLAGS: readonly string[] = [
  '--sort=name',
  '--owner=0',
  '--group=0',
  '--numeric-owner',
  '--mtime=@0',
  '--format=posix',
  '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
];

/** The tag of an image reference (the part after the last ':' that follows the last '/'). */
export function imageTag(name: string): string {
  const at = name.lastIndexOf(':');
  return at > name.lastIndexOf('/') ? name.slice(at + 1) : 'latest';
}

/** Writes spec as an OCI image-layout tar at outPath (atomically) and returns its digests. */
export async function writeOciArchive(spec: ImageSpec, outPath: string): Promise<BuiltImage> {
  await mkdir(dirname(outPath), { recursive: true });
  const staging = await mkdtemp(join(dirname(outPath), '.oci-'));
  try {
    const blobs = join(staging, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    const gzip = (spec.compression ?? 'gzip') === 'gzip';
    const layer = await writeLayer(spec.rootfs, join(staging, 'layer.partial'), gzip);
    await rename(join(staging, 'layer.partial'), join(blobs, layer.digest.slice('sha256:'.length)));

    const c = spec.config;
    const config = blob({
      architecture: 'amd64',
      os: 'linux',
      created: EPOCH,
      // Fixed key order: the config's bytes, so its digest, never depend on how the caller built it.
      config: { User: c.User, Env: c.Env, Entrypoint: c.Entrypoint, Cmd: c.Cmd, WorkingDir: c.WorkingDir },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created: EPOCH, created_by: 'meshward scripts/images: one layer from a rootfs directory' }],
    });
    const manifest = blob({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, digest: config.digest, size: config.size },
      layers: [{ mediaType: gzip ? `${MEDIA.layer}+gzip` : MEDIA.layer, digest: layer.digest, size: layer.size }],
    });
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA.index,
      manifests: [
        {
          mediaType: MEDIA.manifest,
          digest: manifest.digest,
          size: manifest.size,
          annotations: { 'io.containerd.image.name': spec.name, 'org.opencontainers.image.ref.name': imageTag(spec.name) },
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    };
    for (const b of [config, manifest]) await writeFile(join(blobs, b.digest.slice('sha256:'.length)), b.bytes);
    await writeFile(join(staging, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await writeFile(join(staging, 'index.json'), JSON.stringify(index));

    const partial = `${outPath}.partial`;
    await runTar(['-C', staging, '-cf', partial, 'oci-layout', 'index.json', 'blobs']);
    await rename(partial, outPath);
    const { size } = await stat(outPath);
    return { name: spec.name, path: outPath, digest: manifest.digest, configDigest: config.digest, sizeBytes: size };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

interface Blob {
  readonly bytes: Buffer;
  readonly digest: string;
  readonly size: number;
}

function blob(value: unknown): Blob {
  const bytes = Buffer.from(JSON.stringify(value));
  return { bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length };
}

/** Hashes what flows through, unchanged. */
function tap(hash: Hash, count?: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done): void {
      hash.update(chunk);
      if (count) count.bytes += chunk.length;
      done(null, chunk);
    },
  });
}

/** The layer blob: diffId hashes the tar, digest and size the blob as stored (gzipped or not). */
async function writeLayer(rootfs: string, path: string, gzip: boolean): Promise<{ diffId: string; digest: string; size: number }> {
  // Top-level names in byte order (--sort=name orders only what tar finds inside directories).
  const entries = (await readdir(rootfs)).sort();
  if (entries.length === 0) throw new Error(`rootfs ${rootfs} is empty; nothing to put in the image layer`);
  const tar = spawnTar(['-C', rootfs, '-cf', '-', '--', ...entries]);
  const diff = createHash('sha256');
  const stored = createHash('sha256');
  const count = { bytes: 0 };
  const stages: NodeJS.ReadWriteStream[] = [tap(diff), ...(gzip ? [createGzip({ level: 6 })] : []), tap(stored, count)];
  await Promise.all([pipeline([tar.stdout, ...stages, createWriteStream(path)]), tar.done]);
  return { diffId: `sha256:${diff.digest('hex')}`, digest: `sha256:${stored.digest('hex')}`, size: count.bytes };
}

function spawnTar(args: readonly string[]): { stdout: Readable; done: Promise<void> } {
  const child = spawn('tar', [...REPRODUCIBLE_TAR_FLAGS, ...args], {
    env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`cannot run GNU tar (${err.message}); install tar (Debian: apt-get install tar)`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`tar ${args.slice(0, 4).join(' ')} … exited ${code}: ${stderr.trim()}`)),
    );
  });
  return { stdout: child.stdout, done };
}

async function runTar(args: readonly string[]): Promise<void> {
  const { stdout, done } = spawnTar(args);
  stdout.resume();
  await done;
}
