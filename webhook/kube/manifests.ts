import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../admission/types.js';

/** A manifest that could not be read, naming the file (and document) and what is wrong. */
export class ManifestError extends Error {
  constructor(readonly source: string, detail: string) {
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

/** Reads files and directories (recursively: .yaml, .yml, .json) in a stable order. */
export function readManifestPaths(paths: readonly string[]): SourcedObject[] {
  const out: SourcedObject[] = [];
  const visit = (path: string): void => {
    let stat;
    try {
      stat = statSync(path);
    } catch (err) {
      throw new ManifestError(path, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        const child = join(path, entry);
        if (statSync(child).isDirectory() || ['.yaml', '.yml', '.json'].includes(extname(entry))) visit(child);
      }
      return;
    }
    out.push(...parseManifests(readFileSync(path, 'utf8'), path));
  };
  for (const path of paths) visit(path);
  return out;
}
