import { sameJson } from './same-json.js';
import type { PatchOperation } from './types.js';

// AdmissionResponse.patch is base64 of the JSON patch. Most of its bytes are the injected
// containers, the same frozen objects for every replica of a workload (inject/injected-containers.ts),
// so their encoded form is remembered instead of being serialised, UTF-8-encoded and base64-encoded
// on every admission. Base64 turns each 3 bytes into 4 characters, so the encoding of a
// concatenation is the concatenation of the encodings when every part but the last is a multiple
// of 3 bytes long; parts end on a JSON token boundary and are padded to that length with spaces,
// which JSON allows between tokens. The decoded patch is JSON.stringify's, plus at most two spaces
// per part.

interface Encoded {
  readonly json: string;
  readonly bare: Buffer;
  /** The encoding of "," + JSON, made when first needed: most remembered values follow a comma. */
  afterComma?: Buffer;
}

const ENCODED = new WeakMap<object, Encoded>();

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

/** Base64 (as ASCII bytes) of `text` padded with spaces to a multiple of 3 bytes: no '=' at the end. */
function alignedBase64(text: string): Buffer {
  const rest = Buffer.byteLength(text) % 3;
  const padded = rest === 0 ? text : rest === 1 ? `${text}  ` : `${text} `;
  return Buffer.from(Buffer.from(padded).toString('base64'), 'latin1');
}

/** Deep-freezes `value` and remembers its encoded JSON for encodePatch(). Returns `value`. */
export function frozenJson<T extends object>(value: T): T {
  deepFreeze(value);
  const json = JSON.stringify(value);
  ENCODED.set(value, { json, bare: alignedBase64(json) });
  return value;
}

// Operations equal to one made before for the same workload (a probe rewrite in another replica):
// the earlier, frozen one is handed out, and with it its remembered encoding. Kept per caller-chosen
// scope (the workload), so workloads do not crowd each other out; both levels are bounded.
const SHARED = new Map<string, Map<string, PatchOperation>>();
const SHARED_SCOPES = 512;
const SHARED_PATHS_PER_SCOPE = 64;

/** {op, path, value}, frozen with its encoding remembered: the one made before in `scope` if it had the same JSON. */
export function sharedOperation(scope: string, op: PatchOperation['op'], path: string, value: object): PatchOperation {
  let byPath = SHARED.get(scope);
  if (!byPath) {
    if (SHARED.size >= SHARED_SCOPES) SHARED.delete(SHARED.keys().next().value!);
    SHARED.set(scope, (byPath = new Map()));
  }
  const made = byPath.get(path);
  if (made && made.op === op && sameJson(made.value, value)) return made;
  const operation = frozenJson({ op, path, value });
  if (made || byPath.size < SHARED_PATHS_PER_SCOPE) byPath.set(path, operation);
  return operation;
}

function known(value: unknown): Encoded | undefined {
  return typeof value === 'object' && value !== null ? ENCODED.get(value) : undefined;
}

class PatchEncoder {
  readonly parts: Buffer[] = [];
  private text = '';

  append(text: string): void {
    this.text += text;
  }

  /** JSON of `value`, using remembered encodings for frozenJson values (whole operations too) and arrays holding them. */
  value(value: unknown): void {
    const encoded = known(value);
    if (encoded && this.text === ',') {
      this.parts.push((encoded.afterComma ??= alignedBase64(`,${encoded.json}`)));
      this.text = '';
    } else if (encoded) {
      if (this.text !== '') this.parts.push(alignedBase64(this.text));
      this.parts.push(encoded.bare);
      this.text = '';
    } else if (Array.isArray(value) && value.some(known)) {
      this.text += '[';
      value.forEach((item, i) => {
        if (i > 0) this.text += ',';
        if (known(item)) this.value(item);
        else this.text += JSON.stringify(item) ?? 'null';
      });
      this.text += ']';
    } else {
      this.text += JSON.stringify(value);
    }
  }

  finish(): Buffer[] {
    this.parts.push(Buffer.from(Buffer.from(this.text).toString('base64'), 'latin1'));
    return this.parts;
  }
}

/** The base64 of the JSON patch, in parts (ASCII bytes) to be concatenated. */
export function encodePatch(patch: readonly PatchOperation[]): Buffer[] {
  const encoder = new PatchEncoder();
  encoder.append('[');
  patch.forEach((op, i) => {
    if (i > 0) encoder.append(',');
    if (known(op)) return encoder.value(op);
    const keys = Object.keys(op);
    if (keys.length === 3 && keys[0] === 'op' && keys[1] === 'path' && keys[2] === 'value' && op.value !== undefined) {
      encoder.append(`{"op":${JSON.stringify(op.op)},"path":${JSON.stringify(op.path)},"value":`);
      encoder.value(op.value);
      encoder.append('}');
    } else {
      encoder.append(JSON.stringify(op));
    }
  });
  encoder.append(']');
  return encoder.finish();
}
