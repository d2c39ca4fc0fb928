#!/usr/bin/env node
// node dist/scripts/images/main.js build --out DIR [--pause BIN] [--proxy-standin BIN] [--compression gzip|none] [--no-cache]
// Builds the local images as OCI archives (DIR/meshward.tar, DIR/meshward-init.tar, …) and prints
// their paths, one a line; `ctr -n k8s.io images import --platform linux/amd64 <tar>` imports each.
import { copyFile, link, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBinaryImage, buildInitImage, buildMeshwardImage, ensureImages } from './build-images.js';
import { archiveFileName, LOCAL_PAUSE_IMAGE, LOCAL_PROXY_STANDIN_IMAGE, PAUSE_LAYOUT } from './image-names.js';
import type { BuiltImage } from './oci-archive.js';
import { runIfEntryPoint } from '../cli-entry.js';

const USAGE = `usage: main.js build --out DIR [--pause BIN] [--proxy-standin BIN] [--compression gzip|none] [--no-cache]

  --out            where the archives go (created)
  --pause          a static pause binary: also builds ${LOCAL_PAUSE_IMAGE}
  --proxy-standin  a static binary: also builds ${LOCAL_PROXY_STANDIN_IMAGE}
  --compression    of the layer (default gzip)
  --no-cache       build into DIR directly, neither reading nor filling ~/.cache/meshward/images
Needs dist/ built first: npx tsc -p tsconfig.json && node scripts/bundle-kube-client.mjs
`;

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        pause: { type: 'string' },
        'proxy-standin': { type: 'string' },
        compression: { type: 'string', default: 'gzip' },
        'no-cache': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const compression = values.compression;
  if (positionals.join(' ') !== 'build' || !values.out || (compression !== 'gzip' && compression !== 'none')) {
    process.stderr.write(`expected: build --out DIR, and --compression gzip or none\n${USAGE}`);
    return 2;
  }
  const out = resolve(values.out);
  await mkdir(out, { recursive: true });
  const pause = values.pause && resolve(values.pause);
  const proxyStandin = values['proxy-standin'] && resolve(values['proxy-standin']);
  const started = Date.now();
  let images: BuiltImage[];
  if (values['no-cache']) {
    const at = (name: string): string => join(out, archiveFileName(name));
    images = [
      await buildMeshwardImage({ out: at('meshward'), compression }),
      await buildInitImage({ out: at('meshward-init'), compression }),
    ];
    if (pause)
      images.push(
        await buildBinaryImage({
          name: LOCAL_PAUSE_IMAGE,
          binary: pause,
          ...PAUSE_LAYOUT,
          out: at(LOCAL_PAUSE_IMAGE),
          compression,
        }),
      );
    if (proxyStandin)
      images.push(
        await buildBinaryImage({ name: LOCAL_PROXY_STANDIN_IMAGE, binary: proxyStandin, out: at(LOCAL_PROXY_STANDIN_IMAGE), compression }),
      );
  } else {
    const local = await ensureImages({ pause, proxyStandin, compression });
    images = [];
    for (const image of [local.meshward, local.init, local.pause, local.proxyStandin]) {
      if (image) images.push({ ...image, path: await place(image.path, join(out, archiveFileName(image.name))) });
    }
  }
  for (const image of images) {
    process.stderr.write(`[images] ${image.name}  ${image.digest}  ${(image.sizeBytes / 1e6).toFixed(1)} MB\n`);
    process.stdout.write(`${image.path}\n`);
  }
  process.stderr.write(`[images] done in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  return 0;
}

/** A hard link to the cached archive (a copy across file systems). */
async function place(from: string, to: string): Promise<string> {
  await rm(to, { force: true });
  await link(from, to).catch(() => copyFile(from, to));
  return to;
}

runIfEntryPoint(import.meta.url, main);
