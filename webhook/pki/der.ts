import * as asn1js from 'asn1js';

// Minimal DER assembly. Leaf structures are encoded by @peculiar/asn1-schema; these helpers only
// concatenate already-encoded parts, so raw bytes (such as the issuer Name copied from the CA
// certificate) go into the output untouched.

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

export function derSequence(parts: readonly Uint8Array[]): Buffer {
  return tlv(0x30, Buffer.concat(parts.map((p) => Buffer.from(p))));
}

/** `[n] EXPLICIT` (constructed, context-specific) around one encoded value. */
export function derExplicit(tagNumber: number, inner: Uint8Array): Buffer {
  return tlv(0xa0 | tagNumber, Buffer.from(inner));
}

/** BIT STRING with zero unused bits (signature values). */
export function derBitString(bytes: Uint8Array): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), Buffer.from(bytes)]));
}

/** Positive INTEGER from big-endian magnitude bytes (adds the 0x00 sign byte when needed). */
export function derPositiveInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = Buffer.from(magnitude.subarray(start));
  const body = (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
  return tlv(0x02, body);
}

/** The exact DER bytes of a certificate's subject Name, as the issuer of certificates it signs. */
export function rawSubjectName(certDer: Uint8Array): Buffer {
  const parsed = asn1js.fromBER(new Uint8Array(certDer));
  if (parsed.offset === -1) throw new Error(`certificate DER does not parse: ${parsed.result.error}`);
  const cert = parsed.result as asn1js.Sequence;
  const tbs = cert.valueBlock.value[0] as asn1js.Sequence | undefined;
  const fields = tbs?.valueBlock.value ?? [];
  const first = fields[0];
  const hasVersion = first?.idBlock.tagClass === 3 && first.idBlock.tagNumber === 0;
  const subject = fields[(hasVersion ? 1 : 0) + 4];
  if (!subject) throw new Error('certificate DER has no subject field');
  return Buffer.from(subject.valueBeforeDecodeView);
}
