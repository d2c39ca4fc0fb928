import { buildConfig } from '../config/load.js';
import type { MeshwardConfig } from '../config/types.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { checkObjects } from '../gate/check-objects.js';
import { readAll, readFileUtf8, readManifestInputs, type ReadFile } from '../kube/manifests.js';
import type { Violation } from '../gate/rules.js';

// `meshward check`: the gate's rules on manifests, for CI. Exit 0 clean, 1 violations, 2 bad input.

export const CHECK_USAGE = `Usage: meshward check -f FILE|DIR|- [-f ...] [options]

Checks manifests against meshward's gate rules (STRICT, MeshTLSPolicy, MeshAuthorizationPolicy), offline.
  -f, --filename PATH    file, directory (recursive: .yaml, .yml, .json) or - for stdin; repeatable
  -o, --output FORMAT    text (default) or json
  -n, --namespace NS     namespace of objects that name none (default: default)
  --kubeconfig FILE      read Namespaces, MeshTLSPolicies and MeshAuthorizationPolicies from the live cluster too
  --assume-strict        treat every namespace as STRICT (Namespace objects not in the manifests)
  --require-injected     also require Pods to be injected already (output of meshward inject)
  --proxy-image IMAGE    proxy image meshward injects (exempts the real meshward-proxy)
  --init-image IMAGE     init image meshward injects (exempts the real meshward-init)
Exit status: 0 no violations, 1 violations, 2 bad input.`;

export interface CheckCommandIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly readFile?: ReadFile;
  readonly stdin?: AsyncIterable<unknown>;
}

export interface CheckCommandDeps {
  /** The config to check against; default: built-in defaults plus --proxy-image/--init-image. */
  readonly config?: MeshwardConfig;
  /** Live mode (--kubeconfig): provided by the CLI. */
  readonly loadCluster?: (kubeconfig: string) => Promise<ClusterState>;
}

interface CheckArgs {
  paths: string[];
  output: 'text' | 'json';
  namespace?: string;
  kubeconfig?: string;
  assumeStrict: boolean;
  requireInjected: boolean;
  flags: Record<string, string>;
  help: boolean;
}

class UsageError extends Error {}

const VALUE_FLAGS: Record<string, string> = {
  '-f': 'filename',
  '--filename': 'filename',
  '-o': 'output',
  '--output': 'output',
  '-n': 'namespace',
  '--namespace': 'namespace',
  '--kubeconfig': 'kubeconfig',
  '--proxy-image': 'proxy-image',
  '--init-image': 'init-image',
};

function parseArgs(argv: readonly string[]): CheckArgs {
  const args: CheckArgs = { paths: [], output: 'text', assumeStrict: false, requireInjected: false, flags: {}, help: false };
  const rest = argv[0] === 'check' ? argv.slice(1) : [...argv];
  for (let i = 0; i < rest.length; i++) {
    const [flag, inline] =
      rest[i]!.startsWith('--') && rest[i]!.includes('=')
        ? [rest[i]!.slice(0, rest[i]!.indexOf('=')), rest[i]!.slice(rest[i]!.indexOf('=') + 1)]
        : [rest[i]!, undefined];
    if (flag === '-h' || flag === '--help') args.help = true;
    else if (flag === '--assume-strict') args.assumeStrict = true;
    else if (flag === '--require-injected') args.requireInjected = true;
    else if (VALUE_FLAGS[flag]) {
      const value = inline ?? rest[++i];
      if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
      const name = VALUE_FLAGS[flag]!;
      if (name === 'filename') args.paths.push(value);
      else if (name === 'output') {
        if (value !== 'text' && value !== 'json') throw new UsageError(`-o ${value}: use text or json`);
        args.output = value;
      } else if (name === 'namespace') args.namespace = value;
      else if (name === 'kubeconfig') args.kubeconfig = value;
      else args.flags[name] = value;
    } else throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
  }
  if (!args.help && args.paths.length === 0) throw new UsageError('no input: give at least one -f FILE|DIR|-');
  return args;
}

function formatText(v: Violation): string {
  const object = v.namespace ? `${v.namespace}/${v.name}` : v.name;
  return `${v.rule} ${v.kind} ${object}: ${v.field}: ${v.message}\n`;
}

/** Runs `meshward check`; never throws for bad input: it is reported and the exit code is 2. */
export async function runCheckCommand(argv: string[], io: CheckCommandIO, deps: CheckCommandDeps = {}): Promise<number> {
  let args: CheckArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.stderr.write(`meshward check: ${(err as Error).message}\n\n${CHECK_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${CHECK_USAGE}\n`);
    return 0;
  }
  try {
    const config = deps.config ?? buildConfig({ flags: args.flags });
    const sourced = await readManifestInputs(args.paths, io.readFile ?? readFileUtf8, () => readAll(io.stdin ?? process.stdin));
    const objects = sourced.filter((s) => typeof s.object.kind === 'string').map((s) => s.object);
    for (const skipped of sourced.filter((s) => typeof s.object.kind !== 'string'))
      io.stderr.write(`meshward check: ${skipped.source}: skipped (no kind)\n`);
    let cluster: ClusterState | undefined;
    if (args.kubeconfig) {
      if (!deps.loadCluster) throw new UsageError('--kubeconfig: live mode is not available in this build');
      cluster = await deps.loadCluster(args.kubeconfig);
    }
    const violations = await checkObjects(objects, {
      config,
      requireInjected: args.requireInjected,
      assumeStrict: args.assumeStrict,
      ...(cluster ? { cluster } : {}),
      ...(args.namespace ? { defaultNamespace: args.namespace } : {}),
    });
    if (args.output === 'json') io.stdout.write(`${JSON.stringify(violations, null, 2)}\n`);
    else for (const v of violations) io.stdout.write(formatText(v));
    const summary =
      violations.length === 0
        ? `${objects.length} object(s), no violations`
        : `${violations.length} violation(s) in ${objects.length} object(s)`;
    io.stderr.write(`meshward check: ${summary}\n`);
    return violations.length === 0 ? 0 : 1;
  } catch (err) {
    // ManifestError (names the file), UsageError, ConfigError, or the live cluster failing.
    io.stderr.write(`meshward check: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}
