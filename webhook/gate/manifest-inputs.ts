import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ManifestError, parseManifests, type SourcedObject } from '../kube/manifests.js';

// Reads `-f` arguments for `meshward check`: files, directories (recursively: .yaml, .yml,
// .json, in a stable order) and `-` for standard input. File contents go through `readFile` so
// callers and tests can supply them; every failure is a ManifestError naming the file.

export type ReadFile = (path: string) => string | Promise<string>;

const EXTENSIONS = ['.yaml', '.yml', '.json'];

function expand(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    throw new ManifestError(path, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => {
      const child = join(path, entry);
      return statSync(child).isDirectory() || EXTENSIONS.includes(extname(entry)) ? expand(child) : [];
    });
}

/** Every object in the given paths, in order; throws ManifestError on the first bad file. */
export async function readManifestInputs(paths: readonly string[], readFile: ReadFile, readStdin: () => Promise<string>): Promise<SourcedObject[]> {
  const out: SourcedObject[] = [];
  for (const path of paths) {
    const files = path === '-' ? ['-'] : expand(path);
    for (const file of files) {
      let text: string;
      try {
        text = file === '-' ? await readStdin() : await readFile(file);
      } catch (err) {
        throw new ManifestError(file === '-' ? '<stdin>' : file, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      out.push(...parseManifests(text, file === '-' ? '<stdin>' : file));
    }
  }
  return out;
}

export const readFileUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

export async function readAll(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
