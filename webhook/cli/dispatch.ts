import { processIo, EXIT_USAGE, type CommandIo } from './io.js';

const USAGE = `meshward — mutual TLS for every pod, and STRICT namespaces that stay strict

Usage: meshward <command> [flags]
  serve      run the admission webhook server (injector /mutate, gate /validate)
  inject     inject sidecars into manifests offline (-f FILE|-)
  check      run the STRICT gate's rules on manifests, for CI (-f FILE|DIR)
  status     live mTLS status, drift and violations (-o table|json, --serve: dashboard)
  generate   conflict-free MeshTLSPolicy (-m MODE) or MeshAuthorizationPolicy (--allow-*) YAML
  ca         mesh CA: init, issue
  version    print the version
Run 'meshward <command> --help' for a command's flags.`;

type Command = (argv: string[], io: CommandIo) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve-command.js')).runServe,
  inject: async () => (await import('./inject-command.js')).runInject,
  check: async () => {
    const [{ runCheckCommand }, { openLiveClusterState }] = await Promise.all([
      import('./check-command.js'),
      import('../kube/live-state.js'),
    ]);
    return (argv, io) => runCheckCommand(argv, io, { loadCluster: openLiveClusterState });
  },
  ca: async () => (await import('./ca-command.js')).runCaCommand,
  status: async () => (await import('./status-command.js')).runStatusCommand,
  generate: async () => (await import('./generate-command.js')).runGenerateCommand,
  version: async () => async (_argv, io) => {
    io.stdout.write('meshward 0.1.0\n');
    return 0;
  },
};

/** Dispatches to a subcommand; each is loaded lazily so `meshward check` starts fast. */
export async function runMeshward(argv: string[], io: CommandIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return name ? 0 : EXIT_USAGE;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr.write(`meshward: unknown command "${name}"\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  return (await load())(rest, io);
}
