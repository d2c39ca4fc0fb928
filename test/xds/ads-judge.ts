// Runs test/go/cmd/ads-judge (Go, go-control-plane's SotW ADS client) against an ADS server and
// collects what it reports: an xDS client that is not ours, so a test of meshward's control plane
// does not grade its own homework. See test/go/cmd/ads-judge/main.go and
// test/go/adsclient (shared with the proxy stand-in) for the protocol side.
//
//   before(async function () { this.timeout(600_000); await ensureAdsJudge(); });
//   const judge = startJudge({ servers: [`127.0.0.1:${port}`], cert, key, ca, serverId, nodeId });
//   const ack = await judge.next((e) => e.event === 'ack' && e.type === 'cds', 10_000);
//   await judge.stop();

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ensureGoTool, GO_TOOLS_MODULE, type GoToolLog } from '../../scripts/go-tool.js';

export type XdsType = 'lds' | 'cds' | 'eds';

export interface JudgedResource {
  name: string;
  ok: boolean;
  errors: string[];
  /** The decoded resource in protojson; only with `dump`. */
  json?: Record<string, unknown>;
}

export interface ConnectedEvent {
  event: 'connected';
  server: string;
}

/** A DiscoveryRequest as the judge sent it: a stream's first for a type or an EDS subscription change ("request"), an ACK or a NACK. */
export interface RequestEvent {
  event: 'request' | 'ack' | 'nack';
  type: XdsType;
  version: string;
  nonce: string;
  /** NACK only: the error_detail message. */
  message?: string;
  /** "request" only, when not wildcard. */
  resource_names?: string[];
}

export interface ResponseEvent {
  event: 'response';
  type: XdsType;
  version: string;
  nonce: string;
  resources: JudgedResource[];
  /** Size of the DiscoveryResponse message. */
  bytes: number;
}

export interface ErrorEvent {
  event: 'error';
  /** gRPC status code name (PermissionDenied, Unavailable, …); "OK" when the server ended the stream cleanly. */
  code: string;
  message: string;
  server?: string;
}

export interface ClosedEvent {
  event: 'closed';
  reason: 'stdin' | 'signal' | 'max-responses' | 'stream-error' | 'server-identity' | string;
}

export type JudgeEvent = ConnectedEvent | RequestEvent | ResponseEvent | ErrorEvent | ClosedEvent;

export interface JudgeOptions {
  /** host:port of each server, tried in turn (with `reconnect`). */
  servers: readonly string[];
  /** PEM files: client certificate chain, its key, the trust bundle the server must chain to. */
  cert: string;
  key: string;
  ca: string;
  /** The server's required SPIFFE ID, e.g. spiffe://cluster.local/ns/meshward-system/sa/meshward. */
  serverId: string;
  /** node.id, e.g. sidecar~shop~web-7d4f. */
  nodeId: string;
  nodeCluster?: string;
  nackOnce?: XdsType;
  dump?: boolean;
  reconnect?: boolean;
  maxResponses?: number;
  /** Where build progress goes (default stderr). */
  log?: GoToolLog;
}

export interface Judge {
  /** Every event so far, in order. */
  readonly events: readonly JudgeEvent[];
  /** The first event (already seen or future) matching; rejects with the events seen so far on timeout or when the judge has exited. */
  next<E extends JudgeEvent>(predicate: (e: JudgeEvent) => e is E, timeoutMs?: number): Promise<E>;
  next(predicate: (e: JudgeEvent) => boolean, timeoutMs?: number): Promise<JudgeEvent>;
  /** Ends the judge (stdin EOF, then SIGTERM, then SIGKILL) and resolves with its exit code. */
  stop(): Promise<number | null>;
  /** Resolves with the exit code when the judge exits by itself or is stopped. */
  readonly exited: Promise<number | null>;
  /** What the judge wrote to stderr (build problems, version corrections, ignored types). */
  stderr(): string;
}

export class JudgeTimeoutError extends Error {
  constructor(
    message: string,
    readonly events: readonly JudgeEvent[],
  ) {
    super(message);
    this.name = 'JudgeTimeoutError';
  }
}

/** Path of the judge binary, building it on first use (call from a before hook with a long timeout). */
export function ensureAdsJudge(log?: GoToolLog): Promise<string> {
  return ensureGoTool('ads-judge', GO_TOOLS_MODULE, './cmd/ads-judge', log);
}

/** The command line for opts (exported so a failing test can print how to rerun the judge by hand). */
export function judgeArgs(opts: JudgeOptions): string[] {
  const args = ['--server', opts.servers.join(','), '--cert', opts.cert, '--key', opts.key, '--ca', opts.ca];
  args.push('--server-id', opts.serverId, '--node-id', opts.nodeId);
  if (opts.nodeCluster !== undefined) args.push('--node-cluster', opts.nodeCluster);
  if (opts.nackOnce !== undefined) args.push('--nack-once', opts.nackOnce);
  if (opts.dump) args.push('--dump');
  if (opts.reconnect) args.push('--reconnect');
  if (opts.maxResponses !== undefined) args.push('--max-responses', String(opts.maxResponses));
  return args;
}

interface Waiter {
  predicate: (e: JudgeEvent) => boolean;
  resolve: (e: JudgeEvent) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Starts the judge (building it first if needed; events arrive once it runs). */
export function startJudge(opts: JudgeOptions): Judge {
  const events: JudgeEvent[] = [];
  const waiters = new Set<Waiter>();
  let stderr = '';
  let child: ChildProcessWithoutNullStreams | undefined;
  let exitCode: number | null | undefined;
  let stopping = false;
  let resolveExited!: (code: number | null) => void;
  const exited = new Promise<number | null>((resolve) => (resolveExited = resolve));

  const failAll = (why: string): void => {
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new JudgeTimeoutError(`${why}; events so far:\n${describe(events, stderr)}`, [...events]));
    }
    waiters.clear();
  };

  const onEvent = (e: JudgeEvent): void => {
    events.push(e);
    for (const w of waiters) {
      if (w.predicate(e)) {
        clearTimeout(w.timer);
        waiters.delete(w);
        w.resolve(e);
      }
    }
  };

  const onExit = (code: number | null): void => {
    exitCode = code;
    resolveExited(code);
    // No event can follow an exit: a waiter would only wait for its timeout.
    failAll(`ads-judge exited with ${String(code)}`);
  };

  ensureAdsJudge(opts.log).then(
    (binary) => {
      if (stopping) return onExit(null);
      const proc = spawn(binary, judgeArgs(opts), { stdio: ['pipe', 'pipe', 'pipe'] });
      child = proc;
      proc.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
      const lines = createInterface({ input: proc.stdout });
      lines.on('line', (line) => {
        try {
          onEvent(JSON.parse(line) as JudgeEvent);
        } catch {
          stderr += `(unparsed stdout) ${line}\n`;
        }
      });
      // Exit only after the last stdout line was handled ('close' waits for the streams).
      proc.on('close', (code) => onExit(code));
      proc.on('error', (err) => {
        stderr += `spawn: ${err.message}\n`;
        onExit(null);
      });
    },
    (err: Error) => {
      stderr += `build: ${err.message}\n`;
      onExit(null);
    },
  );

  const next = (predicate: (e: JudgeEvent) => boolean, timeoutMs = 10_000): Promise<JudgeEvent> => {
    const seen = events.find(predicate);
    if (seen) return Promise.resolve(seen);
    if (exitCode !== undefined) {
      return Promise.reject(
        new JudgeTimeoutError(`ads-judge exited with ${String(exitCode)}; events so far:\n${describe(events, stderr)}`, [...events]),
      );
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          waiters.delete(w);
          reject(
            new JudgeTimeoutError(`no matching event within ${timeoutMs}ms; events so far:\n${describe(events, stderr)}`, [...events]),
          );
        }, timeoutMs),
      };
      waiters.add(w);
    });
  };

  const stop = async (): Promise<number | null> => {
    stopping = true;
    const proc = child;
    if (proc && exitCode === undefined) {
      proc.stdin.end();
      // stdin EOF is the judge's orderly stop; the signals are for a judge that does not react in time.
      const term = setTimeout(() => proc.kill('SIGTERM'), 3_000);
      const kill = setTimeout(() => proc.kill('SIGKILL'), 6_000);
      await exited;
      clearTimeout(term);
      clearTimeout(kill);
    }
    return exitCode === undefined ? exited : exitCode;
  };

  return {
    events,
    next: next as Judge['next'],
    stop,
    exited,
    stderr: () => stderr,
  };
}

function describe(events: readonly JudgeEvent[], stderr: string): string {
  const lines = events.map((e) => JSON.stringify(e));
  if (stderr.trim() !== '') lines.push(`stderr: ${stderr.trim()}`);
  return lines.length === 0 ? '(none)' : lines.join('\n');
}
