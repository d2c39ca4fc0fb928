import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { freePort } from '../../scripts/control-plane/control-plane.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import { httpsRequest } from '../helpers/https-client.js';
import { clusterObjects } from './real-server.js';

export interface ServeProcess {
  readonly url: string;
  readonly ca: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  output(): string;
  kill(): void;
}

/**
 * The released CLI (dist/webhook/cli/main.js, built by `npm test`'s pretest) as `meshward serve
 * --self-signed --offline` on 127.0.0.1, over the hardening cluster state; resolves when /readyz is 200.
 */
export async function startServeProcess(extraArgs: readonly string[] = []): Promise<ServeProcess> {
  const main = join(repoRoot(), 'dist/webhook/cli/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -p tsconfig.json; npm test does it)`);
  const dir = mkdtempSync(join(tmpdir(), 'meshward-sigterm-'));
  const state = join(dir, 'state.yaml');
  writeFileSync(
    state,
    clusterObjects()
      .map((o) => toYaml(o))
      .join('---\n'),
  );
  const port = await freePort();
  const args = [
    main,
    'serve',
    '--self-signed',
    '--offline',
    '--state',
    state,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--self-signed-dir',
    dir,
    '--log-level',
    'warn',
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const kill = (): void => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  process.once('exit', kill);
  const url = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  let ca = '';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`meshward serve exited with ${child.exitCode}: ${output.slice(-2000)}`);
    try {
      ca ||= readFileSync(join(dir, 'ca.crt'), 'utf8');
      if (ca && (await httpsRequest(`${url}/readyz`, { ca, method: 'GET' })).status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      kill();
      throw new Error(`meshward serve not ready in 30 s: ${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, ca, child, exited, output: () => output, kill };
}
