// Reads the Dockerfile's stages, so the images built here take their runtime config (USER, ENV,
// WORKDIR, ENTRYPOINT, CMD) from the Dockerfile instead of restating it.

import type { ImageConfig } from './oci-archive.js';

export interface DockerfileStage {
  readonly name: string;
  /** The FROM image (or stage) the stage starts from. */
  readonly from: string;
  /** Instructions with continuation lines joined, without comments and blank lines. */
  readonly instructions: readonly string[];
}

/** What BuildKit puts into a FROM scratch image's config when the Dockerfile sets no PATH. */
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function dockerfileStages(text: string): DockerfileStage[] {
  const instructions: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) pending += `${line.slice(0, -1).trim()} `;
    else {
      instructions.push(`${pending}${line}`.trim());
      pending = '';
    }
  }
  const stages: { name: string; from: string; instructions: string[] }[] = [];
  for (const instruction of instructions) {
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction);
    if (from) stages.push({ name: from[2] ?? String(stages.length), from: from[1]!, instructions: [] });
    else if (stages.length > 0) stages[stages.length - 1]!.instructions.push(instruction);
  }
  return stages;
}

export function dockerfileStage(text: string, name: string): DockerfileStage {
  const stage = dockerfileStages(text).find((s) => s.name === name);
  if (!stage) throw new Error(`the Dockerfile has no stage "${name}"; expected a line "FROM … AS ${name}"`);
  return stage;
}

/** The image config a FROM scratch stage produces, as `docker build --target <name>` would. */
export function stageImageConfig(text: string, name: string): ImageConfig {
  const stage = dockerfileStage(text, name);
  if (stage.from !== 'scratch') {
    throw new Error(`Dockerfile stage ${name} starts FROM ${stage.from}; only FROM scratch stages can be built without a container engine`);
  }
  // BuildKit starts a FROM scratch image's Env with PATH; ENV replaces a key in place or appends.
  const env = new Map<string, string>([['PATH', DEFAULT_PATH_ENV.slice('PATH='.length)]]);
  const config: { User?: string; Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string } = {};
  for (const instruction of stage.instructions) {
    const [keyword = '', rest = ''] = splitKeyword(instruction);
    switch (keyword) {
      case 'USER':
        config.User = rest;
        break;
      case 'WORKDIR':
        if (!rest.startsWith('/')) throw new Error(`Dockerfile stage ${name}: WORKDIR ${rest} must be absolute`);
        config.WorkingDir = rest;
        break;
      case 'ENV':
        for (const [key, value] of parseEnv(rest, name)) env.set(key, value);
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = execForm(rest, name, keyword);
        break;
      case 'CMD':
        config.Cmd = execForm(rest, name, keyword);
        break;
    }
  }
  const Env = [...env].map(([key, value]) => `${key}=${value}`);
  return { User: config.User, Env, Entrypoint: config.Entrypoint, Cmd: config.Cmd, WorkingDir: config.WorkingDir };
}

function splitKeyword(instruction: string): [string, string] {
  const at = instruction.search(/\s/);
  return at < 0 ? [instruction.toUpperCase(), ''] : [instruction.slice(0, at).toUpperCase(), instruction.slice(at).trim()];
}

function execForm(rest: string, stage: string, keyword: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rest);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) {
    throw new Error(
      `Dockerfile stage ${stage}: ${keyword} ${rest} is not in exec form (a JSON array of strings); the images have no shell`,
    );
  }
  return parsed;
}

/** ENV key=value pairs (values optionally double-quoted), or the legacy `ENV key value`. */
function parseEnv(rest: string, stage: string): [string, string][] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(rest)) {
    const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+(.*)$/.exec(rest);
    if (!legacy) throw new Error(`Dockerfile stage ${stage}: cannot read ENV ${rest}`);
    return [[legacy[1]!, legacy[2]!]];
  }
  const pairs: [string, string][] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("((?:[^"\\]|\\.)*)"|\S*)\s*/y;
  while (re.lastIndex < rest.length) {
    const m = re.exec(rest);
    if (!m) throw new Error(`Dockerfile stage ${stage}: cannot read ENV ${rest}`);
    pairs.push([m[1]!, m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]!]);
  }
  return pairs;
}
