import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scripts/control-plane/control-plane.js';
import { repoRoot } from '../scripts/control-plane/ensure-binaries.js';
import { MESHWARD_ENTRYPOINT, MESHWARD_NODE_FLAGS } from '../scripts/meshward-process.js';
import { generateSelfSigned } from '../webhook/server/self-signed.js';
import { waitFor200 } from './https-post.js';

/** A server under test, running in its own process (so its CPU and memory are its own). */
export interface ServerChild {
  readonly name: string;
  readonly url: string;
  readonly ca: string;
  readonly pid: number;
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

function track(child: ChildProcess, logFile: string): { exited: Promise<number | null>; stop: () => Promise<number | null> } {
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async (): Promise<number | null> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return { exited, stop };
}

async function waitReady(child: ChildProcess, url: string, ca: () => string, logFile: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let pem = '';
  while (!pem) {
    if (child.exitCode !== null)
      throw new Error(`${url}: process exited with ${child.exitCode}: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    try {
      pem = ca();
    } catch {
      if (Date.now() > deadline) throw new Error(`${url}: no CA bundle within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await waitFor200(url, pem, Math.max(1000, deadline - Date.now()));
  return pem;
}

/**
 * `meshward serve --offline` exactly as released (dist/webhook/cli/main.js), self-signed, on
 * 127.0.0.1, with the examples' namespaces as its cluster state; resolves once /readyz is 200.
 */
export async function startMeshwardServe(
  options: { stateFile?: string; logLevel?: string; nodeArgs?: readonly string[] } = {},
): Promise<ServerChild> {
  const root = repoRoot();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'meshward-bench-'));
  const logFile = join(dir, 'meshward.log');
  const args = [
    ...(options.nodeArgs ?? MESHWARD_NODE_FLAGS),
    join(root, MESHWARD_ENTRYPOINT),
    'serve',
    '--self-signed',
    '--offline',
    '--state',
    options.stateFile ?? join(root, 'manifests/examples/namespaces.yaml'),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--self-signed-dir',
    dir,
    '--log-level',
    options.logLevel ?? 'warn',
  ];
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const { stop } = track(child, logFile);
  const url = `https://127.0.0.1:${port}`;
  try {
    const ca = await waitReady(child, `${url}/readyz`, () => readFileSync(join(dir, 'ca.crt'), 'utf8'), logFile, 30_000);
    return { name: 'meshward', url, ca, pid: child.pid!, logFile, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * One of the bench's own servers (dist/bench/<entry>.js): it listens on 127.0.0.1:<port> with the
 * given certificate and key and answers GET /healthz once ready.
 */
export async function startBenchServer(
  entry: 'floor-server' | 'express-server',
  options: { certFile: string; keyFile: string; caPem: string; args?: readonly string[] },
): Promise<ServerChild> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `meshward-bench-${entry}-`));
  const logFile = join(dir, `${entry}.log`);
  const script = join(repoRoot(), 'dist/bench', `${entry}.js`);
  const child = spawn(process.execPath, [script, String(port), options.certFile, options.keyFile, ...(options.args ?? [])], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { stop } = track(child, logFile);
  const url = `https://127.0.0.1:${port}`;
  try {
    await waitReady(child, `${url}/healthz`, () => options.caPem, logFile, 30_000);
    return { name: entry, url, ca: options.caPem, pid: child.pid!, logFile, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Writes one self-signed ECDSA P-256 bundle (the generator `meshward serve --self-signed` uses, so
 * the bench's own servers pay the same handshake as meshward); valid for 127.0.0.1 and localhost.
 */
export function writeServingBundle(): { certFile: string; keyFile: string; caPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'meshward-bench-tls-'));
  const bundle = generateSelfSigned(new Date());
  writeFileSync(join(dir, 'tls.crt'), bundle.cert);
  writeFileSync(join(dir, 'tls.key'), bundle.key, { mode: 0o600 });
  return { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), caPem: bundle.caCert };
}
