// proto3 JSON ↔ protobufjs values for scalar and enum fields. The JSON side is the canonical
// mapping (64-bit integers may be numbers or decimal strings, floats may be "NaN"/"Infinity",
// bytes are base64, enums are names or numbers); the protobufjs side is what Type.encode writes and
// Type.decode returns (numbers, Long or decimal strings for 64 bits, Uint8Array, enum numbers).

import type { Enum } from 'protobufjs';
import { describeJson, XdsEncodeError } from './encode-error.js';

const INT_RANGES: Record<string, readonly [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

const LONG_KINDS = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);
const FLOAT_WORDS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
const FLOAT32_MAX = 3.4028234663852886e38;
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/** The accepted JSON form of a scalar kind, as error messages state it. */
export function scalarForm(kind: string): string {
  const range = INT_RANGES[kind];
  if (range) return `an integer ${range[0]}..${range[1]} (${kind}; a number or a decimal string)`;
  switch (kind) {
    case 'string':
      return 'a string';
    case 'bool':
      return 'true or false';
    case 'bytes':
      return 'base64 text (bytes)';
    default:
      return `a number or "NaN", "Infinity", "-Infinity" (${kind})`;
  }
}

/** A scalar field's JSON value as protobufjs writes it; `owner` (Message.field) names it in errors. */
export function scalarFromJson(kind: string, json: unknown, path: string, owner: string): unknown {
  const range = INT_RANGES[kind];
  if (range) {
    const text = typeof json === 'number' && Number.isInteger(json) ? BigInt(json).toString() : typeof json === 'string' ? json : '';
    if (/^-?\d+$/.test(text) && BigInt(text) >= range[0] && BigInt(text) <= range[1]) {
      // Beyond 2^53 a JSON number has already lost digits: only a string says which integer was meant.
      if (typeof json === 'number' && !Number.isSafeInteger(json)) fail(path, owner, kind, json, '; write it as a decimal string');
      return LONG_KINDS.has(kind) ? BigInt(text).toString() : Number(text);
    }
  } else if (kind === 'string' && typeof json === 'string') {
    return json;
  } else if (kind === 'bool' && typeof json === 'boolean') {
    return json;
  } else if (kind === 'bytes' && typeof json === 'string' && BASE64.test(json)) {
    return new Uint8Array(Buffer.from(json, 'base64'));
  } else if (kind === 'double' || kind === 'float') {
    const n = typeof json === 'number' ? json : typeof json === 'string' ? floatText(json) : undefined;
    if (n !== undefined && !(kind === 'float' && Number.isFinite(n) && Math.abs(n) > FLOAT32_MAX)) return n;
  }
  return fail(path, owner, kind, json);
}

function floatText(text: string): number | undefined {
  if (text in FLOAT_WORDS) return FLOAT_WORDS[text];
  return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? Number(text) : undefined;
}

function fail(path: string, owner: string, kind: string, json: unknown, hint = ''): never {
  throw new XdsEncodeError(path, `${owner} takes ${scalarForm(kind)}, got ${describeJson(json)}${hint}`);
}

/** Whether a scalar is its kind's default (proto3 leaves such a field off the wire). */
export function isDefaultScalar(value: unknown): boolean {
  if (value instanceof Uint8Array) return value.length === 0;
  return value === 0 || value === '' || value === false || value === '0';
}

/** An enum value by name or number; only values the enum defines (a typo is not an unknown future value). */
export function enumFromJson(e: Enum, json: unknown, path: string, owner: string): number {
  if (typeof json === 'string' && Object.prototype.hasOwnProperty.call(e.values, json)) return e.values[json]!;
  if (typeof json === 'number' && Number.isInteger(json) && e.valuesById[json] !== undefined) return json;
  const names = Object.keys(e.values);
  const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
  throw new XdsEncodeError(
    path,
    `${owner} takes a value of enum ${e.fullName.slice(1)}: ${shown} (or its number), got ${describeJson(json)}`,
  );
}

export function enumToJson(e: Enum, value: number): string | number {
  return e.valuesById[value] ?? value;
}

/** A decoded scalar in proto3 JSON: 64-bit integers as decimal strings, bytes as base64. */
export function scalarToJson(kind: string, value: unknown): unknown {
  if (LONG_KINDS.has(kind)) return String(value); // a Long prints itself in decimal, signed or not
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (kind === 'float' && typeof value === 'number') return shortestFloat32(value);
  return value;
}

/** A float field decodes to the nearest double (0.1 → 0.10000000149011612); print it as float32 would. */
function shortestFloat32(value: number): number {
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}
