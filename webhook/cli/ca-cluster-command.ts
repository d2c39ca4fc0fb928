import { isPkiInputError } from '../pki/index.js';
import { statusOf } from '../kube/errors.js';
import type { ClusterCaDeps } from './ca-cluster-context.js';
import { runInitCluster } from './ca-init-cluster.js';
import { runRotate } from './ca-rotate-command.js';
import { IdentityConfigError } from '../identity/identity-settings.js';
import type { CommandIo } from './io.js';

export type { CommandIo } from './io.js';

export const CLUSTER_USAGE = `usage (in a cluster; the CA lives in Secret <mesh.namespace>/<identity.caSecretName>, default meshward-system/meshward-ca):
  meshward ca init   --kubeconfig K [--from CA_DIR] [--force] [--key-type T] [--trust-domain TD]
                     [--common-name CN] [--validity-days N] [--namespace NS] [--secret NAME] [--config FILE]
  meshward ca rotate --kubeconfig K [--to published|signing|retired] [--wait 5m] [--retire-wait 24h5m]
                     [--from CA_DIR] [--status] [--namespace NS] [--secret NAME] [--config FILE]
  rotate phases: idle -publish-> published -sign-> signing -retire-> idle; one phase per run (or up to --to).
  exit codes: 0 done, 1 error, 2 bad input, 3 (rotate) waiting: run again later
`;

/** `meshward ca init --kubeconfig …` and `meshward ca rotate …`. Exit: 0 ok, 2 bad input, 3 rotation waiting, 1 other errors. */
export async function runClusterCaCommand(
  sub: 'init' | 'rotate',
  args: string[],
  io: CommandIo,
  deps: ClusterCaDeps = {},
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(CLUSTER_USAGE);
    return 0;
  }
  try {
    return sub === 'init' ? await runInitCluster(args, io, deps) : await runRotate(args, io, deps);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (isPkiInputError(err) || err instanceof IdentityConfigError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(`meshward ca ${sub}: ${(err as Error).message}\n${CLUSTER_USAGE}`);
      return 2;
    }
    const status = statusOf(err);
    const hint = status === 401 || status === 403 ? ' (check the kubeconfig and its RBAC: see webhook/identity/README.md)' : '';
    io.stderr.write(`meshward ca ${sub}: ${status ? `HTTP ${status}: ` : ''}${(err as Error).message.split('\n')[0]}${hint}\n`);
    return 1;
  }
}
