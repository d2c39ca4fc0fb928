import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../admission/types.js';

/** A manifest that could not be read, naming the file (and document) and what is wrong. */
export class ManifestError extends Error {
  constructor(
    readonly source: string,
    detail: string,
  ) {
    super(`${source}: ${detail}`);
    this.name = 'ManifestError';
  }
}

/** One parsed object and where it came from (file#document), for messages. */
export interface SourcedObject {
  readonly object: KubeObject;
  readonly source: string;
}

function isObject(value: unknown): value is KubeObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses multi-document YAML or JSON; `kind: List` objects are flattened into their items. */
export function parseManifests(text: string, source: string): SourcedObject[] {
  const out: SourcedObject[] = [];
  const docs = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(docs)) return out; // an empty stream
  docs.forEach((doc, index) => {
    const where = docs.length > 1 ? `${source}#${index + 1}` : source;
    if (doc.errors.length > 0) throw new ManifestError(where, `not valid YAML/JSON: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    if (!isObject(value)) throw new ManifestError(where, 'each document must be a Kubernetes object (a mapping with apiVersion and kind)');
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((item: unknown, i: number) => {
        if (!isObject(item)) throw new ManifestError(`${where} items[${i}]`, 'must be a Kubernetes object');
        out.push({ object: item, source: `${where} items[${i}]` });
      });
      return;
    }
    out.push({ object: value, source: where });
  });
  return out;
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];

function cannotRead(path: string, err: unknown): ManifestError {
  return new ManifestError(path, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
}

/** A file, or a directory's manifest files (recursively: .yaml, .yml, .json) in a stable order. */
export function expandManifestPath(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    throw cannotRead(path, err);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => {
      const child = join(path, entry);
      return statSync(child).isDirectory() || EXTENSIONS.includes(extname(entry)) ? expandManifestPath(child) : [];
    });
}

/** Reads files and directories synchronously (start-up: --state; tests). */
export function readManifestPaths(paths: readonly string[]): SourcedObject[] {
  return paths.flatMap(expandManifestPath).flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw cannotRead(file, err);
    }
    return parseManifests(text, file);
  });
}

export type ReadFile = (path: string) => string | Promise<string>;

/** Reads `-f` arguments (files, directories, `-` for stdin) for the CLI; I/O is passed in. */
export async function readManifestInputs(
  paths: readonly string[],
  readFile: ReadFile,
  readStdin: () => Promise<string>,
): Promise<SourcedObject[]> {
  const out: SourcedObject[] = [];
  for (const path of paths) {
    for (const file of path === '-' ? ['-'] : expandManifestPath(path)) {
      const source = file === '-' ? '<stdin>' : file;
      let text: string;
      try {
        text = file === '-' ? await readStdin() : await readFile(file);
      } catch (err) {
        throw cannotRead(source, err);
      }
      out.push(...parseManifests(text, source));
    }
  }
  return out;
}

export const readFileUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

/** Reads a whole stream (standard input) as UTF-8 text. */
export async function readAll(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
