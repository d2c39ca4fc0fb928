// One real control plane for every e2e test file in a mocha run: started lazily by the first
// sharedControlPlane() call, stopped by a root-level `after` hook registered when this module is
// first imported (ES modules are evaluated once, so the hook is registered once).
//
//   import { sharedControlPlane } from './shared-cluster.js';
//   before(async function () { this.timeout(120_000); cp = await sharedControlPlane(); });
//
// Tests share the cluster: use your own namespaces (cp.ensureNamespace) and clean up what you
// register cluster-wide (webhook configurations: unregisterMeshwardWebhooks in your `after`).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane, type StopResult } from '../../scripts/control-plane/control-plane.js';
import { processesMatching } from '../../scripts/control-plane/processes.js';

let pending: Promise<ControlPlane> | undefined;

/** Identity whose API calls the audit log records (test/e2e/rbac.test.ts checks meshward's RBAC with it). */
export const AUDITED_USER = 'system:serviceaccount:meshward-system:meshward-rbac-check';
const auditDir = mkdtempSync(join(tmpdir(), 'meshward-audit-'));
/** JSON lines, one per request by AUDITED_USER (level Metadata). */
export const AUDIT_LOG = join(auditDir, 'audit.log');

function auditArgs(): string[] {
  const policy = join(auditDir, 'policy.yaml');
  writeFileSync(
    policy,
    JSON.stringify({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: ['RequestReceived'],
      rules: [{ level: 'Metadata', users: [AUDITED_USER] }, { level: 'None' }],
    }),
  );
  return [`--audit-policy-file=${policy}`, `--audit-log-path=${AUDIT_LOG}`, '--audit-log-format=json', '--audit-log-mode=blocking'];
}
let stopResult: StopResult | undefined;

function note(message: string): void {
  process.stdout.write(`      [control-plane] ${message}\n`);
}

/** The shared control plane (started on first use: ~10 s with cached binaries). */
export function sharedControlPlane(): Promise<ControlPlane> {
  if (!pending) {
    const t = Date.now();
    pending = startControlPlane({ log: process.env.MESHWARD_E2E_VERBOSE ? note : undefined, extraApiserverArgs: auditArgs() });
    pending.then(
      (cp) => {
        const tm = cp.timings;
        note(
          `shared control plane up in ${Date.now() - t} ms (pki ${tm.pkiMs}, etcd ${tm.etcdMs}, kube-apiserver ${tm.apiserverMs}, ` +
            `kube-controller-manager ${tm.controllerManagerMs} ms) at ${cp.server}; logs ${cp.logDir}`,
        );
      },
      () => undefined,
    );
  }
  return pending;
}

/** Stops the shared control plane if it was started (idempotent); a later call starts a new one. */
export async function stopSharedControlPlane(): Promise<StopResult | undefined> {
  if (!pending) return undefined;
  const current = pending;
  let cp: ControlPlane;
  try {
    cp = await current;
  } catch {
    pending = undefined;
    return undefined; // failed start: startControlPlane already cleaned up
  }
  stopResult = await cp.stop();
  pending = undefined;
  note(
    `shared control plane stopped in ${stopResult.ms} ms (${Object.entries(stopResult.outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
  );
  const left = processesMatching(cp.dir).filter((p) => /etcd|kube-apiserver|kube-controller-manager/.test(p.cmdline));
  if (left.length > 0) throw new Error(`processes left behind by the shared control plane: ${left.map((p) => p.pid).join(', ')}`);
  return stopResult;
}

// Root-level hook: this module is imported while mocha loads the test files, when `after`
// binds to the root suite. Outside mocha (no global `after`) nothing is registered.
const rootAfter = (globalThis as { after?: Mocha.HookFunction }).after;
if (typeof rootAfter === 'function') {
  rootAfter('stop the shared control plane', async function () {
    this.timeout(60_000);
    await stopSharedControlPlane();
  });
}
