import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { templatesDirWith } from '../template/templates-dir.js';

// The editable injection templates, parsed once at start-up and filled per workload by the one
// template engine (template/fill-template.ts).

/** The editable injection templates, parsed once at start-up. */
export interface InjectionTemplates {
  readonly init: Record<string, unknown>;
  readonly proxy: Record<string, unknown>;
  readonly holdApplication: Record<string, unknown>;
  /** sha256 of the template sources: recorded in the status annotation to spot drift. */
  readonly hash: string;
}

const PROXY_TEMPLATE = 'meshward-proxy.yaml';

/** templates/ next to the package (works from webhook/ under tsx and from dist/webhook/). */
export function defaultTemplatesDir(): string {
  return templatesDirWith(PROXY_TEMPLATE);
}

export function loadTemplates(dir: string = defaultTemplatesDir()): InjectionTemplates {
  const read = (file: string): { text: string; value: Record<string, unknown> } => {
    const text = readFileSync(join(dir, file), 'utf8');
    const value: unknown = parseYaml(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`${join(dir, file)}: must be a YAML mapping`);
    }
    return { text, value: value as Record<string, unknown> };
  };
  const init = read('meshward-init.yaml');
  const proxy = read(PROXY_TEMPLATE);
  const hold = read('hold-application.yaml');
  const hash = createHash('sha256').update(init.text).update(proxy.text).update(hold.text).digest('hex').slice(0, 16);
  return { init: init.value, proxy: proxy.value, holdApplication: hold.value, hash };
}
