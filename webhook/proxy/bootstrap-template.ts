// The editable bootstrap template (templates/envoy-bootstrap.yaml), read once. It is filled by the
// one template engine (template/fill-template.ts), which documents the placeholder forms.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { templatesDirWith } from '../template/templates-dir.js';

export const BOOTSTRAP_TEMPLATE_FILE = 'envoy-bootstrap.yaml';

let cached: unknown;

/** The parsed default template, read once from the package's templates/. */
export function defaultBootstrapTemplate(): unknown {
  if (cached === undefined)
    cached = parseBootstrapTemplate(readFileSync(join(templatesDirWith(BOOTSTRAP_TEMPLATE_FILE), BOOTSTRAP_TEMPLATE_FILE), 'utf8'));
  return cached;
}

export function parseBootstrapTemplate(text: string): unknown {
  return parseYaml(text, { schema: 'core', uniqueKeys: true });
}
