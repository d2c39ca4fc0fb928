import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './control-plane/control-plane.js';
import { repoRoot } from './control-plane/ensure-binaries.js';

/** The release image's entrypoint script (Dockerfile ENTRYPOINT), relative to the package root. */
export const MESHWARD_ENTRYPOINT = 'dist/webhook/cli/main.js';
/**
 * Node flags of the release entrypoint. A young generation of 2 × 8 MB instead of V8's 2 × 16 MB:
 * under load RSS peaks ~35 MB lower (150 → 115 MB in bench/) at the same throughput, because the
 * semi-spaces are what fills with each admission's short-lived garbage.
 */
export const MESHWARD_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

export interface MeshwardProcess {
  readonly url: string;
  /** The control plane's ADS port (gRPC + mTLS on 127.0.0.1). */
  readonly xdsPort: number;
  readonly caPem: string;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** SIGTERM and wait for exit (SIGKILL after 30 s, as the kubelet's grace period); resolves with the exit code. */
  stop(): Promise<number | null>;
}

function readyz(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/readyz`, { ca, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export interface MeshwardProcessOptions {
  readonly kubeconfig: string;
  readonly extraArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Default: a self-signed certificate for 127.0.0.1. Managed: meshward's own serving-cert manager. */
  readonly managedCertificate?: { readonly port: number; readonly caPem: () => Promise<string | undefined> };
}

/**
 * Runs `meshward serve` exactly as the release image does (dist/webhook/cli/main.js), against a
 * kubeconfig; resolves once /readyz is 200 over TLS verified against the serving CA.
 */
export async function startMeshwardProcess(options: MeshwardProcessOptions): Promise<MeshwardProcess> {
  const managed = options.managedCertificate;
  const port = managed?.port ?? (await freePort());
  // Every process gets its own: two replicas (or two test files) must not fight over 15012.
  const xdsPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'meshward-serve-'));
  const logFile = join(dir, 'meshward.log');
  const log = createWriteStream(logFile);
  const tlsArgs = managed ? ['--serving-mode', 'self-managed'] : ['--self-signed', '--self-signed-dir', dir];
  const args = [
    ...MESHWARD_NODE_FLAGS,
    join(repoRoot(), MESHWARD_ENTRYPOINT),
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--xds-host',
    '127.0.0.1',
    '--xds-port',
    String(xdsPort),
    ...tlsArgs,
    '--kubeconfig',
    options.kubeconfig,
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', ...options.env },
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let caPem = '';
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`meshward serve exited with ${child.exitCode}: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    try {
      caPem ||= managed ? ((await managed.caPem()) ?? '') : readFileSync(join(dir, 'ca.crt'), 'utf8');
    } catch {
      // not written yet
    }
    if (caPem && (await readyz(url, caPem))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`meshward serve not ready within ${options.timeoutMs ?? 30_000} ms: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    xdsPort,
    caPem,
    logFile,
    child,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null) child.kill('SIGTERM');
      // The shutdown delay (5 s by default) comes first, so 10 s would be too close.
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
