// Child-process management for the local control plane, built so that no etcd, kube-apiserver or
// kube-controller-manager outlives the Node process that started it.
//
// Node cannot call prctl(PR_SET_PDEATHSIG) between fork and exec, so four layers are combined:
//  1. `setpriv --pdeathsig KILL` (util-linux) wraps each child when available: setpriv sets the
//     parent-death signal and then execs the binary (same pid). If Node dies in ANY way — SIGKILL,
//     an unhandled Ctrl-C (mocha installs no SIGINT handler), a crash — the kernel SIGKILLs the
//     children. Such children are also `detached` (own process group), so a terminal Ctrl-C does
//     not hit them before stop() can shut them down in order (controllers, apiserver, then etcd).
//     Without setpriv, children stay in our process group so a terminal Ctrl-C still reaches them.
//  2. `process.on('exit')` SIGKILLs every live child synchronously (process.exit(), mocha --exit,
//     end of the event loop) and removes temporary directories; so does SIGINT/SIGTERM/SIGHUP when
//     no one else handles it (the signal is then re-raised, so Node still dies of it).
//  3. A pid file per control plane under $TMPDIR/meshward-control-plane/; every start reaps the
//     children (matched by pid AND by the control plane's directory in /proc/<pid>/cmdline, so a
//     recycled pid is never hit) and temp directories of owners that are gone.
//  4. stop(): SIGTERM, then SIGKILL after a grace period, awaiting each exit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Set once the process has exited. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  readonly exited: Promise<void>;
  /** Whether it runs in its own process group (signals go to the group). */
  readonly detached: boolean;
}

const live = new Set<ManagedProcess>();
const liveHelpers = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const pidFiles = new Set<string>();
let exitHookInstalled = false;

export const REGISTRY_DIR = join(tmpdir(), 'meshward-control-plane');
export const TEMP_PREFIX = 'meshward-cp-';

function keepRequested(): boolean {
  const v = process.env.MESHWARD_KEEP_CONTROL_PLANE ?? '';
  return v !== '' && v !== '0' && v !== 'false';
}

export { keepRequested };

/** SIGKILLs every live child and removes registered temp dirs, synchronously. */
function cleanupSync(): void {
  for (const proc of live) signalProcess(proc, 'SIGKILL');
  for (const child of liveHelpers) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  if (!keepRequested()) {
    for (const dir of tempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
      } catch {
        // reaped by the next start
      }
    }
  }
  tempDirs.clear();
  for (const file of pidFiles) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
  pidFiles.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', cleanupSync);
  // A signal nobody else handles kills Node without an 'exit' event (mocha has no SIGINT handler).
  // Only then: clean up, and re-raise the signal with its default action (as signal-exit does).
  // When the host handles the signal itself (the `up` CLI does), this stays out of its way.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      if (process.listenerCount(signal) > 1) return;
      cleanupSync();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

let setprivChecked: boolean | undefined;
/** Whether util-linux setpriv with --pdeathsig is usable here. */
export function hasSetpriv(): boolean {
  if (setprivChecked === undefined) {
    if (process.platform !== 'linux' || process.env.MESHWARD_NO_SETPRIV) setprivChecked = false;
    else {
      const r = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore', timeout: 5000 });
      setprivChecked = r.status === 0;
    }
  }
  return setprivChecked;
}

export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const merge = (current: string | undefined): string => {
    const parts = new Set(
      (current ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
    for (const host of ['127.0.0.1', 'localhost', '::1']) parts.add(host);
    return [...parts].join(',');
  };
  return { ...process.env, NO_PROXY: merge(process.env.NO_PROXY), no_proxy: merge(process.env.no_proxy ?? process.env.NO_PROXY), ...extra };
}

/** Starts a long-running control-plane process, its stdout and stderr appended to logFile. */
export function spawnManaged(
  name: string,
  binary: string,
  args: readonly string[],
  logFile: string,
  env: Record<string, string> = {},
): ManagedProcess {
  installExitHook();
  const usePdeathsig = hasSetpriv();
  const [cmd, argv] = usePdeathsig ? ['setpriv', ['--pdeathsig', 'KILL', '--', binary, ...args]] : [binary, [...args]];
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    writeFileSync(fd, `# ${new Date().toISOString()} ${binary} ${args.join(' ')}\n`);
    child = spawn(cmd, argv, { stdio: ['ignore', fd, fd], detached: usePdeathsig, env: childEnv(env) });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) {
    throw new Error(`${name}: could not start ${binary}`);
  }
  let resolveExited!: () => void;
  const exited = new Promise<void>((r) => (resolveExited = r));
  const proc: ManagedProcess = { name, pid: child.pid, logFile, child, exited, detached: usePdeathsig };
  child.on('exit', (code, signal) => {
    proc.exit = { code, signal };
    live.delete(proc);
    resolveExited();
  });
  child.on('error', (err) => {
    writeFileSync(logFile, `# spawn error: ${err.message}\n`, { flag: 'a' });
  });
  // The control plane must not keep the event loop alive on its own; stop() and the exit hook end it.
  child.unref();
  live.add(proc);
  return proc;
}

function signalProcess(proc: ManagedProcess, signal: NodeJS.Signals): void {
  if (proc.exit) return;
  try {
    process.kill(proc.detached ? -proc.pid : proc.pid, signal);
  } catch {
    try {
      process.kill(proc.pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Resolves true when `promise` settles within ms, false otherwise; never leaves a timer behind. */
function within(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolveWithin) => {
    const timer = setTimeout(() => resolveWithin(false), ms);
    promise.then(() => {
      clearTimeout(timer);
      resolveWithin(true);
    });
  });
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the process has exited (bounded). */
export async function terminate(proc: ManagedProcess, graceMs = 5000): Promise<'exited' | 'killed' | 'already'> {
  if (proc.exit) return 'already';
  signalProcess(proc, 'SIGTERM');
  if (await within(proc.exited, graceMs)) return 'exited';
  signalProcess(proc, 'SIGKILL');
  await within(proc.exited, 5000);
  return 'killed';
}

/** Short-lived helpers (kubectl): killed by the exit hook if still running. */
export function trackHelper(child: ChildProcess): void {
  installExitHook();
  liveHelpers.add(child);
  child.once('exit', () => liveHelpers.delete(child));
}

export function registerTempDir(dir: string): void {
  installExitHook();
  tempDirs.add(dir);
}

export function unregisterTempDir(dir: string): void {
  tempDirs.delete(dir);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** /proc/<pid>/cmdline as one space-joined string, or undefined when the process is gone. */
export function commandLine(pid: number): string | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    // A zombie has an empty cmdline: it is dead for our purposes.
    return raw === '' ? undefined : raw.split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Start time (clock ticks since boot) of a process, to tell a recycled pid from the original. */
function startTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** Alive and not a zombie (a killed owner whose parent has not reaped it yet is a zombie). */
function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const state = statFields(pid)?.[0];
  return state !== undefined ? state !== 'Z' && state !== 'X' : true;
}

/** Every process whose command line contains `needle` (Linux /proc scan). */
export function processesMatching(needle: string): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const cmdline = commandLine(pid);
    if (cmdline?.includes(needle)) out.push({ pid, cmdline });
  }
  return out;
}

interface PidRecord {
  ownerPid: number;
  ownerStart?: string;
  dir: string;
  removeDir: boolean;
  pids: number[];
}

/** The pid file for one control plane; rewritten whenever a child starts. */
export class PidFile {
  readonly path: string;
  private readonly record: PidRecord;

  constructor(dir: string, removeDir: boolean) {
    mkdirSync(REGISTRY_DIR, { recursive: true });
    this.path = join(REGISTRY_DIR, `${basename(dir)}-${process.pid}.json`);
    this.record = { ownerPid: process.pid, ownerStart: startTime(process.pid), dir, removeDir, pids: [] };
    this.flush();
    installExitHook();
    pidFiles.add(this.path);
  }

  add(pid: number): void {
    this.record.pids.push(pid);
    this.flush();
  }

  remove(): void {
    pidFiles.delete(this.path);
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  private flush(): void {
    writeFileSync(this.path, JSON.stringify(this.record));
  }
}

/**
 * Kills leftovers of control planes whose owning process is gone (SIGKILLed Node, power loss of
 * the test runner...) and removes their temp directories. Live owners are left alone, so
 * concurrent test runs do not interfere. Returns the pids killed.
 */
export function reapOrphans(log: (msg: string) => void = () => undefined): number[] {
  const killed: number[] = [];
  let files: string[];
  try {
    files = readdirSync(REGISTRY_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return killed;
  }
  for (const file of files) {
    const path = join(REGISTRY_DIR, file);
    let record: PidRecord;
    try {
      record = JSON.parse(readFileSync(path, 'utf8')) as PidRecord;
    } catch {
      continue; // being written by a live owner, or garbage: leave it
    }
    const ownerAlive = isRunning(record.ownerPid) && (record.ownerStart === undefined || startTime(record.ownerPid) === record.ownerStart);
    if (ownerAlive) continue;
    const victims: number[] = [];
    for (const pid of record.pids) {
      if (commandLine(pid)?.includes(record.dir)) {
        try {
          process.kill(pid, 'SIGKILL');
          victims.push(pid);
        } catch {
          // gone meanwhile
        }
      }
    }
    // Let the kernel finish them before their directory goes (bounded: 2 s).
    for (let i = 0; i < 40 && victims.some((pid) => commandLine(pid) !== undefined); i++) sleepSync(50);
    killed.push(...victims);
    if (record.removeDir && basename(record.dir).startsWith(TEMP_PREFIX) && existsSync(record.dir)) {
      try {
        rmSync(record.dir, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // try again next time
      }
    }
    try {
      unlinkSync(path);
    } catch {
      // another reaper got it
    }
  }
  if (killed.length > 0) log(`reaped ${killed.length} orphaned control-plane process(es): ${killed.join(', ')}`);
  return killed;
}

/** Last `lines` lines of a log file ('' if unreadable). */
export function tailFile(file: string, lines = 40): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return '';
  }
}
