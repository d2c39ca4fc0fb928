// proto3 JSON → protobuf bytes, walking protobufjs reflection. Our renderers write Envoy config as
// proto3 JSON (what Envoy reads from a file); xDS carries the same messages as binary Anys.
// protobufjs' fromObject is no proto3 JSON parser (no Duration strings, wrappers, Struct or
// "@type", and it quietly drops unknown fields and coerces wrong types), so this walk checks every
// value against the schema and throws XdsEncodeError at the first one that does not fit.

import protobuf, { type Field, type MapField, type Type } from 'protobufjs';
import { closest, describeJson, fieldPath, isPlainObject, itemPath, XdsEncodeError } from './encode-error.js';
import { messageType } from './proto-root.js';
import { enumFromJson, isDefaultScalar, scalarFromJson } from './proto-json-scalars.js';
import { wellKnownFromJson, wellKnownName } from './proto-json-wkt.js';

type Obj = Record<string, unknown>;

export interface PackedAny {
  type_url: string;
  value: Uint8Array;
}

/**
 * An object carrying "@type" (a resource, or the value of an Any field) → its type URL and bytes.
 * `owner` (Message.field) is the Any field it fills; none for a resource.
 */
export function packAny(json: unknown, path: string, owner?: string): PackedAny {
  const what = owner === undefined ? 'a resource' : `${owner} (google.protobuf.Any)`;
  const at = fieldPath(path, '@type');
  if (!isPlainObject(json)) throw new XdsEncodeError(path, `${what} takes an object with "@type", got ${describeJson(json)}`);
  const typeUrl = json['@type'];
  if (typeof typeUrl !== 'string' || !typeUrl.includes('/')) {
    throw new XdsEncodeError(at, `${what} needs "@type": "type.googleapis.com/<full message name>", got ${describeJson(typeUrl)}`);
  }
  const type = messageType(typeUrl);
  if (!type) {
    throw new XdsEncodeError(
      at,
      `${what}: unknown type ${typeUrl}; expected type.googleapis.com/<a message of the Envoy API loaded in proto-root.ts>`,
    );
  }
  const { '@type': _, ...rest } = json;
  // A packed well-known type keeps its own JSON form under "value" (proto3 JSON's rule for Any).
  const special = type.fullName === '.google.protobuf.Any' || wellKnownName(type) !== undefined;
  const object = special
    ? convertMessage(type, rest.value, fieldPath(path, 'value'), type.fullName.slice(1))
    : messageFromJson(type, rest, path);
  if (special && Object.keys(rest).some((k) => k !== 'value')) {
    throw new XdsEncodeError(path, `a packed ${type.fullName.slice(1)} takes only "@type" and "value"`);
  }
  return { type_url: typeUrl, value: type.encode(object).finish() };
}

/** JSON for one message type (any kind, well-known included) → protobufjs object form. */
function convertMessage(type: Type, json: unknown, path: string, owner: string): Obj {
  if (type.fullName === '.google.protobuf.Any') return packAny(json, path, owner) as unknown as Obj;
  const wkt = wellKnownName(type);
  if (wkt) return wellKnownFromJson(wkt, type, json, path, owner);
  if (!isPlainObject(json))
    throw new XdsEncodeError(path, `${owner} takes an object (${type.fullName.slice(1)}), got ${describeJson(json)}`);
  return messageFromJson(type, json, path);
}

/** A plain message: every key must be a field (proto name or lowerCamel JSON name), at most one per oneof. */
export function messageFromJson(type: Type, json: Obj, path: string): Obj {
  const out: Obj = {};
  const setBy = new Map<string, string>(); // field or oneof name → the key that set it
  const typeName = type.fullName.slice(1);
  for (const [key, value] of Object.entries(json)) {
    if (value === undefined) continue; // a JS object's absent member; JSON has none
    const at = fieldPath(path, key);
    const field = type.fields[key] ?? jsonNames(type).get(key);
    if (!field) {
      const hint = closest(key, Object.keys(type.fields));
      throw new XdsEncodeError(at, `no such field in ${typeName}${hint ? ` (did you mean ${hint}?)` : ''}`);
    }
    // null means "not set", except where null is a value (google.protobuf.Value, NullValue).
    if (value === null && !acceptsNull(field)) continue;
    for (const slot of [field.name, field.partOf?.name]) {
      if (slot === undefined) continue;
      const earlier = setBy.get(slot);
      if (earlier !== undefined)
        throw new XdsEncodeError(at, `${typeName}: ${key} and ${earlier} set the same ${slot === field.name ? 'field' : `oneof ${slot}`}`);
      setBy.set(slot, key);
    }
    const converted = convertField(field, value, at, `${typeName}.${field.name}`);
    if (converted !== undefined) out[field.name] = converted;
  }
  return out;
}

function convertField(field: Field, value: unknown, path: string, owner: string): unknown {
  if (field.map) {
    if (!isPlainObject(value)) throw new XdsEncodeError(path, `${owner} takes an object (a map), got ${describeJson(value)}`);
    const keyType = (field as unknown as MapField).keyType;
    const entries = Object.entries(value).map(([k, v]) => {
      const at = itemPath(path, k);
      if (keyType !== 'string') scalarFromJson(keyType, k, at, `${owner} (map key)`); // a JSON key is text: ints as digits
      return [k, single(field, v, at, owner)];
    });
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw new XdsEncodeError(path, `${owner} takes a list, got ${describeJson(value)}`);
    return value.length > 0 ? value.map((v, i) => single(field, v, itemPath(path, i), owner)) : undefined;
  }
  const converted = single(field, value, path, owner);
  // proto3 leaves a default scalar off the wire, unless the field tracks presence (oneof, optional).
  return !field.partOf && !(field.resolvedType instanceof protobuf.Type) && isDefaultScalar(converted) ? undefined : converted;
}

function single(field: Field, value: unknown, path: string, owner: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return convertMessage(resolved, value, path, owner);
  if (resolved instanceof protobuf.Enum) return value === null ? 0 : enumFromJson(resolved, value, path, owner);
  if (value === null) throw new XdsEncodeError(path, `${owner}: null is not a ${field.type}`);
  return scalarFromJson(field.type, value, path, owner);
}

function acceptsNull(field: Field): boolean {
  const name = field.resolvedType?.fullName;
  return !field.repeated && !field.map && (name === '.google.protobuf.Value' || name === '.google.protobuf.NullValue');
}

const jsonNameCache = new WeakMap<Type, Map<string, Field>>();

/** lowerCamel JSON names (or an explicit json_name) → field, per type. */
function jsonNames(type: Type): Map<string, Field> {
  let names = jsonNameCache.get(type);
  if (!names) {
    names = new Map();
    for (const f of type.fieldsArray) {
      const explicit = f.options?.json_name as string | undefined;
      names.set(explicit ?? f.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), f);
    }
    jsonNameCache.set(type, names);
  }
  return names;
}
