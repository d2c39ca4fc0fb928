import { isDeepFrozen } from '../json/deep-freeze.js';
import type { PatchOperation } from './types.js';

// AdmissionResponse.patch is base64 of the JSON patch. Most of its bytes are the injected
// containers, the same frozen objects for every replica of a workload (inject/injected-containers.ts),
// so the encoder remembers the encoded form of every deep-frozen value it meets, by identity, the
// first time it meets it, instead of serialising, UTF-8-encoding and base64-encoding it on every
// admission: a frozen value cannot change, so neither can its encoding. Base64 turns each 3 bytes
// into 4 characters, so the encoding of a concatenation is the concatenation of the encodings when
// every part but the last is a multiple of 3 bytes long; parts end on a JSON token boundary and are
// padded to that length with spaces, which JSON allows between tokens. The decoded patch is
// JSON.stringify's, plus at most two spaces per part.

interface Encoded {
  readonly json: string;
  readonly bare: Buffer;
  /** The encoding of "," + JSON, made when first needed: most remembered values follow a comma. */
  afterComma?: Buffer;
}

/**
 * The one cache of the encoder: frozen values met so far, with their encoding, or null when
 * frozen only on the surface (something inside could still change, so it is serialised each time).
 */
const ENCODED = new WeakMap<object, Encoded | null>();

/** Base64 (as ASCII bytes) of `text` padded with spaces to a multiple of 3 bytes: no '=' at the end. */
function alignedBase64(text: string): Buffer {
  const rest = Buffer.byteLength(text) % 3;
  const padded = rest === 0 ? text : rest === 1 ? `${text}  ` : `${text} `;
  return Buffer.from(Buffer.from(padded).toString('base64'), 'latin1');
}

/** The remembered encoding of a deep-frozen object (made on first sight); undefined for anything else. */
function known(value: unknown): Encoded | undefined {
  if (typeof value !== 'object' || value === null || !Object.isFrozen(value)) return undefined;
  let encoded = ENCODED.get(value);
  if (encoded === undefined) {
    if (isDeepFrozen(value)) {
      const json = JSON.stringify(value);
      encoded = { json, bare: alignedBase64(json) };
    } else encoded = null;
    ENCODED.set(value, encoded);
  }
  return encoded ?? undefined;
}

class PatchEncoder {
  readonly parts: Buffer[] = [];
  private text = '';

  append(text: string): void {
    this.text += text;
  }

  /** JSON of `value`, using remembered encodings for frozen values (whole operations too) and arrays holding them. */
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
