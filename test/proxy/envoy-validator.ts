// Envoy's own API schema as the judge of rendered bootstraps and SDS files (Envoy itself can't be
// installed here). Wraps the Go helper in envoy-validate/: built once per source version into a
// cache outside the repo, then one process invocation validates a whole batch of documents.
//
//   before(async function () { this.timeout(600_000); await ensureEnvoyValidator(); });
//   const { ok, errors } = await validateEnvoyJson([{ name: 'web', json: bootstrap }]);
//   const bytes = await validateEnvoyResources([{ name: 'inbound', ...encodeResource(listener) }]);

import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface EnvoyDoc {
  name: string;
  /** The document: an object (serialised here) or JSON text (sent byte for byte). */
  json: unknown;
  /** Default: guessed ("resources" at the top ⇒ an SDS file, else a bootstrap). */
  kind?: 'bootstrap' | 'sds';
}

/** One xDS resource as the control plane sends it: an Any's type URL and protobuf bytes. */
export interface EnvoyResourceDoc {
  name: string;
  typeUrl: string;
  value: Uint8Array;
}

export interface EnvoyDocResult {
  name: string;
  ok: boolean;
  errors: string[];
}

export interface EnvoyValidation {
  ok: boolean;
  /** Every violation, each prefixed with its document's name. */
  errors: string[];
  results: EnvoyDocResult[];
}

const SOURCE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'envoy-validate');
let building: Promise<string> | undefined;

/** Path of the validator binary, building it on first use (minutes when the Go cache is cold). */
export function ensureEnvoyValidator(log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<string> {
  building ??= build(log);
  return building;
}

async function build(log: (msg: string) => void): Promise<string> {
  const go = goBinary();
  const hash = createHash('sha256');
  for (const file of readdirSync(SOURCE_DIR)
    .filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'))
    .sort()) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(SOURCE_DIR, file)))
      .update('\0');
  }
  hash.update(execFileSync(go, ['env', 'GOVERSION'], { encoding: 'utf8' }).trim());
  const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'meshward');
  const binary = join(cacheDir, `envoy-validate-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir, { recursive: true });
  log(`envoy-validate: building ${binary} (go-control-plane; the first build may take a few minutes)…`);
  const started = Date.now();
  const tmp = `${binary}.tmp-${process.pid}`;
  await run(go, ['build', '-trimpath', '-buildvcs=false', '-o', tmp, '.'], SOURCE_DIR, '');
  renameSync(tmp, binary); // atomic: a concurrent run sees the whole binary or none
  log(`envoy-validate: built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return binary;
}

function goBinary(): string {
  if (process.env.GO) return process.env.GO;
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return 'go';
  } catch {
    if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
    throw new Error('envoy-validate needs Go (set $GO or put go on PATH)');
  }
}

/** Validates all documents in one process: decode (strict), schema rules, load-time checks. */
export function validateEnvoyJson(docs: readonly EnvoyDoc[]): Promise<EnvoyValidation> {
  return validateBatch(
    docs.map((d) => ({ name: d.name, kind: d.kind ?? '', text: typeof d.json === 'string' ? d.json : JSON.stringify(d.json) })),
  );
}

/**
 * Validates binary resources in one process: each is decoded into go-control-plane's type for its
 * type URL (unknown field numbers are errors, nested Anys included), then schema rules and the
 * load-time checks that apply to a single Listener or Cluster.
 */
export function validateEnvoyResources(docs: readonly EnvoyResourceDoc[]): Promise<EnvoyValidation> {
  return validateBatch(
    docs.map((d) => ({
      name: d.name,
      kind: 'any',
      text: JSON.stringify({
        type_url: d.typeUrl,
        value: Buffer.from(d.value.buffer, d.value.byteOffset, d.value.byteLength).toString('base64'),
      }),
    })),
  );
}

async function validateBatch(payload: Array<{ name: string; kind: string; text: string }>): Promise<EnvoyValidation> {
  const binary = await ensureEnvoyValidator();
  const stdout = await run(binary, [], SOURCE_DIR, JSON.stringify(payload), [0, 1]);
  const results = JSON.parse(stdout) as EnvoyDocResult[];
  return {
    ok: results.every((r) => r.ok),
    errors: results.flatMap((r) => r.errors.map((e) => `${r.name}: ${e}`)),
    results,
  };
}

function run(cmd: string, args: string[], cwd: string, stdin: string, okCodes: number[] = [0]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== null && okCodes.includes(code)) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.end(stdin);
  });
}
