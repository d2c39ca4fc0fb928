// The well-known types whose proto3 JSON is not their fields: Duration ("1.5s"), Timestamp
// (RFC 3339), the wrappers (a bare value), Struct/Value/ListValue (plain JSON), Empty and
// FieldMask. protobufjs' fromObject/toObject know none of these forms, and Envoy's API is full of
// them (every timeout is a Duration, every optional number a wrapper). Any lives in proto-json.ts.

import type { Type } from 'protobufjs';
import { describeJson, isPlainObject, itemPath, XdsEncodeError } from './encode-error.js';
import { isDefaultScalar, scalarFromJson, scalarToJson } from './proto-json-scalars.js';

type Obj = Record<string, unknown>;
const WRAPPERS = new Set(['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((w) => `${w}Value`));
const MAX_SECONDS = 315_576_000_000n; // ±10000 years, the range Duration allows
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** The google.protobuf message name when `type` has its own JSON form here, else undefined. */
export function wellKnownName(type: Type): string | undefined {
  const name = type.fullName.startsWith('.google.protobuf.') ? type.fullName.slice('.google.protobuf.'.length) : undefined;
  return name && (WRAPPERS.has(name) || ['Duration', 'Timestamp', 'Struct', 'Value', 'ListValue', 'Empty', 'FieldMask'].includes(name))
    ? name
    : undefined;
}

/** JSON → protobufjs object form for a well-known type; `owner` (Message.field) names the field in errors. */
export function wellKnownFromJson(name: string, type: Type, json: unknown, path: string, owner: string): Obj {
  const fail = (form: string): never => {
    throw new XdsEncodeError(path, `${owner} is a google.protobuf.${name}: expected ${form}, got ${describeJson(json)}`);
  };
  if (WRAPPERS.has(name)) {
    const value = scalarFromJson(type.fields.value!.type, json, path, `${owner} (google.protobuf.${name})`);
    return isDefaultScalar(value) ? {} : { value };
  }
  switch (name) {
    case 'Duration': {
      const m = typeof json === 'string' ? DURATION.exec(json) : null;
      if (!m || BigInt(m[2]!) > MAX_SECONDS) return fail('a string like "1.5s" or "0.000001s" (seconds, up to 9 decimals, then s)');
      const sign = m[1] ? -1 : 1;
      return secondsNanos(sign * Number(m[2]), sign * Number((m[3] ?? '').padEnd(9, '0')));
    }
    case 'Timestamp': {
      const m = typeof json === 'string' ? TIMESTAMP.exec(json) : null;
      const millis = m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]}`) : NaN;
      if (!m || Number.isNaN(millis)) return fail('an RFC 3339 time like "2024-05-01T12:00:00.5Z"');
      return secondsNanos(millis / 1000, Number((m[7] ?? '').padEnd(9, '0')));
    }
    case 'Empty':
      return isPlainObject(json) && Object.keys(json).length === 0 ? {} : fail('{}');
    case 'FieldMask':
      return typeof json === 'string'
        ? { paths: json === '' ? [] : json.split(',').map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)) }
        : fail('a string of comma-separated lowerCamel paths');
    case 'Struct':
      return isPlainObject(json) ? structFromJson(valueNames(type), json, path) : fail('an object');
    case 'ListValue':
      return Array.isArray(json) ? listFromJson(valueNames(type), json, path) : fail('a list');
    default:
      return valueFromJson(valueNames(type), json, path);
  }
}

function secondsNanos(seconds: number, nanos: number): Obj {
  return { ...(seconds !== 0 ? { seconds } : {}), ...(nanos !== 0 ? { nanos } : {}) };
}

/** google.protobuf.Value's field names, by kind. */
interface ValueNames {
  null: string;
  number: string;
  string: string;
  bool: string;
  struct: string;
  list: string;
}

const valueNamesCache = new WeakMap<Type, ValueNames>();

/** Read from the schema by field number: protobufjs' bundled struct.proto spells them lowerCamel, whatever keepCase says. */
function valueNames(type: Type): ValueNames {
  const value = (type.name === 'Value' ? type : (type.fields.fields ?? type.fields.values)!.resolvedType) as Type;
  let names = valueNamesCache.get(value);
  if (!names) {
    const name = (id: number): string => value.fieldsById[id]!.name;
    names = { null: name(1), number: name(2), string: name(3), bool: name(4), struct: name(5), list: name(6) };
    valueNamesCache.set(value, names);
  }
  return names;
}

function structFromJson(v: ValueNames, json: Obj, path: string): Obj {
  return { fields: Object.fromEntries(Object.entries(json).map(([k, x]) => [k, valueFromJson(v, x, itemPath(path, k))])) };
}

function listFromJson(v: ValueNames, json: unknown[], path: string): Obj {
  return { values: json.map((x, i) => valueFromJson(v, x, itemPath(path, i))) };
}

function valueFromJson(v: ValueNames, json: unknown, path: string): Obj {
  if (json === null) return { [v.null]: 0 };
  if (typeof json === 'number' && Number.isFinite(json)) return { [v.number]: json };
  if (typeof json === 'string') return { [v.string]: json };
  if (typeof json === 'boolean') return { [v.bool]: json };
  if (Array.isArray(json)) return { [v.list]: listFromJson(v, json, path) };
  if (isPlainObject(json)) return { [v.struct]: structFromJson(v, json, path) };
  throw new XdsEncodeError(path, `google.protobuf.Value takes any JSON value (finite numbers only), got ${describeJson(json)}`);
}

/** A decoded well-known message back to its JSON form. */
export function wellKnownToJson(name: string, type: Type, msg: Obj): unknown {
  if (WRAPPERS.has(name)) {
    const field = type.fields.value!;
    return scalarToJson(field.type, own(msg, 'value') ?? field.typeDefault);
  }
  switch (name) {
    case 'Duration':
      return `${fixed(own(msg, 'seconds'), own(msg, 'nanos'))}s`;
    case 'Timestamp': {
      const iso = new Date(Number(String(own(msg, 'seconds') ?? 0)) * 1000).toISOString().slice(0, 19);
      const frac = fixed(0, own(msg, 'nanos')).slice(1);
      return `${iso}${frac}Z`;
    }
    case 'Empty':
      return {};
    case 'FieldMask':
      return ((own(msg, 'paths') as string[] | undefined) ?? [])
        .map((p) => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()))
        .join(',');
    case 'Struct':
      return structToJson(valueNames(type), msg);
    case 'ListValue':
      return listToJson(valueNames(type), msg);
    default:
      return valueToJson(valueNames(type), msg);
  }
}

/** seconds.nanos with 0, 3, 6 or 9 decimals, as proto3 JSON prints it. */
function fixed(seconds: unknown, nanos: unknown): string {
  const s = BigInt(String(seconds ?? 0));
  const n = Number(nanos ?? 0);
  const sign = s < 0n || n < 0 ? '-' : '';
  let frac = String(Math.abs(n)).padStart(9, '0');
  while (frac.endsWith('000')) frac = frac.slice(0, -3);
  return `${sign}${s < 0n ? -s : s}${frac === '' ? '' : `.${frac}`}`;
}

function structToJson(v: ValueNames, msg: Obj): Obj {
  const fields = (own(msg, 'fields') as Record<string, Obj> | undefined) ?? {};
  return Object.fromEntries(Object.entries(fields).map(([k, x]) => [k, valueToJson(v, x)]));
}

function listToJson(v: ValueNames, msg: Obj): unknown[] {
  return ((own(msg, 'values') as Obj[] | undefined) ?? []).map((x) => valueToJson(v, x));
}

function valueToJson(v: ValueNames, msg: Obj): unknown {
  if (own(msg, v.struct) !== undefined) return structToJson(v, own(msg, v.struct) as Obj);
  if (own(msg, v.list) !== undefined) return listToJson(v, own(msg, v.list) as Obj);
  for (const key of [v.number, v.string, v.bool]) if (own(msg, key) !== undefined) return own(msg, key);
  return null;
}

/** A field decode actually set (protobufjs keeps defaults on the prototype). */
function own(msg: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(msg, key) ? msg[key] : undefined;
}
