// The pure generator: capture settings → iptables-restore input, one ruleset per IP family.
//
// Applying: `iptables-restore --noflush` (see meshward-init.sh). Declaring our chains flushes and
// refills them, so only meshward's own chains change; the two jumps from PREROUTING/OUTPUT are the
// only lines in built-in chains, and the init script adds them only when absent (and deletes stale
// or duplicate ones), so re-applying leaves the same table. Other tools' nat rules in the pod's
// netns are kept. Every line is written exactly as iptables-save prints it, so the rules in the
// pod spec can be compared with the kernel's table line by line.

import { PORTS, PROXY_OWN_PORTS } from '../config/names.js';
import { parseCidr, type Cidr, type IpFamily } from './cidr.js';
import { CHAINS, LOOPBACK, type CaptureRules, type CaptureSettings } from './settings.js';

/** A programming error: settings that did not come from captureSettingsFromAnnotations. */
export class CaptureSettingsError extends Error {
  constructor(
    readonly field: string,
    readonly accepted: string,
    value: unknown,
  ) {
    super(`capture settings: ${field} = ${JSON.stringify(value)} is invalid; expected ${accepted}`);
    this.name = 'CaptureSettingsError';
  }
}

/** Deterministic: the same settings always give the same bytes. Throws CaptureSettingsError. */
export function buildCaptureRules(settings: CaptureSettings): CaptureRules {
  const checked = checkSettings(settings);
  return {
    ipv4: settings.ipv4 ? familyRules(settings, checked, 'ipv4') : '',
    ipv6: settings.ipv6 ? familyRules(settings, checked, 'ipv6') : '',
  };
}

interface Checked {
  readonly inboundReturnPorts: readonly number[];
  readonly outboundReturnPorts: readonly number[];
  readonly excludeCidrs: readonly Cidr[];
  readonly includeCidrs: readonly Cidr[] | '*';
}

function familyRules(s: CaptureSettings, c: Checked, family: IpFamily): string {
  const { loopback, passthroughSource } = LOOPBACK[family];
  const { inbound, inRedirect, output, redirect } = CHAINS;
  const dest = (cidr: Cidr): string => (cidr.prefix === 0 ? '' : `-d ${cidr.text} `); // /0 prints as no -d
  // Written in iptables-save's order (built-in chains, then ours sorted by name), so the text
  // matches the kernel's table line by line.
  const out: string[] = [
    '*nat',
    ...Object.values(CHAINS)
      .sort()
      .map((chain) => `:${chain} - [0:0]`),
  ];
  const add = (chain: string, spec: string): void => void out.push(`-A ${chain} ${spec}`);

  add('PREROUTING', `-p tcp -j ${inbound}`);
  add('OUTPUT', `-p tcp -j ${output}`);

  for (const port of c.inboundReturnPorts) add(inbound, `-p tcp -m tcp --dport ${port} -j RETURN`);
  add(inbound, `-p tcp -j ${inRedirect}`);

  add(inRedirect, `-p tcp -j REDIRECT --to-ports ${PORTS.inbound}`);

  // Excluded ports first, as Istio does: they win over every owner rule below.
  for (const port of c.outboundReturnPorts) add(output, `-p tcp -m tcp --dport ${port} -j RETURN`);
  // The proxy forwarding inbound traffic to the app on the pod IP binds this source: not again.
  add(output, `-s ${passthroughSource} -o lo -j RETURN`);
  for (const owner of [`--uid-owner ${s.proxyUid}`, `--gid-owner ${s.proxyGid}`]) {
    // The proxy calling its own pod (e.g. through a service VIP) goes out on lo to a non-loopback
    // address: treat it as inbound, so the pod's inbound policy applies, without a loop.
    add(output, `! -d ${loopback} -o lo -p tcp -m owner ${owner} -j ${inRedirect}`);
    // App-to-app traffic inside the pod stays uncaptured.
    add(output, `-o lo -m owner ! ${owner} -j RETURN`);
    // Everything else the proxy sends is already proxied: capturing it would loop.
    add(output, `-m owner ${owner} -j RETURN`);
  }
  add(output, `-d ${loopback} -j RETURN`);
  for (const cidr of c.excludeCidrs) if (cidr.family === family) add(output, `${dest(cidr)}-j RETURN`);
  if (c.includeCidrs === '*') add(output, `-j ${redirect}`);
  else for (const cidr of c.includeCidrs) if (cidr.family === family) add(output, `${dest(cidr)}-j ${redirect}`);

  add(redirect, `-p tcp -j REDIRECT --to-ports ${PORTS.outbound}`);
  return [...out, 'COMMIT', ''].join('\n');
}

function checkSettings(s: CaptureSettings): Checked {
  const id = (field: string, v: unknown): number => {
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 2147483647) {
      throw new CaptureSettingsError(field, 'an integer 1-2147483647 (0 would exempt root from capture)', v);
    }
    return v as number;
  };
  id('proxyUid', s.proxyUid);
  id('proxyGid', s.proxyGid);
  if (s.inboundPorts !== 'all') throw new CaptureSettingsError('inboundPorts', "'all'", s.inboundPorts);
  if (s.ipv4 !== true && s.ipv6 !== true) {
    throw new CaptureSettingsError('ipv4/ipv6', 'at least one family set to true', { ipv4: s.ipv4, ipv6: s.ipv6 });
  }
  const ports = (field: string, list: readonly number[], extra: readonly number[]): number[] => {
    if (!Array.isArray(list)) throw new CaptureSettingsError(field, 'an array of ports', list);
    for (const p of list) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw new CaptureSettingsError(field, 'TCP ports 1-65535', p);
    }
    return [...new Set([...extra, ...list])].sort((a, b) => a - b);
  };
  const cidrs = (field: string, list: readonly string[]): Cidr[] => {
    if (!Array.isArray(list)) throw new CaptureSettingsError(field, 'an array of CIDRs', list);
    const seen = new Map<string, Cidr>();
    for (const raw of list) {
      const cidr = typeof raw === 'string' ? parseCidr(raw) : undefined;
      if (cidr === undefined) throw new CaptureSettingsError(field, 'CIDRs such as 10.0.0.0/8 or fd00::/8', raw);
      if (!seen.has(cidr.text)) seen.set(cidr.text, cidr);
    }
    return [...seen.values()];
  };
  return {
    inboundReturnPorts: ports('excludeInboundPorts', s.excludeInboundPorts, PROXY_OWN_PORTS),
    outboundReturnPorts: ports('excludeOutboundPorts', s.excludeOutboundPorts, []),
    excludeCidrs: cidrs('excludeOutboundCidrs', s.excludeOutboundCidrs),
    includeCidrs: s.includeOutboundCidrs === '*' ? '*' : cidrs('includeOutboundCidrs', s.includeOutboundCidrs),
  };
}
