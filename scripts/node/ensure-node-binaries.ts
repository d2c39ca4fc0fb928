// Locates (building on first use) the node's binaries via scripts/build-node.sh, cached per version
// outside the repository like the control plane's. $MESHWARD_NODE_BIN skips the script.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../control-plane/ensure-binaries.js';

export const NODE_BINARIES = [
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
  'containerd',
  'ctr',
  'containerd-shim-runc-v2',
  'runc',
  'bridge',
  'host-local',
  'loopback',
  'portmap',
  'pause',
] as const;

let cached: Promise<string> | undefined;

/** The directory holding NODE_BINARIES (memoised per process). */
export function ensureNodeBinaries(): Promise<string> {
  cached ??= build();
  cached.catch(() => (cached = undefined));
  return cached;
}

function checked(binDir: string): string {
  const missing = NODE_BINARIES.filter((b) => !existsSync(join(binDir, b)));
  if (missing.length > 0) throw new Error(`node binaries missing in ${binDir}: ${missing.join(', ')} (run scripts/build-node.sh)`);
  return binDir;
}

async function build(): Promise<string> {
  if (process.env.MESHWARD_NODE_BIN) return checked(resolve(process.env.MESHWARD_NODE_BIN));
  const script = join(repoRoot(), 'scripts', 'build-node.sh');
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolveRun, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => resolveRun({ code: exitCode, stdout: out }));
  });
  if (code === 3) throw new Error('building the node needs Go 1.26 on PATH and, for runc, gcc + libseccomp-dev (see the messages above)');
  if (code !== 0) throw new Error(`${script} failed with exit code ${code} (its output is above)`);
  const binDir = stdout.trim().split('\n').pop()?.trim();
  if (!binDir) throw new Error(`${script} printed no bin directory`);
  return checked(binDir);
}
