// A throwaway network of "pods": one netns per pod, all joined by a bridge in a switch netns,
// with IPv4 (10.250.0.0/24) and IPv6 (fd00:250::/64) addresses. Names carry a random suffix so
// parallel runs never clash; nothing is created in the host's own netns. The switch netns doubles
// as an unmeshed client (10.250.0.254, fd00:250::fe).

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { run, runOk, type RunResult } from './exec.js';
import { INIT_SCRIPT } from './prerequisites.js';

export interface PodDef {
  readonly name: string;
  readonly v4: readonly string[];
  readonly v6: readonly string[];
  /** Listener name → port; the probe listens on 0.0.0.0 and [::] for each. */
  readonly listeners: Readonly<Record<string, number>>;
}

export interface ProbeReport {
  readonly listener: string;
  readonly local: string;
  readonly peer: string;
  readonly origDst?: string;
}

export interface DialOptions {
  readonly uid?: number;
  readonly gid?: number;
  readonly bind?: string;
}

export const SWITCH = 'switch';
const SWITCH_V4 = '10.250.0.254';
const SWITCH_V6 = 'fd00:250::fe';

export class NetnsLab {
  private readonly children: ChildProcess[] = [];
  private readonly namespaces: string[] = [];
  private readonly id = randomBytes(3).toString('hex');

  private constructor(private readonly probe: string) {}

  /** Builds the network and starts each pod's listeners. On failure, cleans up and rethrows. */
  static async create(probe: string, pods: readonly PodDef[]): Promise<NetnsLab> {
    const lab = new NetnsLab(probe);
    try {
      await lab.build(pods);
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  ns(pod: string): string {
    return `mwcap-${this.id}-${pod}`;
  }

  /** Runs meshward-init.sh itself inside the pod's netns with only the given env (and PATH);
   * `sh` is looked up in that PATH, so a test can run it with busybox's sh. */
  applyInit(pod: string, env: Readonly<Record<string, string>>, path?: string): Promise<RunResult> {
    const vars = Object.entries({ PATH: path ?? process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env });
    const args = ['netns', 'exec', this.ns(pod), '/usr/bin/env', '-i', ...vars.map(([k, v]) => `${k}=${v}`), 'sh', INIT_SCRIPT];
    return run('ip', args, { timeoutMs: 8000 });
  }

  /** Connects from a pod (or the switch) and returns the listener's report, or throws. */
  async dial(from: string, target: string, opts: DialOptions = {}): Promise<ProbeReport> {
    const args = ['netns', 'exec', this.ns(from), this.probe, 'dial', target, '-timeout', '2s'];
    if (opts.uid !== undefined) args.push('-uid', String(opts.uid));
    if (opts.gid !== undefined) args.push('-gid', String(opts.gid));
    if (opts.bind !== undefined) args.push('-bind', opts.bind);
    const r = await run('ip', args, { timeoutMs: 5000 });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    const parsed = JSON.parse(line || '{"error":"no output"}') as ProbeReport & { error?: string };
    if (r.code !== 0 || parsed.error !== undefined) {
      throw new Error(`dial ${target} from ${from} failed: ${parsed.error ?? r.stderr}`);
    }
    return parsed;
  }

  /** `<family>tables-save -t nat` without comments and counters, for comparisons. */
  async natTable(pod: string, family: 'ipv4' | 'ipv6'): Promise<string> {
    const tool = family === 'ipv4' ? 'iptables-nft-save' : 'ip6tables-nft-save';
    const out = await runOk('ip', ['netns', 'exec', this.ns(pod), tool, '-t', 'nat']);
    return out
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.replace(/\[\d+:\d+\]$/, '[0:0]'))
      .join('\n');
  }

  exec(pod: string, cmd: string, args: readonly string[]): Promise<string> {
    return runOk('ip', ['netns', 'exec', this.ns(pod), cmd, ...args]);
  }

  /** Kills our probes (by pid) and deletes every netns we made; safe to call twice. */
  async destroy(): Promise<void> {
    for (const child of this.children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    for (const ns of this.namespaces.splice(0).reverse()) {
      const pids = await run('ip', ['netns', 'pids', ns]);
      for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      await run('ip', ['netns', 'delete', ns]);
    }
  }

  private async addNs(pod: string): Promise<string> {
    const ns = this.ns(pod);
    await runOk('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    await runOk('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  private async build(pods: readonly PodDef[]): Promise<void> {
    const sw = await this.addNs(SWITCH);
    await runOk('ip', ['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    await runOk('ip', ['-n', sw, 'addr', 'add', `${SWITCH_V4}/24`, 'dev', 'br0']);
    await runOk('ip', ['-n', sw, 'addr', 'add', `${SWITCH_V6}/64`, 'dev', 'br0', 'nodad']);
    await runOk('ip', ['-n', sw, 'link', 'set', 'br0', 'up']);
    for (const pod of pods) {
      const ns = await this.addNs(pod.name);
      // The veth is created in the switch netns with its peer born inside the pod's netns.
      const port = `p-${pod.name}`;
      await runOk('ip', ['-n', sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await runOk('ip', ['-n', sw, 'link', 'set', port, 'master', 'br0', 'up']);
      for (const a of pod.v4) await runOk('ip', ['-n', ns, 'addr', 'add', `${a}/24`, 'dev', 'eth0']);
      for (const a of pod.v6) await runOk('ip', ['-n', ns, 'addr', 'add', `${a}/64`, 'dev', 'eth0', 'nodad']);
      await runOk('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      await this.startProbe(pod);
    }
  }

  private startProbe(pod: PodDef): Promise<void> {
    if (Object.keys(pod.listeners).length === 0) return Promise.resolve();
    const specs = Object.entries(pod.listeners).map(([name, port]) => `${name}=${port}`);
    const child = spawn('ip', ['netns', 'exec', this.ns(pod.name), this.probe, 'listen', ...specs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.push(child);
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`probe in ${pod.name} not ready in 5 s: ${out}`)), 5000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`probe in ${pod.name} exited ${code}: ${out}`));
      });
    });
  }
}
