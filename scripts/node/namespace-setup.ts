// Runs inside the node's own mount, network and PID namespaces, before anything else starts there:
// the pod bridge, a private /run, copy-on-write /var and /opt (the kubelet, containerd and libcni
// write to fixed host paths), and the host-wide sysctls the kubelet insists on, answered by files
// bind-mounted over them so the host's values never change.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the kubelet would otherwise write to the host (these sysctls are not namespaced). */
const HOST_SYSCTLS: ReadonlyArray<readonly [string, string]> = [
  ['vm/overcommit_memory', '1'],
  ['kernel/panic', '10'],
  ['kernel/panic_on_oops', '1'],
];

/** Namespaced: forwarding between pods and the node; Service NAT for traffic across the bridge. */
const NODE_SYSCTLS: ReadonlyArray<readonly [string, string]> = [
  ['net/ipv4/ip_forward', '1'],
  ['net/bridge/bridge-nf-call-iptables', '1'],
];

function run(cmd: string, args: readonly string[]): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    throw new Error(`node setup: ${cmd} ${args.join(' ')} failed: ${stderr || (err as Error).message}`);
  }
}

export function setupNodeNamespaces(dir: string, nodeIp: string, prefixLength: number): void {
  run('ip', ['link', 'set', 'lo', 'up']);
  run('ip', ['link', 'add', 'cni0', 'type', 'bridge']);
  run('ip', ['addr', 'add', `${nodeIp}/${prefixLength}`, 'dev', 'cni0']);
  run('ip', ['link', 'set', 'cni0', 'up']);

  run('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'tmpfs', '/run']);
  for (const target of ['/var', '/opt']) {
    const base = join(dir, 'overlay', target.slice(1));
    mkdirSync(join(base, 'upper'), { recursive: true });
    mkdirSync(join(base, 'work'), { recursive: true });
    run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${target},upperdir=${base}/upper,workdir=${base}/work`, target]);
  }

  const sysctlDir = join(dir, 'sysctl');
  mkdirSync(sysctlDir, { recursive: true });
  for (const [name, value] of HOST_SYSCTLS) {
    const file = join(sysctlDir, name.replace(/\//g, '.'));
    writeFileSync(file, `${value}\n`);
    run('mount', ['--bind', file, `/proc/sys/${name}`]);
  }
  for (const [name, value] of NODE_SYSCTLS) {
    if (existsSync(`/proc/sys/${name}`)) writeFileSync(`/proc/sys/${name}`, value);
  }
}
