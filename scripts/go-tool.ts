// Go helpers the tests and the local node run (Envoy's schema, the ADS judge, the proxy stand-in, …):
// commands of the one Go module in test/go (envoy-tools: cmd/envoy-validate, cmd/ads-judge, cmd/proxy-standin and
// the packages they share), each built once per source version into a cache outside the repo and
// reused by every later run. The key hashes the module's go.mod, go.sum and every *.go file under it
// (so an edit to a shared package rebuilds every tool), the package built, whether it is static and
// the Go version: nothing stale is ever run.
//
//   before(async function () { this.timeout(600_000); binary = await ensureGoTool('ads-judge', GO_TOOLS_MODULE, './cmd/ads-judge'); });

import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { repoRoot } from './control-plane/ensure-binaries.js';

export type GoToolLog = (msg: string) => void;

export interface GoToolOptions {
  /** CGO_ENABLED=0: a static binary, for an image without a libc (the proxy stand-in). */
  static?: boolean;
}

const stderrLog: GoToolLog = (m) => process.stderr.write(`${m}\n`);

/** test/go: the Go module (meshward.local/envoy-tools) whose commands the tests run. */
export const GO_TOOLS_MODULE = join(repoRoot(), 'test', 'go');

// One build per tool and process: concurrent callers share the promise.
const builds = new Map<string, Promise<string>>();

/**
 * Path of the binary `go build` makes of the package pkg (e.g. './cmd/ads-judge') in the module at
 * moduleDir, building it on first use (a minute or more when the Go cache is cold).
 */
export function ensureGoTool(
  name: string,
  moduleDir: string,
  pkg: string,
  log: GoToolLog = stderrLog,
  options: GoToolOptions = {},
): Promise<string> {
  const key = `${name}\0${resolve(moduleDir)}\0${pkg}\0${options.static === true}`;
  let build = builds.get(key);
  if (!build) {
    build = buildGoTool(name, resolve(moduleDir), pkg, log, options.static === true);
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

async function buildGoTool(name: string, moduleDir: string, pkg: string, log: GoToolLog, isStatic: boolean): Promise<string> {
  const go = goBinary(name);
  const hash = createHash('sha256');
  for (const file of moduleSources(moduleDir)) {
    hash
      .update(`${relative(moduleDir, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  }
  hash.update(`${pkg}\0`);
  // A static build is another binary: it must not reuse (or replace) the cgo one.
  if (isStatic) hash.update('static\0');
  hash.update(execFileSync(go, ['env', 'GOVERSION'], { encoding: 'utf8' }).trim());
  const cacheDir = meshwardCacheDir();
  const binary = join(cacheDir, `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir, { recursive: true });
  log(`${name}: building ${binary} (the first build may take a few minutes)…`);
  const started = Date.now();
  const tmp = `${binary}.tmp-${process.pid}`;
  const env = isStatic ? { ...process.env, CGO_ENABLED: '0' } : process.env;
  await runGo(go, ['build', '-trimpath', '-buildvcs=false', '-o', tmp, pkg], moduleDir, env);
  renameSync(tmp, binary); // atomic: a concurrent run sees the whole binary or none
  log(`${name}: built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return binary;
}

/** go.mod, go.sum and every *.go file of the module, recursively (not hidden directories), sorted. */
function moduleSources(moduleDir: string): string[] {
  const files: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.')) visit(path);
      } else if (entry.name.endsWith('.go') || (dir === moduleDir && (entry.name === 'go.mod' || entry.name === 'go.sum'))) {
        files.push(path);
      }
    }
  };
  visit(moduleDir);
  return files.sort();
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

function runGo(go: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(go, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`${go} ${args.join(' ')} (in ${cwd}) exited ${code}: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
  });
}
