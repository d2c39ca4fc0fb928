import { injectionConfigHash } from '../config/hash.js';
import { buildConfig, readConfigFile } from '../config/load.js';
import type { MeshwardConfig } from '../config/types.js';
import { loadTemplates } from '../inject/templates.js';
import type { ReplicaReads } from '../status/telemetry.js';

// What "current" means for status and generate: the same config sources as `meshward serve`
// (--config FILE, MESHWARD_* environment) and this package's templates, so a pod injected by a
// meshward with the same configuration reads as current; or, on a live cluster, what the running
// replicas say they inject (GET /injection).

export interface CurrentInjection {
  readonly config: MeshwardConfig;
  readonly templateHash: string;
  readonly configHash: string;
}

/** The current injection with where it came from, for the report's "current" line. */
export interface ResolvedInjection extends CurrentInjection {
  /** sha256 fingerprint of the trust root the replica signs with, when it said. */
  readonly trustRoot?: string;
  /** A replica, a config file, the local configuration; absent when a caller gave the injection. */
  readonly origin?: string;
}

/** The origin of a configuration from MESHWARD_* and defaults alone (no file). */
export const LOCAL_CONFIGURATION = 'local configuration';

export function loadCurrentInjection(
  configFile: string | undefined,
  env: Record<string, string | undefined> = process.env,
): ResolvedInjection {
  const file = configFile ?? env.MESHWARD_CONFIG;
  const config = buildConfig({ ...(file ? { file: readConfigFile(file), fileName: file } : {}), env });
  return { config, templateHash: loadTemplates().hash, configHash: injectionConfigHash(config), origin: file ?? LOCAL_CONFIGURATION };
}

const HASH = /^[0-9a-f]{8,64}$/;

/**
 * A replica's GET /injection body as the current injection: its config goes through the same
 * validation as a config file, so a malformed answer names the field that is wrong.
 */
export function injectionFromReplica(replica: string, body: string): ResolvedInjection {
  const where = `replica ${replica} GET /injection`;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new Error(`${where}: the answer is not JSON`);
  }
  const { config, templateHash, configHash, trustRoot } = parsed ?? {};
  for (const [field, value] of Object.entries({ templateHash, configHash })) {
    if (typeof value !== 'string' || !HASH.test(value)) throw new Error(`${where}: ${field} must be a lowercase hex hash`);
  }
  if (trustRoot !== undefined && (typeof trustRoot !== 'string' || !/^[0-9a-f]{64}$/.test(trustRoot)))
    throw new Error(`${where}: trustRoot must be a SHA-256 fingerprint (64 hex digits)`);
  return {
    config: buildConfig({ file: config, fileName: where }),
    templateHash: templateHash as string,
    configHash: configHash as string,
    ...(trustRoot ? { trustRoot: trustRoot as string } : {}),
    origin: `replica ${replica}`,
  };
}

/**
 * What `status` judges pods against on a live cluster without --config: what the running
 * replicas inject (the first in name order that answers). `local` finds them and stands in
 * when none answers; either way `notes` says why, and when replicas disagree (a rollout).
 */
export function chooseCurrentInjection(
  local: ResolvedInjection,
  reads: ReplicaReads<string>,
): { readonly current: ResolvedInjection; readonly notes: readonly string[] } {
  const answers: ResolvedInjection[] = [];
  const failures: string[] = reads.error ? [reads.error] : [];
  for (const read of reads.replicas) {
    if ('error' in read) failures.push(`${read.replica}: ${read.error}`);
    else {
      try {
        answers.push(injectionFromReplica(read.replica, read.answer));
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    }
  }
  const [first] = answers;
  if (!first) {
    const why = failures.length > 0 ? failures.join('; ') : `no Running meshward pod in ${local.config.mesh.namespace}`;
    return {
      current: local,
      notes: [`no meshward replica said what it injects (${why}): judging against the local configuration (MESHWARD_*, defaults)`],
    };
  }
  const differ = answers.filter((a) => a.templateHash !== first.templateHash || a.configHash !== first.configHash);
  return {
    current: first,
    notes:
      differ.length > 0
        ? [
            `replicas inject differently (a rollout?): ${[first, ...differ].map((a) => `${a.origin} templates ${a.templateHash} config ${a.configHash}`).join(', ')}; judging against ${first.origin}`,
          ]
        : [],
  };
}
