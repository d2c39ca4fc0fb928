import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { readManifestPaths } from '../webhook/kube/manifests.js';
import { freePort, startControlPlane } from './control-plane/control-plane.js';
import { repoRoot } from './control-plane/ensure-binaries.js';
import { installMeshwardCrds, registerMeshwardWebhooks } from './control-plane/register-webhooks.js';
import { MESHWARD_ENTRYPOINT, startMeshwardProcess } from './meshward-process.js';
import { spawnSync } from 'node:child_process';

// `npm run demo`: a real control plane (or --kubeconfig), meshward, the examples, and what happened.
const say = (text: string): void => void process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { kubeconfig: { type: 'string' }, 'no-wait': { type: 'boolean' } } });
  const root = repoRoot();
  say('meshward demo: starting a local control plane (kube-apiserver, etcd, kube-controller-manager v1.37)...');
  const cp = values.kubeconfig ? undefined : await startControlPlane();
  const kubeconfig = values.kubeconfig ?? cp!.kubeconfigPath;
  const kubectl = async (args: string[], input?: string): Promise<{ code: number; out: string }> => {
    if (!cp) throw new Error('--kubeconfig mode: run kubectl yourself');
    const r = await cp.kubectl(args, { input, check: false });
    return { code: r.code ?? -1, out: `${r.stdout}${r.stderr}`.trim() };
  };
  if (cp) {
    await cp.ensureNamespace('meshward-system');
    await installMeshwardCrds(cp);
  }
  const dashboardPort = await freePort();
  const meshward = await startMeshwardProcess({ kubeconfig, extraArgs: ['--dashboard-port', String(dashboardPort)] });
  say(`meshward serve is running at ${meshward.url} (log: ${meshward.logFile})`);
  const manifests = readManifestPaths([join(root, 'manifests/base/webhooks.yaml'), join(root, 'manifests/base/strict-backstop.yaml')]).map(
    (s) => s.object,
  );
  const reg = await registerMeshwardWebhooks({ controlPlane: cp!, meshwardUrl: meshward.url, caBundlePem: meshward.caPem, manifests });
  await kubectl(['apply', '-f', join(root, 'manifests/base/strict-backstop.yaml')]);
  say(`webhooks registered and live after ${reg.readyMs} ms (dry-run canary)\n`);

  await kubectl(['apply', '-f', join(root, 'manifests/examples/namespaces.yaml')]);
  for (const ns of ['demo-shop', 'demo-payments', 'demo-legacy']) await cp!.ensureNamespace(ns);
  const applied = await kubectl(['apply', '-f', join(root, 'manifests/examples/workloads.yaml')]);
  say(`$ kubectl apply -f manifests/examples/workloads.yaml\n${applied.out}\n`);
  const ledger = JSON.parse((await kubectl(['get', 'pod', 'ledger', '-n', 'demo-payments', '-o', 'json'])).out);
  say('Injected pod demo-payments/ledger:');
  say(
    `  init containers: ${ledger.spec.initContainers.map((c: any) => `${c.name}${c.restartPolicy ? ` (restartPolicy ${c.restartPolicy})` : ''}`).join(', ')}`,
  );
  say(`  containers:      ${ledger.spec.containers.map((c: any) => c.name).join(', ')}`);
  // One rule set for both families (IPv6: the loopback addresses as IPv6), or one per family when CIDRs make them differ.
  const env = ledger.spec.initContainers[0].env as Array<{ name: string; value: string }>;
  const rules = (env.find((e) => e.name === 'MESHWARD_IPTABLES') ?? env.find((e) => e.name === 'MESHWARD_IPTABLES_V4'))!.value;
  say(
    `  capture rules (meshward-init, IPv4):\n${rules
      .split('\n')
      .filter(Boolean)
      .map((l) => `    ${l}`)
      .join('\n')}`,
  );
  const creds = ledger.spec.volumes.find((v: any) => v.name === 'meshward-credentials');
  say(`  credentials volume: ${JSON.stringify(creds.projected.sources)}`);
  say(`  status: ${ledger.metadata.annotations['meshward.io/status'].slice(0, 200)}...\n`);

  const refused = await kubectl(['apply', '-f', join(root, 'manifests/examples/violations.yaml')]);
  say(`$ kubectl apply -f manifests/examples/violations.yaml   (STRICT namespace demo-payments)\n${refused.out}\n`);

  const status = spawnSync(process.execPath, [join(root, MESHWARD_ENTRYPOINT), 'status', '--kubeconfig', kubeconfig], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  say(`$ meshward status   (exit ${status.status}: 1 means a STRICT namespace is violated)\n${status.stdout}${status.stderr}`);
  say(`Dashboard (read-only): http://127.0.0.1:${dashboardPort}/   JSON: http://127.0.0.1:${dashboardPort}/api/status`);
  say(`KUBECONFIG=${kubeconfig}`);
  say(`Try: KUBECONFIG=${kubeconfig} ${cp?.binaries.kubectl ?? 'kubectl'} get pods -A`);
  const stop = async (): Promise<void> => {
    say('\nstopping meshward and the control plane...');
    await meshward.stop();
    await cp?.stop();
    process.exit(0);
  };
  if (values['no-wait']) return stop();
  say('Running until Ctrl-C.');
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
