// A real, local Kubernetes control plane for e2e tests and the demo: etcd, kube-apiserver and
// kube-controller-manager (v1.37, built from Go modules), on 127.0.0.1 (or a node bridge's address), x509 client auth,
// Node+RBAC authorization, NodeRestriction on top of the default admission plugins.
// No scheduler and no kubelet: pods stay Pending, which is all admission tests need.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { apiCall, controlPlaneClient, waitUntil, writeKubeconfig, type ControlPlaneClient } from './client.js';
import { ensureControlPlaneBinaries, type ControlPlaneBinaries } from './ensure-binaries.js';
import { generateControlPlanePki, writePkiFiles } from './pki.js';
import {
  keepRequested,
  PidFile,
  reapOrphans,
  registerTempDir,
  spawnManaged,
  tailFile,
  terminate,
  unregisterTempDir,
  TEMP_PREFIX,
  type ManagedProcess,
} from './processes.js';

export interface StartControlPlaneOptions {
  /** Working directory (PKI, etcd data, kubeconfigs). Default: a fresh temp dir, removed on stop. */
  readonly dir?: string;
  /** Where each process's log goes (<name>.log). Default: <dir>/logs. */
  readonly logDir?: string;
  /** Prebuilt binaries (default: ensureControlPlaneBinaries()). */
  readonly binaries?: ControlPlaneBinaries;
  /** Time allowed for each component to become healthy. Default 60 s (90 s for the controllers). */
  readonly healthTimeoutMs?: number;
  /** Start kube-controller-manager (default true). Without it no ServiceAccounts are created. */
  readonly controllerManager?: boolean;
  /**
   * The address kube-apiserver binds and advertises (default 127.0.0.1). A non-loopback one (a node's
   * bridge, inside its own network namespace) also gets the `kubernetes` Service its endpoints.
   */
  readonly apiserverAddress?: string;
  /** Kubelets will join: kube-apiserver gets a client certificate for them (logs, exec) and dials their InternalIP. */
  readonly kubelets?: boolean;
  /** Extra kube-apiserver flags (e.g. ['--feature-gates=...']). */
  readonly extraApiserverArgs?: readonly string[];
  /** Progress messages (default: none). */
  readonly log?: (message: string) => void;
  /** On a failed start, print the tail of each log to stderr (default true). */
  readonly printLogsOnFailure?: boolean;
}

export interface ControlPlaneTimings {
  readonly pkiMs: number;
  readonly etcdMs: number;
  readonly apiserverMs: number;
  readonly controllerManagerMs: number;
  readonly totalMs: number;
}

export interface StopResult {
  readonly ms: number;
  /** Per process: exited on SIGTERM, had to be SIGKILLed, or was already gone. */
  readonly outcomes: Record<string, 'exited' | 'killed' | 'already'>;
}

export interface ControlPlane extends ControlPlaneClient {
  readonly etcdUrl: string;
  readonly logDir: string;
  /** Pids of the running components (for leak checks). */
  readonly pids: Readonly<Record<string, number>>;
  readonly timings: ControlPlaneTimings;
  /** Stops everything (SIGTERM, SIGKILL after 5 s), removes the temp dir unless MESHWARD_KEEP_CONTROL_PLANE. Idempotent. */
  stop(): Promise<StopResult>;
  readonly stopped: boolean;
}

export class ControlPlaneStartError extends Error {
  /** Tail of each component's log (not enumerable, so printing the error stays short). */
  declare readonly logs: Record<string, string>;
  /** The working directory that was used (removed again unless kept). */
  readonly dir: string;
  constructor(message: string, logs: Record<string, string>, dir: string) {
    super(message);
    this.dir = dir;
    this.name = 'ControlPlaneStartError';
    Object.defineProperty(this, 'logs', { value: logs, enumerable: false });
  }
}

/** A free TCP port on 127.0.0.1 (the kernel's choice; a rare race is handled by retrying the start). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

function plainGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = httpRequest(url, { method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export type { ApiRequestOptions, ApiResponse, ControlPlaneClient, KubectlOptions, KubectlResult } from './client.js';
export { KubectlError } from './client.js';

const PORT_IN_USE = /address already in use|bind: address/i;

/**
 * Starts etcd, kube-apiserver and kube-controller-manager and waits until they are healthy and
 * the `default` ServiceAccount exists. On failure everything started is stopped, the tail of each
 * log is printed to stderr, and a ControlPlaneStartError is thrown.
 */
export async function startControlPlane(options: StartControlPlaneOptions = {}): Promise<ControlPlane> {
  const t0 = Date.now();
  const log = options.log ?? ((): void => undefined);
  const healthTimeoutMs = options.healthTimeoutMs ?? 60_000;
  const address = options.apiserverAddress ?? '127.0.0.1';
  const loopback = address.startsWith('127.');
  reapOrphans(log);
  const binaries = options.binaries ?? (await ensureControlPlaneBinaries());

  const ownDir = options.dir === undefined;
  const dir = ownDir ? mkdtempSync(join(tmpdir(), TEMP_PREFIX)) : resolve(options.dir!);
  mkdirSync(dir, { recursive: true });
  if (ownDir) registerTempDir(dir);
  const logDir = resolve(options.logDir ?? join(dir, 'logs'));
  mkdirSync(logDir, { recursive: true });
  const pidFile = new PidFile(dir, ownDir);

  // Keys are generated on the thread pool while etcd (which needs none) starts.
  const pkiReady = (async () => {
    const tStart = Date.now();
    const pki = await generateControlPlanePki(new Date(), loopback ? [] : [address]);
    const pkiFiles = writePkiFiles(pki, join(dir, 'pki'));
    const [admin, kcmCreds, kubeletClient] = await Promise.all([
      pki.mintClientCertAsync('meshward-e2e-admin', ['system:masters']),
      pki.mintClientCertAsync('system:kube-controller-manager'),
      options.kubelets ? pki.mintClientCertAsync('kube-apiserver-kubelet-client', ['system:masters']) : undefined,
    ]);
    const kubeletClientFiles = kubeletClient && {
      cert: join(dir, 'pki', 'kubelet-client.crt'),
      key: join(dir, 'pki', 'kubelet-client.key'),
    };
    if (kubeletClient && kubeletClientFiles) {
      writeFileSync(kubeletClientFiles.cert, kubeletClient.certPem);
      writeFileSync(kubeletClientFiles.key, kubeletClient.keyPem, { mode: 0o600 });
    }
    return { pki, pkiFiles, admin, kcmCreds, kubeletClientFiles, ms: Date.now() - tStart };
  })();
  pkiReady.catch(() => undefined); // awaited below; avoid an unhandled rejection while etcd starts
  const tEtcdStart = Date.now();

  const procs: ManagedProcess[] = [];
  const pids: Record<string, number> = {};
  const agent = new Agent({ keepAlive: false });
  let stopping: Promise<StopResult> | undefined;
  let stopped = false;

  const launch = (name: string, binary: string, args: string[]): ManagedProcess => {
    const proc = spawnManaged(name, binary, args, join(logDir, `${name}.log`));
    procs.push(proc);
    pids[name] = proc.pid;
    pidFile.add(proc.pid);
    return proc;
  };

  const stopAll = async (): Promise<StopResult> => {
    const t = Date.now();
    const outcomes: Record<string, 'exited' | 'killed' | 'already'> = {};
    // Dependents first: the controllers and the apiserver talk to etcd, not the other way round.
    const order = ['kube-controller-manager', 'kube-apiserver', 'etcd'];
    const sorted = [...procs].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    const front = sorted.filter((p) => p.name !== 'etcd');
    await Promise.all(front.map(async (p) => (outcomes[`${p.name}#${p.pid}`] = await terminate(p, 5000))));
    for (const p of sorted.filter((q) => q.name === 'etcd')) outcomes[`${p.name}#${p.pid}`] = await terminate(p, 5000);
    agent.destroy();
    pidFile.remove();
    if (ownDir) {
      unregisterTempDir(dir);
      if (!keepRequested()) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      else log(`kept ${dir} (MESHWARD_KEEP_CONTROL_PLANE)`);
    }
    stopped = true;
    return { ms: Date.now() - t, outcomes };
  };

  const fail = async (stage: string, err: unknown): Promise<never> => {
    const logs: Record<string, string> = {};
    for (const p of procs) logs[p.name] = tailFile(p.logFile, 40);
    const report = Object.entries(logs)
      .map(([name, tail]) => `----- ${name} (${join(logDir, `${name}.log`)}) -----\n${tail}`)
      .join('\n');
    if (options.printLogsOnFailure !== false)
      process.stderr.write(`[control-plane] start failed at ${stage}: ${(err as Error).message}\n${report}\n`);
    await pkiReady.catch(() => undefined); // it writes into dir: let it finish before dir goes
    await stopAll();
    throw new ControlPlaneStartError(`control plane failed to start (${stage}): ${(err as Error).message}`, logs, dir);
  };

  try {
    // etcd ---------------------------------------------------------------------------------------
    let etcdUrl = '';
    let tEtcd = Date.now();
    for (let attempt = 1; ; attempt++) {
      const [clientPort, peerPort] = [await freePort(), await freePort()];
      etcdUrl = `http://127.0.0.1:${clientPort}`;
      const peerUrl = `http://127.0.0.1:${peerPort}`;
      const dataDir = join(dir, 'etcd');
      rmSync(dataDir, { recursive: true, force: true });
      const etcd = launch('etcd', binaries.etcd, [
        '--name=meshward-e2e',
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=meshward-e2e=${peerUrl}`,
        '--unsafe-no-fsync=true',
      ]);
      try {
        await waitUntil(
          'etcd /health',
          healthTimeoutMs,
          async () => {
            const r = await plainGet(`${etcdUrl}/health`, 2000);
            return r.status === 200 && /"health":\s*"true"/.test(r.body);
          },
          [etcd],
          100,
        );
        tEtcd = Date.now();
        log(`etcd healthy at ${etcdUrl} (pid ${etcd.pid}, ${tEtcd - tEtcdStart} ms)`);
        break;
      } catch (err) {
        if (attempt < 3 && etcd.exit && PORT_IN_USE.test(tailFile(etcd.logFile, 20))) {
          log('etcd: port taken, retrying with new ports');
          procs.splice(procs.indexOf(etcd), 1);
          continue;
        }
        await fail('etcd', err);
      }
    }

    let pkiResult: Awaited<typeof pkiReady>;
    try {
      pkiResult = await pkiReady;
    } catch (err) {
      return fail('pki', err);
    }
    const { pki, pkiFiles, admin, kcmCreds, kubeletClientFiles } = pkiResult;
    const tApiserverStart = Date.now();

    // kube-apiserver -------------------------------------------------------------------------------
    let server = '';
    let tApiserver = Date.now();
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      server = `https://${address}:${port}`;
      const apiserver = launch('kube-apiserver', binaries.kubeApiserver, [
        `--etcd-servers=${etcdUrl}`,
        `--secure-port=${port}`,
        `--bind-address=${address}`,
        `--advertise-address=${address}`,
        // 1.37 refuses a loopback advertise address for the endpoint reconciler ("may not be in the
        // loopback range"); with no reconciler the `kubernetes` Service simply has no endpoints,
        // which nothing on loopback needs, and no host interface address is required either.
        ...(loopback ? ['--endpoint-reconciler-type=none'] : []),
        // The node's name does not resolve here: logs and exec dial the kubelet's InternalIP.
        ...(kubeletClientFiles
          ? [
              `--kubelet-client-certificate=${kubeletClientFiles.cert}`,
              `--kubelet-client-key=${kubeletClientFiles.key}`,
              '--kubelet-preferred-address-types=InternalIP',
            ]
          : []),
        `--tls-cert-file=${pkiFiles.apiserverCert}`,
        `--tls-private-key-file=${pkiFiles.apiserverKey}`,
        `--client-ca-file=${pkiFiles.clientCaCert}`,
        '--authorization-mode=Node,RBAC',
        '--enable-admission-plugins=NodeRestriction',
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${pkiFiles.serviceAccountPublicKey}`,
        `--service-account-signing-key-file=${pkiFiles.serviceAccountPrivateKey}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        ...(options.extraApiserverArgs ?? []),
      ]);
      const get = (path: string) => apiCall(server, pki.clusterCa.certPem, admin, 'GET', path, undefined, { timeoutMs: 5000 }, agent);
      try {
        await waitUntil('kube-apiserver /livez', healthTimeoutMs, async () => (await get('/livez')).status === 200, [apiserver]);
        await waitUntil('kube-apiserver /readyz', healthTimeoutMs, async () => (await get('/readyz')).status === 200, [apiserver]);
        tApiserver = Date.now();
        log(`kube-apiserver ready at ${server} (pid ${apiserver.pid}, ${tApiserver - tApiserverStart} ms)`);
        break;
      } catch (err) {
        if (attempt < 3 && apiserver.exit && PORT_IN_USE.test(tailFile(apiserver.logFile, 20))) {
          log('kube-apiserver: port taken, retrying with a new port');
          procs.splice(procs.indexOf(apiserver), 1);
          continue;
        }
        await fail('kube-apiserver', err);
      }
    }

    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    writeKubeconfig(kubeconfigPath, server, pki.clusterCa.certPem, admin);

    // kube-controller-manager ----------------------------------------------------------------------
    let tKcm = tApiserver;
    if (options.controllerManager !== false) {
      const kcmKubeconfig = join(dir, 'kube-controller-manager.kubeconfig');
      writeKubeconfig(kcmKubeconfig, server, pki.clusterCa.certPem, kcmCreds);
      const kcm = launch('kube-controller-manager', binaries.kubeControllerManager, [
        `--kubeconfig=${kcmKubeconfig}`,
        `--authentication-kubeconfig=${kcmKubeconfig}`,
        `--authorization-kubeconfig=${kcmKubeconfig}`,
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pkiFiles.serviceAccountPrivateKey}`,
        `--root-ca-file=${pkiFiles.clusterCaCert}`,
        `--cluster-signing-cert-file=${pkiFiles.clientCaCert}`,
        `--cluster-signing-key-file=${pkiFiles.clientCaKey}`,
        '--leader-elect=false',
        '--secure-port=0',
        '--controllers=*',
      ]);
      try {
        await waitUntil(
          'the default ServiceAccount in namespace default (kube-controller-manager)',
          options.healthTimeoutMs ?? 90_000,
          async () =>
            (
              await apiCall(
                server,
                pki.clusterCa.certPem,
                admin,
                'GET',
                '/api/v1/namespaces/default/serviceaccounts/default',
                undefined,
                { timeoutMs: 5000 },
                agent,
              )
            ).status === 200,
          [kcm],
          250,
        );
        tKcm = Date.now();
        log(`kube-controller-manager running (pid ${kcm.pid}, ${tKcm - tApiserver} ms)`);
      } catch (err) {
        await fail('kube-controller-manager', err);
      }
    }

    const timings: ControlPlaneTimings = {
      pkiMs: pkiResult.ms,
      etcdMs: tEtcd - tEtcdStart,
      apiserverMs: tApiserver - tApiserverStart,
      controllerManagerMs: tKcm - tApiserver,
      totalMs: Date.now() - t0,
    };

    const client = controlPlaneClient({
      server,
      kubeconfigPath,
      dir,
      pki,
      pkiFiles,
      binaries,
      admin,
      agent,
      waitsForServiceAccounts: options.controllerManager !== false,
      watched: procs,
    });
    const cp: ControlPlane = {
      ...client,
      etcdUrl,
      logDir,
      pids,
      timings,
      get stopped() {
        return stopped;
      },
      stop() {
        stopping ??= stopAll();
        return stopping;
      },
    };
    log(`control plane up in ${timings.totalMs} ms (dir ${dir})`);
    return cp;
  } catch (err) {
    if (err instanceof ControlPlaneStartError) throw err;
    return fail('startup', err); // anything unexpected: still stop what was started
  }
}
