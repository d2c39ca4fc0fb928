import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../scripts/control-plane/ensure-binaries.js';
import { MESHWARD_NODE_FLAGS } from '../scripts/meshward-process.js';
import type { MeshShape } from './xds-mesh.js';
import type { ProxiesReply, ProxiesRequest } from './xds-protocol.js';
import type { ServerStats } from './xds-server-main.js';

// The processes of the control-plane bench: meshward's xDS server (xds-server-main.ts, driven by
// JSON lines on stdin/stdout) and the simulated proxies (xds-proxies.ts, driven over IPC), each a
// child of the harness with its output in a log file, killed if the harness dies.

function killOnExit(child: ChildProcess): () => void {
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  return () => process.off('exit', kill);
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

export interface XdsServerChild {
  readonly pid: number;
  readonly port: number;
  readonly meshNamespace: string;
  readonly logFile: string;
  policy(namespace: string, mode: string): Promise<void>;
  endpoint(service: number, op: 'add' | 'remove'): Promise<void>;
  stats(): Promise<ServerStats>;
  /** Ends stdin (the server stops) and waits; SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** Starts xds-server-main with the release entrypoint's Node flags (plus `nodeArgs`, e.g. --cpu-prof); resolves once it listens. */
export async function startXdsServer(
  ca: { certFile: string; keyFile: string },
  shape: MeshShape,
  nodeArgs: readonly string[] = [],
): Promise<XdsServerChild> {
  const dir = mkdtempSync(join(tmpdir(), 'meshward-bench-xds-'));
  const logFile = join(dir, 'xds-server.log');
  const child = spawn(
    process.execPath,
    [
      ...MESHWARD_NODE_FLAGS,
      ...nodeArgs,
      join(repoRoot(), 'dist/bench/xds-server-main.js'),
      ca.certFile,
      ca.keyFile,
      JSON.stringify(shape),
    ],
    { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stderr!.pipe(createWriteStream(logFile));
  const release = killOnExit(child);
  const exited = exitOf(child);
  const lines = createInterface({ input: child.stdout! });
  // Replies come in the order of the commands: one waiter per command, first in, first out.
  const waiting: Array<{ resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }> = [];
  let first: ((v: Record<string, unknown>) => void) | undefined;
  const listening = new Promise<Record<string, unknown>>((resolve) => (first = resolve));
  lines.on('line', (line) => {
    const msg = JSON.parse(line) as Record<string, unknown>;
    if (first) return void (first(msg), (first = undefined));
    const w = waiting.shift();
    if (!w) return;
    if (msg.ok === true) w.resolve(msg);
    else w.reject(new Error(`xds server: ${String(msg.error)}`));
  });
  void exited.then((code) => {
    const err = new Error(`xds server exited (${code}): ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    for (const w of waiting.splice(0)) w.reject(err);
  });
  const hello = await Promise.race([
    listening,
    exited.then((code) => {
      throw new Error(`xds server exited (${code}) before listening: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }),
  ]);
  const ask = (cmd: Record<string, unknown>): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    });
  return {
    pid: child.pid!,
    port: hello.port as number,
    meshNamespace: hello.meshNamespace as string,
    logFile,
    policy: async (namespace, mode) => void (await ask({ cmd: 'policy', namespace, mode })),
    endpoint: async (service, op) => void (await ask({ cmd: 'endpoint', service, op })),
    stats: async () => (await ask({ cmd: 'stats' })) as unknown as ServerStats,
    async stop() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      release();
    },
  };
}

export interface ProxiesChild {
  readonly pid: number;
  ask<E extends ProxiesReply['event']>(msg: ProxiesRequest, want: E): Promise<Extract<ProxiesReply, { event: E }>>;
  stop(): Promise<void>;
}

/** Forks one process of simulated proxies (dist/bench/xds-proxies.js). */
export function forkProxies(): ProxiesChild {
  const dir = mkdtempSync(join(tmpdir(), 'meshward-bench-proxies-'));
  const logFile = join(dir, 'proxies.log');
  const child = fork(join(repoRoot(), 'dist/bench/xds-proxies.js'), [], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const log = createWriteStream(logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const release = killOnExit(child);
  const exited = exitOf(child);
  let nextId = 0;
  const waiting = new Map<number, { resolve: (r: ProxiesReply) => void; reject: (e: Error) => void }>();
  child.on('message', (r: ProxiesReply) => {
    const w = r.id === undefined ? undefined : waiting.get(r.id);
    if (!w) return;
    waiting.delete(r.id!);
    w.resolve(r);
  });
  void exited.then((code) => {
    const err = new Error(`proxies process exited (${code}): ${readFileSync(logFile, 'utf8').slice(-2000)}`);
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  });
  return {
    pid: child.pid!,
    ask: (msg, want) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, {
          resolve: (r) => {
            if (r.event === want) resolve(r as Extract<ProxiesReply, { event: typeof want }>);
            else reject(new Error(`proxies: ${r.event === 'error' ? r.message : `expected ${want}, got ${r.event}`}`));
          },
          reject,
        });
        child.send({ ...msg, id });
      }),
    async stop() {
      if (child.exitCode === null && child.connected) child.send({ cmd: 'stop', id: -1 });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      release();
    },
  };
}
