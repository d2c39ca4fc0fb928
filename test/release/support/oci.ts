// Reads an OCI image-layout archive the way a runtime would: index.json → manifest → config and
// layer; lists and unpacks the layer. Used to check what the archives actually ship.

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOk } from '../../capture/support/exec.js';

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
  readonly platform?: { architecture: string; os: string };
}

export interface OciImage {
  readonly dir: string;
  readonly index: { schemaVersion: number; manifests: Descriptor[] };
  readonly manifest: { schemaVersion: number; mediaType: string; config: Descriptor; layers: Descriptor[] };
  readonly config: {
    architecture: string;
    os: string;
    config: { User?: string; Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; WorkingDir?: string };
    rootfs: { type: string; diff_ids: string[] };
  };
  readonly layerPath: string;
  /** The archive's top-level entries, as tar lists them. */
  readonly entries: string[];
  remove(): void;
}

export const blobPath = (dir: string, digest: string): string => join(dir, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));

export async function openOciArchive(archive: string): Promise<OciImage> {
  const dir = mkdtempSync(join(tmpdir(), 'meshward-oci-'));
  const entries = (await runOk('tar', ['-tf', archive])).trim().split('\n');
  await runOk('tar', ['-xf', archive, '-C', dir]);
  const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
  const index = json<OciImage['index']>(join(dir, 'index.json'));
  assert.equal(index.manifests.length, 1, 'one manifest');
  const manifest = json<OciImage['manifest']>(blobPath(dir, index.manifests[0]!.digest));
  assert.equal(manifest.layers.length, 1, 'one layer');
  const config = json<OciImage['config']>(blobPath(dir, manifest.config.digest));
  const layerPath = blobPath(dir, manifest.layers[0]!.digest);
  return { dir, index, manifest, config, layerPath, entries, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every path in the layer, without a leading ./ or trailing /. */
export async function layerFiles(image: OciImage): Promise<Set<string>> {
  const out = await runOk('tar', ['-tf', image.layerPath], { timeoutMs: 60_000 });
  return new Set(
    out
      .split('\n')
      .filter(Boolean)
      .map((p) => p.replace(/^\.\//, '').replace(/\/$/, '')),
  );
}

/** One file's content from the layer. */
export function layerFile(image: OciImage, path: string): Promise<string> {
  return runOk('tar', ['-xOf', image.layerPath, path], { timeoutMs: 60_000 });
}

/** Unpacks the layer into a new directory (as root: owners and modes as stored), with /proc and /dev to mount on. */
export async function unpackLayer(image: OciImage): Promise<string> {
  const rootfs = mkdtempSync(join(tmpdir(), 'meshward-rootfs-'));
  chmodSync(rootfs, 0o755); // as a runtime's snapshot root; mkdtemp makes it 0700
  await runOk('tar', ['-xpf', image.layerPath, '-C', rootfs, '--numeric-owner'], { timeoutMs: 60_000 });
  for (const mountPoint of ['proc', 'dev']) mkdirSync(join(rootfs, mountPoint), { recursive: true });
  return rootfs;
}
