import type { ProxyIdentity } from './xds-mesh.js';

// What the control-plane bench's harness and its simulated-proxy processes (xds-proxies.ts) say to
// each other over IPC, and the clock they share: every time is process.hrtime (CLOCK_MONOTONIC on
// Linux, one clock for every process on the machine) in ms, so a command sent by the harness and
// an ACK written by a proxy in another process are on the same time line.

/** Monotonic time, ms, comparable across processes on this machine. */
export function hrMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export type ProxiesRequest =
  | {
      /** Issue every proxy its SVID (before anything is timed). */
      readonly cmd: 'prepare';
      readonly caCertFile: string;
      readonly caKeyFile: string;
      readonly trustDomain: string;
      /** The SPIFFE ID the server must present. */
      readonly serverId: string;
      readonly proxies: readonly ProxyIdentity[];
      /** Index of proxies[0] among all the bench's proxies. */
      readonly firstIndex: number;
    }
  | {
      /** Dial and sync every proxy; the reply comes once all have ACKed their initial configuration. */
      readonly cmd: 'connect';
      readonly port: number;
      /** At most this many proxies between dialling and their initial configuration ACKed; 0: all at once. */
      readonly concurrency: number;
    }
  | { readonly cmd: 'mark' }
  | { readonly cmd: 'report' }
  | { readonly cmd: 'stop' };

/** Since the last mark: what the proxies received and when they last ACKed. */
export interface ProxyReport {
  readonly event: 'report';
  readonly markAt: number;
  readonly responses: number;
  /** Resource bytes received (Any values), summed over proxies. */
  readonly bytes: number;
  /** Indexes of the proxies that received at least one response. */
  readonly pushed: readonly number[];
  /** The latest ACK written by any of them (hrMs). */
  readonly lastAckAt: number;
  /** Streams that ended or failed after the initial sync. */
  readonly broken: number;
  /** This process's CPU (user + system) since it started, seconds: what playing the proxies costs. */
  readonly cpuSeconds: number;
}

export type ProxiesReply = { readonly id?: number } & (
  | {
      /** SVID issuance for these proxies, ms (not part of the connect time). */
      readonly event: 'prepared';
      readonly issueMs: number;
    }
  | {
      readonly event: 'synced';
      readonly startedAt: number;
      /** When the last proxy had ACKed its first CDS, EDS and LDS responses. */
      readonly syncedAt: number;
      /** Per proxy: dialling to initial configuration ACKed, ms. */
      readonly perProxyMs: readonly number[];
      readonly bytes: number;
      readonly failed: readonly string[];
      readonly cpuSeconds: number;
    }
  | { readonly event: 'marked'; readonly markAt: number; readonly cpuSeconds: number }
  | ProxyReport
  | { readonly event: 'stopped' }
  | { readonly event: 'error'; readonly message: string }
);
