// Locates (building on first use) kube-apiserver, kube-controller-manager, kubectl and etcd via
// scripts/build-control-plane.sh, which caches them per Kubernetes version outside the repository.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ControlPlaneBinaries {
  readonly binDir: string;
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubectl: string;
}

export class ControlPlaneBuildError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'ControlPlaneBuildError';
  }
}

/** The repository root: the nearest ancestor holding meshward's package.json (works from source and dist). */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'meshward') return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the meshward repository root above ${from}`);
    dir = parent;
  }
}

function binariesIn(binDir: string): ControlPlaneBinaries {
  const out = {
    binDir,
    etcd: join(binDir, 'etcd'),
    kubeApiserver: join(binDir, 'kube-apiserver'),
    kubeControllerManager: join(binDir, 'kube-controller-manager'),
    kubectl: join(binDir, 'kubectl'),
  };
  const missing = [out.etcd, out.kubeApiserver, out.kubeControllerManager, out.kubectl].filter((p) => {
    try {
      accessSync(p, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) throw new ControlPlaneBuildError(`control-plane binaries missing or not executable: ${missing.join(', ')}`, null);
  return out;
}

function goAvailable(env: NodeJS.ProcessEnv): boolean {
  const path = env.PATH ?? '';
  return path.split(':').some((dir) => dir && existsSync(join(dir, 'go')));
}

export interface EnsureBinariesOptions {
  /** Build script (default: <repo>/scripts/build-control-plane.sh). */
  readonly script?: string;
  readonly env?: NodeJS.ProcessEnv;
}

let cached: Promise<ControlPlaneBinaries> | undefined;

/**
 * Returns the binary paths, running the build script when needed (its progress goes to our
 * stderr; a cold build takes ~6 minutes). $MESHWARD_CONTROL_PLANE_BIN skips the script.
 * Memoised per process.
 */
export function ensureControlPlaneBinaries(options: EnsureBinariesOptions = {}): Promise<ControlPlaneBinaries> {
  if (!options.script && !options.env && cached) return cached;
  const promise = ensureUncached(options);
  if (!options.script && !options.env) {
    cached = promise;
    promise.catch(() => {
      if (cached === promise) cached = undefined;
    });
  }
  return promise;
}

async function ensureUncached(options: EnsureBinariesOptions): Promise<ControlPlaneBinaries> {
  const env = options.env ?? process.env;
  if (env.MESHWARD_CONTROL_PLANE_BIN) return binariesIn(resolve(env.MESHWARD_CONTROL_PLANE_BIN));
  const script = options.script ?? join(repoRoot(), 'scripts', 'build-control-plane.sh');
  if (!existsSync(script)) throw new ControlPlaneBuildError(`build script not found: ${script}`, null);
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolvePromise, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => resolvePromise({ code: exitCode, stdout: out }));
  });
  if (code !== 0) {
    if (code === 3 || !goAvailable(env)) {
      throw new ControlPlaneBuildError(
        'building the Kubernetes control plane needs Go (1.26, or Go >= 1.21 with GOTOOLCHAIN=auto) on PATH: ' +
          'install it from https://go.dev/dl, or set MESHWARD_CONTROL_PLANE_BIN to a directory holding ' +
          'etcd, kube-apiserver, kube-controller-manager and kubectl (v1.37.x)',
        code,
      );
    }
    throw new ControlPlaneBuildError(`${script} failed with exit code ${code} (its output is above)`, code);
  }
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const binDir = lines[lines.length - 1];
  if (!binDir) throw new ControlPlaneBuildError(`${script} printed no bin directory on stdout`, code);
  return binariesIn(binDir);
}
