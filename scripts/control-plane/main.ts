#!/usr/bin/env node
// node dist/scripts/control-plane/main.js up [--dir DIR] [--log-dir DIR] [--keep]
// Starts a local Kubernetes 1.37 control plane (etcd, kube-apiserver, kube-controller-manager),
// prints how to reach it, and stops it cleanly on Ctrl-C / SIGTERM / SIGHUP.
import { parseArgs } from 'node:util';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { runIfEntryPoint } from '../cli-entry.js';

const USAGE = `usage: main.js up [--dir DIR] [--log-dir DIR] [--keep]

  up          start etcd, kube-apiserver and kube-controller-manager on 127.0.0.1 and wait for Ctrl-C
  --dir       working directory (PKI, etcd data, kubeconfig); default a temp dir removed on exit
  --log-dir   where etcd.log, kube-apiserver.log, kube-controller-manager.log go (default <dir>/logs)
  --keep      keep the temp dir after exit (same as MESHWARD_KEEP_CONTROL_PLANE=1)
`;

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        'log-dir': { type: 'string' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'up') {
    process.stderr.write(`expected exactly one command, "up"\n${USAGE}`);
    return 2;
  }
  if (values.keep) process.env.MESHWARD_KEEP_CONTROL_PLANE = '1';

  const log = (m: string): void => void process.stderr.write(`[control-plane] ${m}\n`);
  let cp: ControlPlane | undefined;
  let stopping = false;
  let keepAlive: NodeJS.Timeout | undefined;
  const done = new Promise<number>((resolveDone) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log(`${signal} again: killing now`);
        process.exit(130); // the exit hook SIGKILLs the children
      }
      stopping = true;
      log(`${signal}: stopping`);
      if (keepAlive) clearInterval(keepAlive);
      if (!cp) return; // still starting: the start path below notices `stopping`
      cp.stop().then(
        (r) => {
          log(`stopped in ${r.ms} ms`);
          resolveDone(0);
        },
        (err: unknown) => {
          log(`stop failed: ${(err as Error).message}`);
          resolveDone(1);
        },
      );
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  });

  try {
    cp = await startControlPlane({ dir: values.dir, logDir: values['log-dir'], log });
  } catch (err) {
    log((err as Error).message);
    return 1;
  }
  if (stopping) {
    await cp.stop();
    return 0;
  }
  keepAlive = setInterval(() => undefined, 1 << 30); // signal handlers alone do not keep Node running
  const out = [
    `control plane up in ${(cp.timings.totalMs / 1000).toFixed(1)} s (Kubernetes v1.37, etcd ${cp.etcdUrl})`,
    `  server:     ${cp.server}`,
    `  kubeconfig: ${cp.kubeconfigPath}`,
    `  logs:       ${cp.logDir}`,
    `  pids:       ${Object.entries(cp.pids)
      .map(([n, p]) => `${n}=${p}`)
      .join(' ')}`,
    `# kubectl built for this cluster: export PATH=${cp.binaries.binDir}:$PATH`,
    `export KUBECONFIG=${cp.kubeconfigPath}`,
    'Press Ctrl-C to stop.',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return done;
}

runIfEntryPoint(import.meta.url, main);
