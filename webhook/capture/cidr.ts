// CIDR parsing for capture rules. Values end up verbatim in iptables-restore input, so they are
// parsed fully (never pattern-matched and passed through) and re-printed in the canonical form
// iptables-save uses: network address (host bits cleared), IPv6 compressed per RFC 5952.

export type IpFamily = 'ipv4' | 'ipv6';

export interface Cidr {
  readonly family: IpFamily;
  /** Canonical text, e.g. 10.0.0.0/8 or fd00:250::/64. */
  readonly text: string;
  readonly prefix: number;
}

export const CIDR_FORM = 'a CIDR such as 10.0.0.0/8 or fd00::/8';

/** Parses "a.b.c.d/n" or "x:y::z/n"; undefined when it is neither. Host bits are cleared. */
export function parseCidr(raw: string): Cidr | undefined {
  const slash = raw.indexOf('/');
  if (slash < 0 || slash !== raw.lastIndexOf('/')) return undefined;
  const addr = raw.slice(0, slash);
  const prefixText = raw.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (addr.includes(':')) {
    const groups = parseIpv6(addr);
    if (groups === undefined || prefix > 128) return undefined;
    return { family: 'ipv6', prefix, text: `${formatIpv6(maskBits(groups, 16, prefix))}/${prefix}` };
  }
  const octets = parseIpv4(addr);
  if (octets === undefined || prefix > 32) return undefined;
  return { family: 'ipv4', prefix, text: `${maskBits(octets, 8, prefix).join('.')}/${prefix}` };
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    // No leading zeros: "010" means octal to some tools and decimal to others.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    octets.push(n);
  }
  return octets;
}

/** Eight 16-bit groups, or undefined. Accepts "::" compression and a trailing dotted quad. */
function parseIpv6(text: string): number[] | undefined {
  let head = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parseGroups(halves[0]!);
  const right = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (left === undefined || right === undefined) return undefined;
  const explicit = left.length + right.length + tail.length;
  if (halves.length === 1) return explicit === 8 ? [...left, ...tail] : undefined;
  if (explicit > 7) return undefined; // "::" stands for at least one zero group
  return [...left, ...new Array<number>(8 - explicit).fill(0), ...right, ...tail];
}

/** RFC 5952: lowercase, no leading zeros, longest run (≥ 2) of zero groups becomes "::". */
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function maskBits(units: readonly number[], width: number, prefix: number): number[] {
  return units.map((u, i) => {
    const keep = Math.max(0, Math.min(width, prefix - i * width));
    const mask = keep === 0 ? 0 : ((1 << width) - 1) ^ ((1 << (width - keep)) - 1);
    return u & mask;
  });
}
