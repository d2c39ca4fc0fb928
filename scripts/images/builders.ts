// Builds one image as an OCI archive, without a container engine: meshward and meshward-init from
// the rootfs scripts the Dockerfile also runs, with the runtime config of the Dockerfile's final
// stages; or a single static binary (the sandbox's pause, the tests' proxy stand-in).

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../control-plane/ensure-binaries.js';
import { binaryRootfs, type BinaryImageSpec } from './binary-rootfs.js';
import { stageImageConfig } from './dockerfile.js';
import { STAGES, type StageImage } from './image-names.js';
import { writeOciArchive, type BuiltImage, type ImageSpec } from './oci-archive.js';

export interface BuildOptions {
  /** Where the archive goes. */
  readonly out: string;
  /** Default: the LOCAL_* name. */
  readonly name?: string;
  readonly compression?: ImageSpec['compression'];
  /** The repository holding the Dockerfile, dist/ and the scripts (default: this one). */
  readonly repo?: string;
}

export function buildMeshwardImage(options: BuildOptions): Promise<BuiltImage> {
  return buildStageImage('meshward', options.name ?? STAGES.meshward.localName, options);
}

export function buildInitImage(options: BuildOptions): Promise<BuiltImage> {
  return buildStageImage('init', options.name ?? STAGES.init.localName, options);
}

export interface BinaryImageOptions extends Omit<BuildOptions, 'name' | 'repo'>, BinaryImageSpec {
  readonly name: string;
}

/** One static binary as the image's entrypoint. */
export async function buildBinaryImage(options: BinaryImageOptions): Promise<BuiltImage> {
  return withTempDir(async (dir) => {
    const { rootfs, config } = await binaryRootfs(options, join(dir, 'rootfs'));
    return writeOciArchive({ name: options.name, rootfs, config, compression: options.compression }, options.out);
  });
}

async function buildStageImage(image: StageImage, name: string, options: BuildOptions): Promise<BuiltImage> {
  const repo = options.repo ?? repoRoot();
  const { stage, script } = STAGES[image];
  const config = stageImageConfig(await readFile(join(repo, 'Dockerfile'), 'utf8'), stage);
  return withTempDir(async (dir) => {
    const rootfs = join(dir, 'rootfs');
    await runScript(join(repo, 'scripts', 'images', script), [rootfs]);
    return writeOciArchive({ name, rootfs, config, compression: options.compression }, options.out);
  });
}

async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'meshward-image-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a rootfs script; its progress is kept and shown only when it fails. */
function runScript(script: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => reject(new Error(`cannot run sh ${script}: ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited ${code}:\n${output.trim()}`))));
  });
}
