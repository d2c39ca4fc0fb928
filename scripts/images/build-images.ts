// meshward's container images as OCI archives, built without a container engine (builders.ts) and
// cached under ~/.cache/meshward/images, keyed by a hash of every input: the same inputs reuse the
// archive, any change (dist, templates, lockfile, scripts, Dockerfile config, Debian package
// versions, binary, tar, zlib) builds a new one.

import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../control-plane/ensure-binaries.js';
import type { BinaryImageSpec } from './binary-rootfs.js';
import { buildBinaryImage, buildInitImage, buildMeshwardImage } from './builders.js';
import { stageImageConfig } from './dockerfile.js';
import { cacheKey, debVersions, hashPath, toolVersions } from './inputs.js';
import { LOCAL_PAUSE_IMAGE, LOCAL_PROXY_STANDIN_IMAGE, PAUSE_LAYOUT, STAGES, type StageImage } from './image-names.js';
import type { BuiltImage, ImageSpec } from './oci-archive.js';

export { buildBinaryImage, buildInitImage, buildMeshwardImage, type BinaryImageOptions, type BuildOptions } from './builders.js';
export * from './image-names.js';
export type { BuiltImage, ImageConfig } from './oci-archive.js';

/** ${MESHWARD_CACHE:-~/.cache/meshward}/images, beside the scripts' other caches. */
export function imageCacheDir(): string {
  return join(process.env.MESHWARD_CACHE ?? join(homedir(), '.cache', 'meshward'), 'images');
}

export interface EnsureImagesOptions {
  /** Static binaries for the pause and proxy stand-in images; each image is built only when given. */
  readonly pause?: string;
  readonly proxyStandin?: string;
  readonly compression?: ImageSpec['compression'];
  readonly cacheDir?: string;
  readonly repo?: string;
}

export interface LocalImages {
  readonly meshward: BuiltImage;
  readonly init: BuiltImage;
  readonly pause?: BuiltImage;
  readonly proxyStandin?: BuiltImage;
}

/** The local images (LOCAL_* names), from the cache or built into it. */
export async function ensureImages(options: EnsureImagesOptions = {}): Promise<LocalImages> {
  const repo = options.repo ?? repoRoot();
  const common = { compression: options.compression, cacheDir: options.cacheDir, repo };
  const meshward = await ensureStageImage('meshward', common);
  const init = await ensureStageImage('init', common);
  const binary = async (name: string, spec: BinaryImageSpec | undefined): Promise<BuiltImage | undefined> =>
    spec && (await ensureBinaryImage(name, spec, common));
  const pause = await binary(LOCAL_PAUSE_IMAGE, options.pause ? { binary: options.pause, ...PAUSE_LAYOUT } : undefined);
  const proxyStandin = await binary(LOCAL_PROXY_STANDIN_IMAGE, options.proxyStandin ? { binary: options.proxyStandin } : undefined);
  return { meshward, init, ...(pause && { pause }), ...(proxyStandin && { proxyStandin }) };
}

interface CacheOptions {
  readonly compression?: ImageSpec['compression'];
  readonly cacheDir?: string;
  readonly repo: string;
}

export async function ensureStageImage(image: StageImage, options: CacheOptions): Promise<BuiltImage> {
  const { repo } = options;
  const name = STAGES[image].localName;
  const dir = join(repo, 'scripts', 'images');
  const files = image === 'meshward' ? ['dist/webhook', 'templates', 'package.json', 'package-lock.json', 'scripts/fetch-node.sh'] : [];
  const inputs = [
    `image ${name} ${options.compression ?? 'gzip'}`,
    `config ${JSON.stringify(stageImageConfig(await readFile(join(repo, 'Dockerfile'), 'utf8'), STAGES[image].stage))}`,
    `builder ${await hashPath(dir)}`,
    `meshward-init.sh ${await hashPath(join(repo, 'webhook/capture/meshward-init.sh'))}`,
    ...(await Promise.all(files.map(async (f) => `${f} ${await hashPath(join(repo, f))}`))),
    ...(await debVersions(join(dir, STAGES[image].script), join(dir, 'rootfs-lib.sh'))),
    ...(await toolVersions()),
  ];
  const build = image === 'meshward' ? buildMeshwardImage : buildInitImage;
  return cached(name, inputs, options, (out) => build({ out, compression: options.compression, repo }));
}

export async function ensureBinaryImage(name: string, spec: BinaryImageSpec, options: CacheOptions): Promise<BuiltImage> {
  const inputs = [
    `image ${name} ${options.compression ?? 'gzip'}`,
    `spec ${JSON.stringify({ ...spec, binary: undefined })}`,
    `binary ${await hashPath(spec.binary)}`,
    `builder ${await hashPath(join(options.repo, 'scripts', 'images'))}`,
    ...(await toolVersions()),
  ];
  return cached(name, inputs, options, (out) => buildBinaryImage({ ...spec, name, out, compression: options.compression }));
}

const KEEP_PER_IMAGE = 3;

async function cached(
  name: string,
  inputs: readonly string[],
  options: CacheOptions,
  build: (out: string) => Promise<BuiltImage>,
): Promise<BuiltImage> {
  const dir = options.cacheDir ?? imageCacheDir();
  const slug = name.replace(/[^A-Za-z0-9.]+/g, '-');
  const base = join(dir, `${slug}-${cacheKey(inputs).slice(0, 24)}`);
  if (existsSync(`${base}.tar`) && existsSync(`${base}.json`)) {
    return JSON.parse(await readFile(`${base}.json`, 'utf8')) as BuiltImage;
  }
  await mkdir(dir, { recursive: true });
  const built = await build(`${base}.tar`);
  await writeFile(`${base}.inputs`, `${inputs.join('\n')}\n`);
  // The .json is written last and atomically: it marks the entry complete.
  await writeFile(`${base}.json.partial`, JSON.stringify(built, null, 2));
  await rename(`${base}.json.partial`, `${base}.json`);
  await prune(dir, slug);
  return built;
}

/** Keeps the newest few archives of an image: each dist change would otherwise add one. */
async function prune(dir: string, slug: string): Promise<void> {
  const re = new RegExp(`^${slug.replace(/\./g, '\\.')}-[0-9a-f]{24}\\.tar$`);
  const archives = (await readdir(dir)).filter((f) => re.test(f));
  const dated = await Promise.all(archives.map(async (f) => ({ f, t: (await stat(join(dir, f))).mtimeMs })));
  for (const { f } of dated.sort((a, b) => b.t - a.t).slice(KEEP_PER_IMAGE)) {
    for (const ext of ['.tar', '.json', '.inputs']) await rm(join(dir, f.replace(/\.tar$/, ext)), { force: true });
  }
}
