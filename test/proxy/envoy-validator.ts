// Envoy's own API schema as the judge of rendered bootstraps and SDS files (Envoy itself can't be
// installed here). Wraps the Go helper test/go/cmd/envoy-validate: built once per source version
// into a cache outside the repo, then one process invocation validates a whole batch of documents.
//
//   before(async function () { this.timeout(600_000); await ensureEnvoyValidator(); });
//   const { ok, errors } = await validateEnvoyJson([{ name: 'web', json: bootstrap }]);
//   const bytes = await validateEnvoyResources([{ name: 'inbound', ...encodeResource(listener) }]);

import { spawn } from 'node:child_process';
import { ensureGoTool, GO_TOOLS_MODULE } from '../../scripts/go-tool.js';

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

/** Path of the validator binary, building it on first use (minutes when the Go cache is cold). */
export function ensureEnvoyValidator(log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<string> {
  return ensureGoTool('envoy-validate', GO_TOOLS_MODULE, './cmd/envoy-validate', log);
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
  const stdout = await run(binary, [], GO_TOOLS_MODULE, JSON.stringify(payload), [0, 1]);
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
