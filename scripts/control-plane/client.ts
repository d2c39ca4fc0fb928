// The client side of a control plane: its kubeconfig, kubectl, raw API requests and minted
// identities. Shared by the local control plane (control-plane.ts) and a control plane reached
// from outside its network namespace (scripts/node/), so tests use one interface for both.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { type Agent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { ControlPlaneBinaries } from './ensure-binaries.js';
import type { ClientCredentials, ControlPlanePki, PkiFiles } from './pki.js';
import { childEnv, sleep, trackHelper, type ManagedProcess } from './processes.js';

export interface KubectlOptions {
  /** Written to kubectl's stdin (e.g. with `-f -`). Objects/arrays are sent as JSON. */
  readonly input?: string | object;
  /** Throw KubectlError on a non-zero exit (default true). */
  readonly check?: boolean;
  /** Another kubeconfig (e.g. from kubeconfigFor()); default the admin one. */
  readonly kubeconfig?: string;
  /** Default 60 s; the process is killed when it runs over. */
  readonly timeoutMs?: number;
}

export interface KubectlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for `-o json`). */
  json<T = any>(): T;
}

export class KubectlError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: KubectlResult,
  ) {
    super(`kubectl ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
    this.name = 'KubectlError';
  }
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
  json<T = any>(): T;
}

export interface ApiRequestOptions {
  /** Default application/json (use application/merge-patch+json etc. for PATCH). */
  readonly contentType?: string;
  /** Act as another identity instead of the admin. */
  readonly credentials?: ClientCredentials;
  readonly timeoutMs?: number;
}

export function writeKubeconfig(path: string, server: string, caPem: string, creds: ClientCredentials): void {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'meshward-e2e', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name: creds.user, user: { 'client-certificate-data': b64(creds.certPem), 'client-key-data': b64(creds.keyPem) } }],
    contexts: [{ name: 'meshward-e2e', context: { cluster: 'meshward-e2e', user: creds.user } }],
    'current-context': 'meshward-e2e',
    preferences: {},
  };
  writeFileSync(path, toYaml(config), { mode: 0o600 });
}

export function apiCall(
  server: string,
  caPem: string,
  creds: ClientCredentials,
  method: string,
  path: string,
  body: string | object | undefined,
  opts: ApiRequestOptions,
  agent: Agent,
): Promise<ApiResponse> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolveCall, reject) => {
    const req = httpsRequest(
      new URL(path, server),
      {
        method,
        ca: caPem,
        cert: creds.certPem,
        key: creds.keyPem,
        agent,
        timeout: timeoutMs,
        headers: {
          accept: 'application/json',
          ...(payload !== undefined
            ? { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolveCall({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function runKubectl(
  binary: string,
  kubeconfig: string,
  cacheDir: string,
  args: readonly string[],
  opts: KubectlOptions,
): Promise<KubectlResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolveRun, reject) => {
    // KUBECACHEDIR keeps kubectl's discovery cache out of ~/.kube (and fresh per control plane).
    const env = childEnv({ KUBECONFIG: kubeconfig, KUBECACHEDIR: cacheDir });
    const child = spawn(binary, [...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
    trackHelper(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (stdout += c));
    child.stderr.on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n(kubectl killed after ${timeoutMs} ms)`;
      const result: KubectlResult = { code, stdout, stderr, json: () => JSON.parse(stdout) };
      if (opts.check !== false && code !== 0) reject(new KubectlError(args, result));
      else resolveRun(result);
    });
    child.stdin.on('error', () => undefined); // kubectl may exit before reading stdin
    const input = opts.input;
    child.stdin.end(input === undefined ? undefined : typeof input === 'string' ? input : JSON.stringify(input));
  });
}

/** Polls `check` (every intervalMs) until it returns true; fails fast when a process died. */
export async function waitUntil(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  watched: readonly ManagedProcess[],
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    const dead = watched.find((p) => p.exit);
    if (dead) throw new Error(`${dead.name} exited (code ${dead.exit!.code}, signal ${dead.exit!.signal}) while waiting for ${what}`);
    try {
      if (await check()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
    await sleep(intervalMs);
  }
}

export interface ControlPlaneClient {
  /** kube-apiserver URL as this process reaches it, https://127.0.0.1:<port>. */
  readonly server: string;
  /** Admin kubeconfig (client certificate in system:masters). */
  readonly kubeconfigPath: string;
  /** The cluster CA that signed the apiserver's serving certificate. */
  readonly caPem: string;
  readonly dir: string;
  readonly pki: ControlPlanePki;
  readonly pkiFiles: PkiFiles;
  readonly binaries: ControlPlaneBinaries;
  readonly admin: ClientCredentials;
  /** Runs the built kubectl with KUBECONFIG set to the admin kubeconfig (or opts.kubeconfig). */
  kubectl(args: readonly string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** A raw API request as the admin (or opts.credentials); body objects are sent as JSON. */
  request(method: string, path: string, body?: string | object, opts?: ApiRequestOptions): Promise<ApiResponse>;
  /** A client certificate signed by the client CA: CN = user, O = groups. */
  mintClientCert(user: string, groups?: readonly string[]): ClientCredentials;
  /** Writes a kubeconfig for a minted client certificate; returns its path. */
  kubeconfigFor(user: string, groups?: readonly string[]): string;
  /** Creates (or relabels) a namespace and waits until its `default` ServiceAccount exists. */
  ensureNamespace(name: string, labels?: Record<string, string>): Promise<void>;
}

export interface ClientContext {
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly dir: string;
  readonly pki: ControlPlanePki;
  readonly pkiFiles: PkiFiles;
  readonly binaries: ControlPlaneBinaries;
  readonly admin: ClientCredentials;
  readonly agent: Agent;
  /** Whether kube-controller-manager runs (creates each namespace's default ServiceAccount). */
  readonly waitsForServiceAccounts: boolean;
  /** Processes whose death ends a wait early. */
  readonly watched: readonly ManagedProcess[];
}

export function controlPlaneClient(ctx: ClientContext): ControlPlaneClient {
  const { server, kubeconfigPath, dir, pki, pkiFiles, binaries, admin, agent, waitsForServiceAccounts, watched } = ctx;
  const request = (method: string, path: string, body?: string | object, opts: ApiRequestOptions = {}): Promise<ApiResponse> =>
    apiCall(server, pki.clusterCa.certPem, opts.credentials ?? admin, method, path, body, opts, agent);

  let kubeconfigCount = 0;
  return {
    server,
    kubeconfigPath,
    caPem: pki.clusterCa.certPem,
    dir,
    pki,
    pkiFiles,
    binaries,
    admin,
    kubectl: (args, opts = {}) => runKubectl(binaries.kubectl, opts.kubeconfig ?? kubeconfigPath, join(dir, 'kube-cache'), args, opts),
    request,
    mintClientCert: (user, groups) => pki.mintClientCert(user, groups),
    kubeconfigFor(user, groups = []) {
      const path = join(dir, `user-${++kubeconfigCount}-${user.replace(/[^A-Za-z0-9_.-]/g, '_')}.kubeconfig`);
      writeKubeconfig(path, server, pki.clusterCa.certPem, pki.mintClientCert(user, groups));
      return path;
    },
    async ensureNamespace(name, labels = {}) {
      const existing = await request('GET', `/api/v1/namespaces/${name}`);
      if (existing.status === 200 && existing.json<{ status?: { phase?: string } }>().status?.phase === 'Terminating') {
        // A namespace being deleted refuses new pods: wait for the namespace controller, then recreate.
        await waitUntil(
          `namespace ${name} to finish terminating`,
          90_000,
          async () => (await request('GET', `/api/v1/namespaces/${name}`)).status === 404,
          watched,
          250,
        );
      }
      const created = await request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
      if (created.status === 409) {
        const patched = await request(
          'PATCH',
          `/api/v1/namespaces/${name}`,
          { metadata: { labels } },
          { contentType: 'application/merge-patch+json' },
        );
        if (patched.status !== 200) throw new Error(`relabel namespace ${name}: HTTP ${patched.status} ${patched.body}`);
      } else if (created.status !== 201) {
        throw new Error(`create namespace ${name}: HTTP ${created.status} ${created.body}`);
      }
      if (!waitsForServiceAccounts) return; // no serviceaccount controller to wait for
      await waitUntil(
        `ServiceAccount ${name}/default`,
        60_000,
        async () => (await request('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`)).status === 200,
        watched,
        100,
      );
    },
  };
}
