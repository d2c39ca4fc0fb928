import { parseArgs } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { injectionConfigHash } from '../config/hash.js';
import { buildConfig, ConfigError, readConfigFile } from '../config/load.js';
import { injectObject } from '../inject/inject-objects.js';
import { loadTemplates } from '../inject/templates.js';
import { ManifestError, parseManifests, readManifestPaths, type SourcedObject } from '../kube/manifests.js';
import { EXIT_OK, EXIT_USAGE, type CommandIo } from './io.js';

const USAGE = `Usage: meshward inject -f FILE|- [-f ...] [-n NAMESPACE] [-o yaml|json] [--config FILE]
Injects meshward's sidecar into Pods and the pod templates of Deployments, StatefulSets,
DaemonSets, ReplicaSets, Jobs and CronJobs (multi-document YAML/JSON and Lists); other
documents pass through unchanged. The proxy's modes are not part of the injection (the control
plane sends them live), so MeshTLSPolicies and Namespaces in the input change nothing. -n names
the namespace of objects that name none (as kubectl apply -n would).`;

/** `meshward inject`: the webhook's injection engine, offline (like istioctl kube-inject). */
export async function runInject(argv: string[], io: CommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        filename: { type: 'string', short: 'f', multiple: true },
        namespace: { type: 'string', short: 'n' },
        output: { type: 'string', short: 'o', default: 'yaml' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    io.stderr.write(`meshward inject: ${(err as Error).message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (!values.filename?.length) {
    io.stderr.write(`meshward inject: -f FILE|- is required\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (values.output !== 'yaml' && values.output !== 'json') {
    io.stderr.write(`meshward inject: -o ${values.output}: use yaml or json\n`);
    return EXIT_USAGE;
  }
  try {
    const config = buildConfig({
      file: values.config ? readConfigFile(values.config) : undefined,
      fileName: values.config,
      flags: { 'self-signed': true },
    });
    const inputs: SourcedObject[] = [];
    for (const file of values.filename) {
      inputs.push(...(file === '-' ? parseManifests(await io.readStdin!(), 'stdin') : readManifestPaths([file])));
    }
    const deps = { config, templates: loadTemplates(), configHash: injectionConfigHash(config), defaultNamespace: values.namespace };
    const outputs = [];
    for (const input of inputs) {
      const outcome = await injectObject(input.object, deps);
      if ('problems' in outcome) {
        io.stderr.write(`meshward inject: ${input.source}: ${outcome.problems.map((p) => p.message).join('; ')}\n`);
        return EXIT_USAGE;
      }
      outputs.push(outcome.object);
    }
    io.stdout.write(
      values.output === 'json'
        ? `${JSON.stringify(outputs.length === 1 ? outputs[0] : { apiVersion: 'v1', kind: 'List', items: outputs }, null, 2)}\n`
        : outputs.map((o) => toYaml(o, { lineWidth: 0 })).join('---\n'),
    );
    return EXIT_OK;
  } catch (err) {
    if (err instanceof ManifestError || err instanceof ConfigError) {
      io.stderr.write(`meshward inject: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}
