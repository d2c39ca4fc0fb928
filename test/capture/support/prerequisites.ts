// What the network-namespace suites need: root, iptables and friends (installed by
// scripts/capture-test-deps.sh), and the Go probe binary (built once, cached outside the repo).
// Without root they skip loudly, except under CI=true, where skipping would hide a broken setup.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './exec.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../../..');
export const INIT_SCRIPT = join(REPO_ROOT, 'webhook/capture/meshward-init.sh');
const PROBE_SRC = join(REPO_ROOT, 'test/capture/origdst');

/** Returns the probe binary's path, or skips the suite (fails it under CI=true). */
export async function netnsPrerequisites(ctx: Mocha.Context): Promise<string> {
  const unavailable = (reason: string): never => {
    if (process.env.CI === 'true') throw new Error(`capture netns tests cannot run under CI=true: ${reason}`);
    console.warn(
      `\n${'!'.repeat(78)}\n!! SKIPPING capture netns tests: ${reason}\n!! (they run as root; under CI=true this is a failure)\n${'!'.repeat(78)}\n`,
    );
    return ctx.skip();
  };
  if (process.getuid?.() !== 0) unavailable('not running as root (iptables and ip netns need root)');

  const deps = await run('sh', [join(REPO_ROOT, 'scripts/capture-test-deps.sh')], { timeoutMs: 300_000 });
  if (deps.code !== 0) unavailable(`scripts/capture-test-deps.sh failed: ${deps.stderr.trim()}`);

  const probe = await buildProbe();
  if ('error' in probe) unavailable(probe.error);
  return (probe as { path: string }).path;
}

/** Builds test/capture/origdst once per source version into ~/.cache/meshward. */
async function buildProbe(): Promise<{ path: string } | { error: string }> {
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'main.go']) hash.update(readFileSync(join(PROBE_SRC, f)));
  const cacheRoot = process.env.MESHWARD_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'meshward');
  const path = join(cacheRoot, `capture-origdst-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(path)) return { path };
  mkdirSync(cacheRoot, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
  let build;
  try {
    build = await run('go', ['build', '-o', tmp, '.'], { env, timeoutMs: 180_000, cwd: PROBE_SRC });
  } catch (err) {
    return { error: `cannot run go to build the probe (${(err as Error).message}); install Go 1.22+` };
  }
  if (build.code !== 0) return { error: `go build of test/capture/origdst failed: ${build.stderr}` };
  renameSync(tmp, path); // atomic: parallel runs never see a half-written binary
  return { path };
}
