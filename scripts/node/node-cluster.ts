// A real Kubernetes node for e2e tests and the demo: the control plane of ../control-plane plus
// kube-scheduler, a kubelet, containerd + runc, the CNI bridge and kube-proxy, all in the node's own
// PID, mount and network namespaces (inside.ts), so nothing they do reaches the host. Tests talk to
// it exactly as to the local control plane (ControlPlaneClient), through a loopback port bridged into
// the namespace. Pods run images imported from local OCI archives (imagePullPolicy Never/IfNotPresent).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { controlPlaneClient, writeKubeconfig, type ControlPlaneClient } from '../control-plane/client.js';
import { ensureControlPlaneBinaries, repoRoot } from '../control-plane/ensure-binaries.js';
import { loadControlPlanePki, pkiFilePaths } from '../control-plane/pki.js';
import { keepRequested, registerTempDir, sleep, spawnManaged, tailFile, terminate, unregisterTempDir } from '../control-plane/processes.js';
import { createNodeCgroups, ownerGone, reapNodeCgroups, removeNodeCgroups } from './cgroups.js';
import { ensureNodeBinaries } from './ensure-node-binaries.js';
import { CONTAINERD_SOCKET, type NodeLayout } from './node-config.js';
import type { NodeLaunch, NodeReady } from './node-launch.js';
import { bridgeTcpToSocket } from './socket-bridge.js';

const run = promisify(execFile);

export const NODE_NAME = 'meshward-node';
export const NODE_IP = '10.88.0.1';
const POD_CIDR = '10.88.0.0/16';
const DIR_PREFIX = 'meshward-node-';

export interface StartNodeClusterOptions {
  /** OCI image archives to import before the kubelet starts; the sandbox image must be among them. */
  readonly images: readonly string[];
  /** The sandbox (pause) image's name, as imported. */
  readonly sandboxImage: string;
  readonly log?: (message: string) => void;
  /** Time for the whole node to come up. Default 180 s. */
  readonly startTimeoutMs?: number;
}

export interface NodeCluster extends ControlPlaneClient {
  readonly nodeName: string;
  readonly nodeIp: string;
  readonly logDir: string;
  /** Imports more OCI archives into the node's containerd. */
  importImages(archives: readonly string[]): Promise<void>;
  /** Runs a command in the node's mount and network namespaces (e.g. iptables-save of the node). */
  inNode(command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }>;
  /** Stops the node and its control plane; every process of the node ends, its cgroups and directory are removed. */
  stop(): Promise<{ ms: number }>;
}

export class NodeClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeClusterError';
  }
}

/** Root, util-linux and iproute2: a clear error naming what is missing. */
function checkPrerequisites(): void {
  if (process.getuid?.() !== 0) throw new NodeClusterError('a kubelet node needs root (mount, network and PID namespaces, cgroups)');
  const missing = ['unshare', 'nsenter', 'setpriv', 'mount', 'ip', 'iptables'].filter(
    (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length > 0)
    throw new NodeClusterError(`a kubelet node needs ${missing.join(', ')} on PATH (Debian: apt-get install util-linux iproute2 iptables)`);
}

/** The host pid of the node's first process: unshare's only child. */
function innerPid(unsharePid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(/\s+/);
    return children[0] ? Number(children[0]) : undefined;
  } catch {
    return undefined;
  }
}

function reapNodeDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    const match = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(name);
    if (match && ownerGone(Number(match[1]))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

export async function startNodeCluster(options: StartNodeClusterOptions): Promise<NodeCluster> {
  const t0 = Date.now();
  const log = options.log ?? ((): void => undefined);
  checkPrerequisites();
  await reapNodeCgroups();
  reapNodeDirs();
  const [controlPlaneBinaries, binDir] = await Promise.all([ensureControlPlaneBinaries(), ensureNodeBinaries()]);
  for (const archive of options.images) if (!existsSync(archive)) throw new NodeClusterError(`image archive not found: ${archive}`);

  const dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  registerTempDir(dir);
  const logDir = join(dir, 'logs');
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const cgroupRoot = createNodeCgroups(dir.slice(dir.lastIndexOf('-') + 1));
  const layout: NodeLayout = {
    dir,
    binDir,
    nodeName: NODE_NAME,
    nodeIp: NODE_IP,
    podCidr: POD_CIDR,
    cgroupRoot,
    clientCaFile: pkiFilePaths(join(dir, 'control-plane', 'pki')).clientCaCert,
    sandboxImage: options.sandboxImage,
  };
  const launch: NodeLaunch = { layout, controlPlaneBinaries, images: options.images };
  writeFileSync(join(dir, 'launch.json'), JSON.stringify(launch, null, 2));

  const insideJs = join(repoRoot(), 'dist', 'scripts', 'node', 'inside.js');
  if (!existsSync(insideJs)) throw new NodeClusterError(`${insideJs} is missing: run \`npx tsc -p tsconfig.json\` first`);
  const unshareArgs = ['--mount', '--net', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private', '--'];
  // Its own TMPDIR: the control plane inside keeps its pid registry apart from the host's.
  const node = spawnManaged(
    'node',
    'unshare',
    [...unshareArgs, process.execPath, insideJs, join(dir, 'launch.json')],
    join(logDir, 'node.log'),
    {
      TMPDIR: join(dir, 'tmp'),
    },
  );

  let bridge: Awaited<ReturnType<typeof bridgeTcpToSocket>> | undefined;
  let stopping: Promise<{ ms: number }> | undefined;
  const stopAll = async (): Promise<{ ms: number }> => {
    const t = Date.now();
    await bridge?.close();
    const pid = innerPid(node.pid);
    if (pid && !node.exit) process.kill(pid, 'SIGTERM');
    // The node stops its components (≤ 5 s each), then exits: the kernel ends everything else in it.
    if (!node.exit) await Promise.race([node.exited, sleep(30_000)]);
    await terminate(node, 1000);
    await removeNodeCgroups(cgroupRoot);
    unregisterTempDir(dir);
    if (!keepRequested()) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    else log(`kept ${dir} (MESHWARD_KEEP_CONTROL_PLANE)`);
    return { ms: Date.now() - t };
  };

  const readyFile = join(dir, 'ready.json');
  const deadline = Date.now() + (options.startTimeoutMs ?? 180_000);
  while (!existsSync(readyFile)) {
    if (node.exit || Date.now() > deadline) {
      const logs = readdirSync(logDir)
        .map((f) => `----- ${f} -----\n${tailFile(join(logDir, f), 25)}`)
        .join('\n');
      await stopAll();
      throw new NodeClusterError(`the node did not become Ready (${node.exit ? `exited with ${node.exit.code}` : 'timed out'}):\n${logs}`);
    }
    await sleep(250);
  }
  const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as NodeReady;
  bridge = await bridgeTcpToSocket(join(dir, 'apiserver.sock'));
  const server = `https://127.0.0.1:${bridge.port}`;
  const pkiFiles = pkiFilePaths(ready.pkiDir);
  const pki = loadControlPlanePki(pkiFiles);
  const admin = pki.mintClientCert('meshward-e2e-admin', ['system:masters']);
  const kubeconfigPath = join(dir, 'admin.kubeconfig');
  writeKubeconfig(kubeconfigPath, server, pki.clusterCa.certPem, admin);
  const client = controlPlaneClient({
    server,
    kubeconfigPath,
    dir,
    pki,
    pkiFiles,
    binaries: controlPlaneBinaries,
    admin,
    agent: new Agent({ keepAlive: false }),
    waitsForServiceAccounts: true,
    watched: [node],
  });
  log(`node ${NODE_NAME} Ready in ${Date.now() - t0} ms (dir ${dir})`);

  const inNode = async (command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> => {
    const pid = innerPid(node.pid);
    if (!pid) throw new NodeClusterError('the node is not running');
    return run('nsenter', ['--target', String(pid), '--mount', '--net', '--', command, ...args], { maxBuffer: 16 << 20 });
  };
  return {
    ...client,
    nodeName: NODE_NAME,
    nodeIp: NODE_IP,
    logDir,
    inNode,
    async importImages(archives) {
      for (const archive of archives)
        await inNode(join(binDir, 'ctr'), [
          '--address',
          CONTAINERD_SOCKET,
          '--namespace',
          'k8s.io',
          'images',
          'import',
          '--platform',
          'linux/amd64',
          archive,
        ]);
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}
