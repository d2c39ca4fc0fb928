// Go helpers the tests run (Envoy's schema, the ADS judge, …): each is a small Go module in the
// test tree, built once per source version into a cache outside the repo and reused by every
// later run. The key hashes go.mod, go.sum and the *.go files plus the Go version, so an edit or a
// toolchain upgrade rebuilds and nothing stale is ever run.
//
//   before(async function () { this.timeout(600_000); binary = await ensureGoTool('ads-judge', dir); });

import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export type GoToolLog = (msg: string) => void;

const stderrLog: GoToolLog = (m) => process.stderr.write(`${m}\n`);

// One build per tool and process: concurrent callers share the promise.
const builds = new Map<string, Promise<string>>();

/** Path of the tool's binary, building it on first use (a minute or more when the Go cache is cold). */
export function ensureGoTool(name: string, sourceDir: string, log: GoToolLog = stderrLog): Promise<string> {
  const key = `${name}\0${resolve(sourceDir)}`;
  let build = builds.get(key);
  if (!build) {
    build = buildGoTool(name, resolve(sourceDir), log);
    // A failed build is not cached, so a later caller (after fixing the cause) tries again.
    build.catch(() => builds.delete(key));
    builds.set(key, build);
  }
  return build;
}

/** `$XDG_CACHE_HOME/meshward`, else ~/.cache/meshward. */
export function meshwardCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'meshward');
}

async function buildGoTool(name: string, sourceDir: string, log: GoToolLog): Promise<string> {
  const go = goBinary(name);
  const hash = createHash('sha256');
  for (const file of readdirSync(sourceDir)
    .filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'))
    .sort()) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(sourceDir, file)))
      .update('\0');
  }
  hash.update(execFileSync(go, ['env', 'GOVERSION'], { encoding: 'utf8' }).trim());
  const cacheDir = meshwardCacheDir();
  const binary = join(cacheDir, `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir, { recursive: true });
  log(`${name}: building ${binary} (the first build may take a few minutes)…`);
  const started = Date.now();
  const tmp = `${binary}.tmp-${process.pid}`;
  await runGo(go, ['build', '-trimpath', '-buildvcs=false', '-o', tmp, '.'], sourceDir);
  renameSync(tmp, binary); // atomic: a concurrent run sees the whole binary or none
  log(`${name}: built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return binary;
}

function goBinary(name: string): string {
  if (process.env.GO) return process.env.GO;
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return 'go';
  } catch {
    if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
    throw new Error(`${name} needs Go (set $GO or put go on PATH)`);
  }
}

function runGo(go: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(go, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`${go} ${args.join(' ')} (in ${cwd}) exited ${code}: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
  });
}
