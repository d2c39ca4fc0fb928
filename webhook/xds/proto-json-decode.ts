// protobuf bytes → proto3 JSON, the inverse of proto-json.ts: for tests (a round trip must give back
// what the renderers wrote) and for debug output. Field names are the proto names (snake_case),
// as our renderers write them; fields at their default are left out, as proto3 JSON does.

import protobuf, { type Field, type Type } from 'protobufjs';
import { messageType } from './proto-root.js';
import { enumToJson, isDefaultScalar, scalarToJson } from './proto-json-scalars.js';
import { wellKnownName, wellKnownToJson } from './proto-json-wkt.js';

type Obj = Record<string, unknown>;

/** An Any's type URL and bytes → {"@type", ...fields} (a packed well-known type under "value"). */
export function unpackAny(typeUrl: string, value: Uint8Array): Obj {
  const type = messageType(typeUrl);
  if (!type) throw new Error(`cannot decode ${typeUrl}: not a message of the Envoy API in proto-root.ts`);
  const decoded = type.decode(value) as unknown as Obj;
  const special = type.fullName === '.google.protobuf.Any' || wellKnownName(type) !== undefined;
  return special
    ? { '@type': typeUrl, value: messageToJson(type, decoded) }
    : { '@type': typeUrl, ...(messageToJson(type, decoded) as Obj) };
}

/** A decoded message (protobufjs form) → its proto3 JSON. */
export function messageToJson(type: Type, msg: Obj): unknown {
  if (type.fullName === '.google.protobuf.Any')
    return unpackAny(String(msg.type_url ?? ''), (msg.value as Uint8Array | undefined) ?? new Uint8Array());
  const wkt = wellKnownName(type);
  if (wkt) return wellKnownToJson(wkt, type, msg);
  const out: Obj = {};
  for (const field of type.fieldsArray) {
    // Decode sets only the fields on the wire; defaults live on the prototype.
    if (!Object.prototype.hasOwnProperty.call(msg, field.name) || msg[field.name] == null) continue;
    const value = msg[field.name];
    if (field.map) {
      const entries = Object.entries(value as Obj);
      if (entries.length > 0) out[field.name] = Object.fromEntries(entries.map(([k, v]) => [k, single(field, v)]));
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length > 0) out[field.name] = items.map((v) => single(field, v));
    } else {
      const json = single(field, value);
      const presence = Boolean(field.partOf) || field.resolvedType instanceof protobuf.Type;
      const isDefault = field.resolvedType instanceof protobuf.Enum ? value === 0 : isDefaultScalar(json);
      if (presence || !isDefault) out[field.name] = json;
    }
  }
  return out;
}

function single(field: Field, value: unknown): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageToJson(resolved, value as Obj);
  if (resolved instanceof protobuf.Enum)
    return resolved.fullName === '.google.protobuf.NullValue' ? null : enumToJson(resolved, value as number);
  return scalarToJson(field.type, value);
}
