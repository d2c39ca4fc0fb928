// Workloads and helpers for the kubelet-node e2e test (node.test.ts). The app containers use the
// meshward-init image for its busybox shell and iptables (the node pulls nothing).
import { sleep } from '../../scripts/control-plane/processes.js';
import { NODE_IMAGES } from '../../scripts/node/local-images.js';

/** JSON log lines (pino's, the stand-in's); other lines are skipped. */
export function readLogLines(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a partial line at the end of the log
    }
  }
  return out;
}

/** Polls check until it returns something other than undefined/false. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined | false>,
  intervalMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${last})` : ''}`);
    await sleep(intervalMs);
  }
}

const APP_SECURITY = { runAsUser: 0, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } };

/**
 * The app: its own ServiceAccount and Service (so the control plane has a meshed upstream with an
 * identity), NET_ADMIN only to read the pod's rules back. On start it asks the proxy's readiness port.
 */
export function appPod(namespace: string): object {
  const start = [
    "printf 'GET /healthz/ready HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 15021 | head -n1 | sed 's/^/proxy at app start: /'",
    'while true; do echo ok | nc -l -p 8080; done',
  ].join('; ');
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace } },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', namespace, labels: { app: 'web' } },
        spec: {
          serviceAccountName: 'web',
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'app',
              image: NODE_IMAGES.init,
              imagePullPolicy: 'Never',
              command: ['/bin/busybox', 'sh', '-c', start],
              ports: [{ name: 'http', containerPort: 8080 }],
              securityContext: APP_SECURITY,
            },
          ],
        },
      },
    ],
  };
}

/** A plain pod (the injector decides what it becomes). */
export function podIn(namespace: string, name: string, labels: Record<string, string>): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: NODE_IMAGES.init, imagePullPolicy: 'Never', command: ['/bin/busybox', 'sh', '-c', 'sleep 3600'] }],
    },
  };
}

/** A Job whose app exits at once: it completes only if the native sidecar ends with it. */
export function jobWithSidecar(namespace: string): object {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'once', namespace },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: 5,
          containers: [
            { name: 'app', image: NODE_IMAGES.init, imagePullPolicy: 'Never', command: ['/bin/busybox', 'sh', '-c', 'echo done'] },
          ],
        },
      },
    },
  };
}

/** What a failed wait needs to be understood: pods, warnings and the logs of every container of the namespace's pods. */
export async function describeFailure(kubectl: Kubectl, namespaces: readonly string[]): Promise<string> {
  const out: string[] = [];
  const run = async (args: string[]): Promise<void> => {
    const r = await kubectl(args, { check: false });
    out.push(`$ kubectl ${args.join(' ')}\n${r.stdout}${r.stderr}`);
  };
  await run(['get', 'pods', '-A', '-o', 'wide']);
  await run(['get', 'events', '-A', '--field-selector', 'type=Warning']);
  for (const ns of namespaces) {
    const pods = (await kubectl(['-n', ns, 'get', 'pods', '-o', 'name'], { check: false })).stdout.split('\n').filter(Boolean);
    for (const pod of pods) await run(['-n', ns, 'logs', pod, '--all-containers', '--prefix', '--tail=40']);
  }
  return out.join('\n');
}

type Kubectl = (args: readonly string[], opts?: { check?: boolean }) => Promise<{ stdout: string; stderr: string }>;
