import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { repoRoot } from './control-plane/ensure-binaries.js';
import { MESHWARD_ENTRYPOINT } from './meshward-process.js';
import { ensureNodeImages, NODE_IMAGES } from './node/local-images.js';
import { startNodeCluster } from './node/node-cluster.js';

// `npm run demo`: a real kubelet node with its control plane (in their own namespaces), meshward
// deployed on it from its own images and manifests, an injected pod that runs, and what the gate refuses.
const say = (text: string): void => void process.stdout.write(`${text}\n`);

const HELLO = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'hello', namespace: 'demo-payments', labels: { app: 'hello' } },
  spec: {
    containers: [
      {
        name: 'app',
        image: NODE_IMAGES.init, // its busybox shell: the node has no registry to pull an app image from
        imagePullPolicy: 'Never',
        command: ['/bin/busybox', 'sh', '-c', 'echo hello from an injected pod; while true; do sleep 3600; done'],
        securityContext: { runAsUser: 1000, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  },
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'no-wait': { type: 'boolean' } } });
  const root = repoRoot();
  say('meshward demo: building the images (meshward on Node 24, meshward-init, pause, the proxy stand-in) ...');
  const images = await ensureNodeImages();
  say('starting a kubelet node and its control plane (Kubernetes v1.37, containerd 2.4, runc) in their own namespaces ...');
  const node = await startNodeCluster({ images, sandboxImage: NODE_IMAGES.pause, log: (m) => say(`  ${m}`) });
  const kubectl = async (args: string[], input?: object): Promise<string> => {
    const r = await node.kubectl(args, { input, check: false, timeoutMs: 200_000 });
    return `${r.stdout}${r.stderr}`.trim();
  };
  const stop = async (): Promise<void> => {
    say('\nstopping the node ...');
    await node.stop();
    process.exit(0);
  };
  try {
    say(`\n$ kubectl apply --server-side -k scripts/node/overlay   (manifests/overlays/self-signed + the local images)`);
    say(await kubectl(['apply', '--server-side', '-k', join(root, 'scripts/node/overlay')]));
    say(await kubectl(['-n', 'meshward-system', 'rollout', 'status', 'deployment/meshward', '--timeout=180s']));
    await kubectl(['apply', '-f', join(root, 'manifests/examples/namespaces.yaml')]);
    for (const ns of ['demo-shop', 'demo-payments', 'demo-legacy']) await node.ensureNamespace(ns);
    await kubectl(['apply', '-f', '-'], HELLO);
    await kubectl(['-n', 'demo-payments', 'wait', '--for=condition=Ready', 'pod/hello', '--timeout=150s']);
    say(`\n$ kubectl get pods -A -o wide\n${await kubectl(['get', 'pods', '-A', '-o', 'wide'])}`);
    const pod = JSON.parse(await kubectl(['-n', 'demo-payments', 'get', 'pod', 'hello', '-o', 'json']));
    say('\nThe injected pod demo-payments/hello (STRICT namespace), running on the node:');
    for (const c of [...pod.status.initContainerStatuses, ...pod.status.containerStatuses]) {
      const state = Object.keys(c.state)[0];
      say(`  ${c.name.padEnd(15)} ${state}${c.state.terminated ? ` (exit ${c.state.terminated.exitCode})` : ''}, ready=${c.ready}`);
    }
    say(`\n$ kubectl -n demo-payments logs hello -c app\n${await kubectl(['-n', 'demo-payments', 'logs', 'hello', '-c', 'app'])}`);
    const proxyLog = (await kubectl(['-n', 'demo-payments', 'logs', 'hello', '-c', 'meshward-proxy'])).split('\n');
    say(`\nmeshward-proxy (the test stand-in: no Envoy binary exists here; it takes its configuration over xDS and forwards nothing):`);
    for (const line of proxyLog.filter((l) => /"msg":"(connected|ready)"/.test(l))) say(`  ${line.slice(0, 220)}`);

    say(
      `\n$ kubectl apply -f manifests/examples/violations.yaml   (STRICT namespace demo-payments)\n${await kubectl(['apply', '-f', join(root, 'manifests/examples/violations.yaml')])}`,
    );
    // status asks a replica what it injects (no MESHWARD_* settings needed here).
    // Asynchronously: this process bridges the API server's port, so it must keep serving meanwhile.
    const args = [join(root, MESHWARD_ENTRYPOINT), 'status', '--kubeconfig', node.kubeconfigPath];
    const status = await promisify(execFile)(process.execPath, args, { timeout: 60_000 }).then(
      (r) => ({ code: 0, out: `${r.stdout}${r.stderr}` }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code, out: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
    );
    say(`\n$ meshward status   (exit ${status.code}: 1 means a STRICT namespace is violated)\n${status.out}`);
    say(`KUBECONFIG=${node.kubeconfigPath}`);
    say(`Try: KUBECONFIG=${node.kubeconfigPath} ${node.binaries.kubectl} get pods -A`);
  } catch (err) {
    await node.stop();
    throw err;
  }
  if (values['no-wait']) return stop();
  say('Running until Ctrl-C.');
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
