import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The one way to find the package's templates/ directory. Source (webhook/template/ under tsx) and
// build output (dist/webhook/template/) sit at different depths, so the search walks up.

/** The templates/ directory holding `file`, nearest above this module; throws when there is none. */
export function templatesDirWith(file: string): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, file))) return candidate;
    if (dirname(dir) === dir) throw new Error(`templates/${file} not found above ${start}`);
  }
}
