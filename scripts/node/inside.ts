// The node's first process (PID 1 of its own PID, mount and network namespaces; started by
// node-cluster.ts through unshare): sets the namespaces up, then runs the control plane, containerd,
// kube-scheduler, the kubelet, kube-proxy and the cluster DNS stand-in there, and reports readiness by
// writing ready.json. SIGTERM stops them; when this process exits, the kernel ends every process left
// in the namespace (containers and shims included), so nothing outlives the node.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startControlPlane, type ControlPlane } from '../control-plane/control-plane.js';
import { waitUntil } from '../control-plane/client.js';
import { spawnManaged, terminate, type ManagedProcess } from '../control-plane/processes.js';
import { startClusterDns } from './cluster-dns.js';
import { setupNodeNamespaces } from './namespace-setup.js';
import {
  CLUSTER_DOMAIN,
  CONTAINERD_SOCKET,
  cniConfig,
  containerdConfig,
  kubeletConfig,
  kubeProxyConfig,
  nodePaths,
} from './node-config.js';
import type { NodeLaunch, NodeReady } from './node-launch.js';
import { bridgeSocketToTcp } from './socket-bridge.js';

const run = promisify(execFile);

async function main(configPath: string): Promise<void> {
  const launch = JSON.parse(readFileSync(configPath, 'utf8')) as NodeLaunch;
  const { layout, controlPlaneBinaries, images } = launch;
  const logDir = join(layout.dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const log = (message: string): void => void process.stdout.write(`[node] ${message}\n`);
  process.env.PATH = `${layout.binDir}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`;

  setupNodeNamespaces(layout.dir, layout.nodeIp, Number(layout.podCidr.split('/')[1]));
  const paths = nodePaths(layout.dir);
  mkdirSync(paths.cniConfDir, { recursive: true });
  writeFileSync(join(paths.cniConfDir, '10-meshward.conflist'), cniConfig(layout));
  writeFileSync(paths.containerdConfig, containerdConfig(layout));
  writeFileSync(paths.kubeletConfig, kubeletConfig(layout));

  const procs: ManagedProcess[] = [];
  const start = (name: string, binary: string, args: string[]): ManagedProcess => {
    const proc = spawnManaged(name, binary, args, join(logDir, `${name}.log`));
    procs.push(proc);
    return proc;
  };
  let cp: ControlPlane | undefined;
  const stopAll = async (): Promise<void> => {
    for (const name of ['kubelet', 'kube-proxy', 'kube-scheduler', 'containerd']) {
      const proc = procs.find((p) => p.name === name);
      if (proc) await terminate(proc, 5000);
    }
    await cp?.stop();
  };
  process.on('SIGTERM', () => void stopAll().finally(() => process.exit(0)));
  process.on('SIGINT', () => void stopAll().finally(() => process.exit(0)));

  const containerd = start('containerd', join(layout.binDir, 'containerd'), ['--config', paths.containerdConfig]);
  cp = await startControlPlane({
    dir: join(layout.dir, 'control-plane'),
    logDir,
    binaries: controlPlaneBinaries,
    apiserverAddress: layout.nodeIp,
    kubelets: true,
    // Webhook and aggregated API calls go straight to a ready endpoint, as they would with kube-proxy
    // on the API server's host; here it has no Service VIP routing of its own.
    extraApiserverArgs: ['--enable-aggregator-routing=true'],
    log,
  });
  const ctr = (...args: string[]): Promise<{ stdout: string }> =>
    run(join(layout.binDir, 'ctr'), ['--address', CONTAINERD_SOCKET, '--namespace', 'k8s.io', ...args]);
  await waitUntil('containerd', 30_000, async () => (await ctr('version'), true), [containerd]);
  for (const archive of images) await ctr('images', 'import', '--platform', 'linux/amd64', archive);
  log(`imported ${images.length} image archive(s)`);

  const kubeconfig = (user: string, groups: string[] = []): string => cp!.kubeconfigFor(user, groups);
  start('kube-scheduler', join(layout.binDir, 'kube-scheduler'), [
    `--kubeconfig=${kubeconfig('system:kube-scheduler')}`,
    '--leader-elect=false',
    '--secure-port=0',
  ]);
  const kubelet = start('kubelet', join(layout.binDir, 'kubelet'), [
    `--config=${paths.kubeletConfig}`,
    `--kubeconfig=${kubeconfig(`system:node:${layout.nodeName}`, ['system:nodes'])}`,
    `--hostname-override=${layout.nodeName}`,
    `--node-ip=${layout.nodeIp}`,
    `--root-dir=${paths.kubeletRoot}`,
  ]);
  writeFileSync(paths.kubeProxyConfig, kubeProxyConfig(layout, kubeconfig('system:kube-proxy')));
  start('kube-proxy', join(layout.binDir, 'kube-proxy'), [`--config=${paths.kubeProxyConfig}`]);

  const dns = await startClusterDns(layout.nodeIp, CLUSTER_DOMAIN, async (namespace, name) => {
    const res = await cp!.request('GET', `/api/v1/namespaces/${namespace}/services/${name}`, undefined, { timeoutMs: 2000 });
    const ip = res.status === 200 ? res.json<{ spec?: { clusterIP?: string } }>().spec?.clusterIP : undefined;
    return ip && ip !== 'None' ? ip : undefined;
  });
  const port = Number(new URL(cp.server).port);
  const bridge = await bridgeSocketToTcp(join(layout.dir, 'apiserver.sock'), layout.nodeIp, port);

  await waitUntil(
    `node ${layout.nodeName} Ready`,
    90_000,
    async () => {
      const res = await cp!.request('GET', `/api/v1/nodes/${layout.nodeName}`);
      if (res.status !== 200) return false;
      const conditions = res.json<{ status?: { conditions?: Array<{ type: string; status: string }> } }>().status?.conditions ?? [];
      return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
    },
    [kubelet, containerd],
    250,
  );
  const ready: NodeReady = { apiserverPort: port, pkiDir: join(layout.dir, 'control-plane', 'pki') };
  writeFileSync(join(layout.dir, 'ready.json'), JSON.stringify(ready));
  log(`node ${layout.nodeName} Ready`);
  process.once('exit', () => {
    void bridge.close();
    void dns.close();
  });
}

main(process.argv[2] ?? '').catch((err: unknown) => {
  process.stderr.write(`[node] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
