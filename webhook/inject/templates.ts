import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The editable injection templates, parsed once at start-up. */
export interface InjectionTemplates {
  readonly init: Record<string, unknown>;
  readonly proxy: Record<string, unknown>;
  readonly holdApplication: Record<string, unknown>;
  /** sha256 of the template sources: recorded in the status annotation to spot drift. */
  readonly hash: string;
}

const PLACEHOLDER = /^\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}$/;

/** templates/ next to the package (works from webhook/ under tsx and from dist/webhook/). */
export function defaultTemplatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'templates');
    try {
      readFileSync(join(candidate, 'meshward-proxy.yaml'));
      return candidate;
    } catch {
      dir = resolve(dir, '..');
    }
  }
  throw new Error('templates/ not found next to the meshward package; set --templates');
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
  const proxy = read('meshward-proxy.yaml');
  const hold = read('hold-application.yaml');
  const hash = createHash('sha256').update(init.text).update(proxy.text).update(hold.text).digest('hex').slice(0, 16);
  return { init: init.value, proxy: proxy.value, holdApplication: hold.value, hash };
}

/**
 * Renders a template: every string that is exactly "{{ name }}" becomes values[name] (any JSON
 * type); strings that merely contain braces are left alone. Unknown names are an error, so a
 * typo in an edited template fails loudly instead of injecting a literal placeholder.
 */
export function renderTemplate<T>(template: unknown, values: Readonly<Record<string, unknown>>): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const match = PLACEHOLDER.exec(node);
      if (!match) return node;
      const name = match[1]!;
      if (!(name in values)) throw new Error(`template placeholder {{ ${name} }} has no value`);
      return values[name];
    }
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = walk(value);
      return out;
    }
    return node;
  };
  return walk(template) as T;
}
