import { injectionConfigHash } from '../config/hash.js';
import { buildConfig, readConfigFile } from '../config/load.js';
import type { MeshwardConfig } from '../config/types.js';
import { loadTemplates } from '../inject/templates.js';

// What "current" means for status and generate: the same config sources as `meshward serve`
// (--config FILE, MESHWARD_* environment) and this package's templates, so a pod injected by a
// meshward with the same configuration reads as current.

export interface CurrentInjection {
  readonly config: MeshwardConfig;
  readonly templateHash: string;
  readonly configHash: string;
}

export function loadCurrentInjection(
  configFile: string | undefined,
  env: Record<string, string | undefined> = process.env,
): CurrentInjection {
  const file = configFile ?? env.MESHWARD_CONFIG;
  const config = buildConfig({ ...(file ? { file: readConfigFile(file), fileName: file } : {}), env });
  return { config, templateHash: loadTemplates().hash, configHash: injectionConfigHash(config) };
}
