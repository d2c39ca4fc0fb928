// The editable bootstrap template (templates/envoy-bootstrap.yaml) and its placeholder filling.
// Why a YAML tree with whole-value placeholders rather than a text template language: the static
// parts stay readable Envoy config that an operator can edit, while everything computed is
// substituted as data on the parsed tree, so no value (a namespace, a path) can break the syntax.

import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const BOOTSTRAP_TEMPLATE_FILE = 'envoy-bootstrap.yaml';

const WHOLE = /^\{\{\s*([A-Za-z0-9_.]+)\s*\}\}$/;
const INLINE = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

let cached: unknown;

/** The parsed default template, read once (found by walking up to the package's templates/). */
export function defaultBootstrapTemplate(): unknown {
  if (cached === undefined) cached = parseBootstrapTemplate(readFileSync(findTemplate(), 'utf8'));
  return cached;
}

export function parseBootstrapTemplate(text: string): unknown {
  return parseYaml(text, { schema: 'core', uniqueKeys: true });
}

// Source (webhook/proxy/) and build output (dist/webhook/proxy/) sit at different depths.
function findTemplate(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'templates', BOOTSTRAP_TEMPLATE_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`templates/${BOOTSTRAP_TEMPLATE_FILE} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Returns a new tree with every placeholder filled from context; the template is not changed. */
export function fillTemplate(node: unknown, context: Record<string, unknown>): unknown {
  if (typeof node === 'string') {
    const whole = WHOLE.exec(node);
    if (whole) return lookup(context, whole[1]!);
    return node.replace(INLINE, (_, key: string) => {
      const v = lookup(context, key);
      if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`template: {{ ${key} }} inside a string must be a string or number`);
      return String(v);
    });
  }
  if (Array.isArray(node)) {
    return node.flatMap((item) => {
      const filled = fillTemplate(item, context);
      return typeof item === 'string' && WHOLE.test(item) && Array.isArray(filled) ? filled : [filled];
    });
  }
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fillTemplate(v, context)]));
  }
  return node;
}

function lookup(context: Record<string, unknown>, key: string): unknown {
  let cur: unknown = context;
  for (const part of key.split('.')) {
    cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[part] : undefined;
  }
  // A typo in the template must fail loudly, not render a config without the value.
  if (cur === undefined) throw new Error(`template: no value for {{ ${key} }}`);
  return cur;
}
