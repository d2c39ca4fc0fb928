import { parseArgs } from 'node:util';
import { buildConfig, ConfigError, readConfigFile } from '../config/load.js';
import { CONFIG_FIELDS } from '../config/fields.js';
import { exitOnSignals } from '../server/signals.js';
import { createLogger } from '../server/logger.js';
import { startMeshward } from '../server/start.js';
import { buildServe } from './wire-handlers.js';
import { EXIT_USAGE, type CommandIo } from './io.js';

const FLAG_OPTIONS = Object.fromEntries(
  CONFIG_FIELDS.filter((f) => f.flag).map((f) => [f.flag!, { type: f.kind.type === 'bool' ? ('boolean' as const) : ('string' as const) }]),
);

export const SERVE_USAGE = `Usage: meshward serve [flags]
  --config FILE        YAML config file (fields as in README "Configuration")
${CONFIG_FIELDS.filter((f) => f.flag)
  .map((f) => `  --${f.flag!.padEnd(19)}${f.help}`)
  .join('\n')}
Environment: MESHWARD_<FIELD> (e.g. MESHWARD_SERVER_PORT) overrides the config file; flags override both.`;

/** `meshward serve`: the webhook server. Resolves only on a bad configuration (exit code 2). */
export async function runServe(argv: string[], io: CommandIo): Promise<number> {
  let flags: Record<string, string | boolean | undefined>;
  try {
    ({ values: flags } = parseArgs({
      args: argv,
      options: { ...FLAG_OPTIONS, config: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (err) {
    io.stderr.write(`meshward serve: ${(err as Error).message}\n${SERVE_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (flags.help) {
    io.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  let config;
  try {
    const configFile = typeof flags.config === 'string' ? flags.config : process.env.MESHWARD_CONFIG;
    config = buildConfig({ file: configFile ? readConfigFile(configFile) : undefined, fileName: configFile, env: process.env, flags });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(`meshward serve: ${err.message}\n`);
    return EXIT_USAGE;
  }
  const logger = createLogger(config.logLevel);
  const running = await startMeshward(config, logger, (context) => buildServe(config, logger, context));
  if (running.caBundlePath) io.stdout.write(`meshward: self-signed CA bundle written to ${running.caBundlePath}\n`);
  exitOnSignals(() => running.terminate(), logger);
  return new Promise<number>(() => undefined);
}
