import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { deepFreeze } from '../json/deep-freeze.js';
import { CONFIG_FIELDS, envName, type FieldSpec } from './fields.js';
import type { MeshwardConfig } from './types.js';

/** Every bad field at once, so an operator fixes the config in one go. Exit code 2. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  /** Parsed YAML config file contents (already read), or undefined. */
  file?: unknown;
  /** Name of the config file, for messages. */
  fileName?: string;
  env?: Record<string, string | undefined>;
  /** Flag values by flag name (without --), as strings or booleans. */
  flags?: Record<string, string | boolean | undefined>;
}

function coerce(spec: FieldSpec, raw: unknown, origin: string): { value?: unknown; problem?: string } {
  const where = `${spec.path} (${origin})`;
  const kind = spec.kind;
  switch (kind.type) {
    case 'bool': {
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
      return { problem: `${where}: ${JSON.stringify(raw)} is not a boolean; use true or false` };
    }
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?[0-9]+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < kind.min || n > kind.max) {
        return { problem: `${where}: ${JSON.stringify(raw)} must be an integer from ${kind.min} to ${kind.max}` };
      }
      return { value: n };
    }
    case 'enum': {
      if (typeof raw === 'string' && kind.values.includes(raw)) return { value: raw };
      return { problem: `${where}: ${JSON.stringify(raw)} must be one of ${kind.values.join(', ')}` };
    }
    case 'string': {
      if (typeof raw !== 'string') return { problem: `${where}: must be a string` };
      if (raw === '') return kind.allowEmpty ? { value: raw } : { problem: `${where}: must not be empty` };
      if (kind.pattern && !kind.pattern.test(raw)) return { problem: `${where}: ${JSON.stringify(raw)} must be ${kind.form}` };
      return { value: raw };
    }
    case 'list': {
      const items = Array.isArray(raw)
        ? raw
        : typeof raw === 'string'
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : null;
      if (!items) return { problem: `${where}: must be a list (YAML sequence or comma-separated string)` };
      const bad = items.filter((i) => typeof i !== 'string' || !kind.item.test(i));
      if (bad.length > 0) return { problem: `${where}: ${bad.map((b) => JSON.stringify(b)).join(', ')} must each be ${kind.form}` };
      return { value: items };
    }
  }
}

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const key of keys.slice(0, -1)) cur = (cur[key] ??= {}) as Record<string, unknown>;
  cur[keys[keys.length - 1]!] = value;
}

function unknownKeys(file: unknown, prefix = ''): string[] {
  if (typeof file !== 'object' || file === null || Array.isArray(file)) return [];
  const known = new Set(CONFIG_FIELDS.map((f) => f.path));
  const out: string[] = [];
  for (const [key, value] of Object.entries(file)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (known.has(path)) continue;
    if (CONFIG_FIELDS.some((f) => f.path.startsWith(`${path}.`))) out.push(...unknownKeys(value, path));
    else out.push(path);
  }
  return out;
}

/** Builds the read-only config: defaults < config file < environment < flags. Throws ConfigError. */
export function buildConfig(sources: ConfigSources = {}): MeshwardConfig {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  const fileName = sources.fileName ?? 'config file';
  if (sources.file !== undefined && sources.file !== null && (typeof sources.file !== 'object' || Array.isArray(sources.file))) {
    problems.push(`${fileName}: must be a YAML mapping`);
  }
  for (const path of unknownKeys(sources.file)) problems.push(`${path} (${fileName}): unknown field`);
  for (const spec of CONFIG_FIELDS) {
    const layers: Array<[unknown, string]> = [
      [getPath(sources.file, spec.path), fileName],
      [sources.env?.[envName(spec.path)], envName(spec.path)],
      [spec.flag ? sources.flags?.[spec.flag] : undefined, `--${spec.flag}`],
    ];
    let value = spec.default;
    for (const [raw, origin] of layers) {
      if (raw === undefined) continue;
      const result = coerce(spec, raw, origin);
      if (result.problem) problems.push(result.problem);
      else value = result.value;
    }
    setPath(out, spec.path, Array.isArray(value) ? [...value] : value);
  }
  const config = out as unknown as MeshwardConfig;
  problems.push(...crossFieldProblems(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function crossFieldProblems(config: MeshwardConfig): string[] {
  const problems: string[] = [];
  if (!config.server.selfSigned && (!config.server.certFile || !config.server.keyFile)) {
    problems.push('server.certFile/server.keyFile: both are required unless --self-signed is set');
  }
  if (config.kube.stateFile && !config.kube.offline) {
    problems.push('kube.stateFile (--state): only used with --offline; add --offline or drop --state');
  }
  return problems;
}

/** Reads and parses a YAML config file; read/parse failures become ConfigErrors. */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`--config ${path}: cannot read (${(err as Error).message})`]);
  }
  try {
    return parseYaml(text);
  } catch (err) {
    throw new ConfigError([`--config ${path}: not valid YAML (${(err as Error).message})`]);
  }
}
