import { parseArgs } from 'node:util';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CommandIo } from './io.js';
import type { MeshwardConfig } from '../config/types.js';
import { loadCurrentInjection } from './current-injection.js';
import { openCluster, type ClusterSource, type OpenedCluster } from './open-cluster.js';
import { buildAuthorizationRequest } from '../generate/authorization-request.js';
import { generateAuthorization } from '../generate/generate-authorization.js';
import { generatePolicy } from '../generate/generate-policy.js';
import { buildRequest } from '../generate/request.js';

// `meshward generate`: prints the MeshTLSPolicy that gives a namespace, workload or port the
// requested mode (--mode), or the MeshAuthorizationPolicy that lets callers reach it (--allow-*),
// without conflicts. Exit 0 printed; 1 the gate would refuse it (rule ID on stderr); 2 bad input,
// or the cluster could not be read.

export const GENERATE_USAGE = `Usage: meshward generate --namespace NS [--selector k=v ...] [--port P ...] --mode MODE
                         [--kubeconfig FILE | -f FILE ...] [--name NAME]
       meshward generate --namespace NS [--selector k=v ...] [--port P ...]
                         (--allow-sa NS/SA | --allow-ns NS | --allow-id spiffe://...) ... [--audit]
                         [--kubeconfig FILE | -f FILE ...] [--name NAME]

Prints the MeshTLSPolicy YAML that gives the namespace (or the workload a selector names, or its
ports) the mode, from the cluster's current policies: it updates the existing namespace-wide policy
or the policy with the same selector instead of adding a second one, explains the effect in
comments, and refuses (exit 1, with the gate's rule ID) what the gate would refuse. With --allow-*
it prints the MeshAuthorizationPolicy that lets those callers reach the namespace, workload or
ports, adding them to the policy that selects exactly that workload and port set if there is one.
  -n, --namespace NS     the namespace (required)
  -l, --selector k=v     the workload's labels (matchLabels); repeatable or comma-separated
  -p, --port P           a container port (with --mode it needs --selector); repeatable
  -m, --mode MODE        STRICT, PERMISSIVE or DISABLE (a MeshTLSPolicy)
  --allow-sa NS/SA       a ServiceAccount that may call (a MeshAuthorizationPolicy); repeatable
  --allow-ns NS          every workload of a namespace may call; repeatable
  --allow-id ID          an exact SPIFFE ID may call (spiffe://<trust-domain>/...); repeatable
  --audit                count what the allow list would deny, deny nothing (default: Enforce)
  --name NAME            name of a new policy (default: default, <selector values>-mtls or
                         <selector values>[-<ports>]-authz)
  --kubeconfig FILE      read the live cluster (default: in-cluster, then $KUBECONFIG)
  -f, --filename FILE    offline: read Namespaces, policies of both kinds and Pods from manifests instead
  --config FILE          meshward's config (mesh namespace, default mode)
Apply it with: meshward generate ... | kubectl apply -f -
Exit status: 0 printed, 1 the gate would refuse it, 2 bad input or the cluster could not be read.`;

export interface GenerateCommandDeps {
  readonly openCluster?: (source: ClusterSource) => Promise<OpenedCluster>;
  readonly config?: MeshwardConfig;
}

const OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  selector: { type: 'string', short: 'l', multiple: true },
  port: { type: 'string', short: 'p', multiple: true },
  mode: { type: 'string', short: 'm' },
  'allow-sa': { type: 'string', multiple: true },
  'allow-ns': { type: 'string', multiple: true },
  'allow-id': { type: 'string', multiple: true },
  audit: { type: 'boolean' },
  name: { type: 'string' },
  kubeconfig: { type: 'string' },
  filename: { type: 'string', short: 'f', multiple: true },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type GenerateValues = ReturnType<typeof parseGenerateArgs>;

function parseGenerateArgs(argv: string[]) {
  const parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  if (parsed.positionals.length > 0) throw new Error(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
  return parsed.values;
}

/** --allow-* or --audit: the MeshAuthorizationPolicy path. */
function wantsAuthorization(values: GenerateValues): boolean {
  return (
    values['allow-sa'] !== undefined || values['allow-ns'] !== undefined || values['allow-id'] !== undefined || values.audit !== undefined
  );
}

export async function runGenerateCommand(argv: string[], io: CommandIo, deps: GenerateCommandDeps = {}): Promise<number> {
  let values: GenerateValues;
  try {
    values = parseGenerateArgs(argv);
    if (values.kubeconfig !== undefined && values.filename !== undefined) throw new Error('give --kubeconfig or -f, not both');
    if (wantsAuthorization(values) && values.mode !== undefined)
      throw new Error('give --mode (a MeshTLSPolicy) or --allow-* (a MeshAuthorizationPolicy), not both');
  } catch (err) {
    io.stderr.write(`meshward generate: ${(err as Error).message}\n\n${GENERATE_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (values.help) {
    io.stdout.write(`${GENERATE_USAGE}\n`);
    return EXIT_OK;
  }
  let opened: OpenedCluster | undefined;
  try {
    const config = deps.config ?? loadCurrentInjection(values.config).config;
    const source: ClusterSource = values.filename
      ? { kind: 'manifests', paths: values.filename }
      : { kind: 'live', kubeconfig: values.kubeconfig ?? '' };
    // Both kinds: the request is checked before the cluster is opened.
    const generate = wantsAuthorization(values) ? authorizationGenerator(values) : tlsGenerator(values);
    opened = await (deps.openCluster ?? openCluster)(source);
    const result = await generate({ config, cluster: opened.cluster });
    if (!result.ok) {
      io.stderr.write(
        `meshward generate: refused — the gate would reject ${result.plan.policy.namespace}/${result.plan.policy.name} (${result.rules.join(', ')}): ${result.message}\n`,
      );
      return EXIT_FINDINGS;
    }
    io.stdout.write(result.yaml);
    return EXIT_OK;
  } catch (err) {
    // GenerateInputError, ManifestError, ConfigError, ClusterUnavailableError.
    io.stderr.write(`meshward generate: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_USAGE;
  } finally {
    await opened?.close();
  }
}

type Generator = (deps: Parameters<typeof generatePolicy>[1]) => Promise<
  | { readonly ok: true; readonly yaml: string }
  | {
      readonly ok: false;
      readonly plan: { readonly policy: { readonly namespace: string; readonly name: string } };
      readonly rules: readonly string[];
      readonly message: string;
    }
>;

/** `generate --mode`: a MeshTLSPolicy. */
function tlsGenerator(values: GenerateValues): Generator {
  const request = buildRequest({
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    selector: values.selector ?? [],
    ports: values.port ?? [],
    ...(values.mode !== undefined ? { mode: values.mode } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
  });
  return (deps) => generatePolicy(request, deps);
}

/** `generate --allow-*`: a MeshAuthorizationPolicy. */
function authorizationGenerator(values: GenerateValues): Generator {
  const request = buildAuthorizationRequest({
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    selector: values.selector ?? [],
    ports: values.port ?? [],
    allowSa: values['allow-sa'] ?? [],
    allowNs: values['allow-ns'] ?? [],
    allowId: values['allow-id'] ?? [],
    audit: values.audit === true,
    ...(values.name !== undefined ? { name: values.name } : {}),
  });
  return (deps) => generateAuthorization(request, deps);
}
