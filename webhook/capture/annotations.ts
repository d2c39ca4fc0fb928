// Pod annotations → capture settings. Every invalid annotation is reported (not just the first),
// each naming the annotation, the value and the accepted form, so the injector can deny the pod
// with one message that says everything to fix.

import { ANNOTATION_PREFIX } from '../config/names.js';
import type { ProxyConfig } from '../config/types.js';
import { CIDR_FORM, parseCidr } from './cidr.js';
import type { CaptureSettings } from './settings.js';

export interface AnnotationError {
  /** The full annotation name, e.g. meshward.io/exclude-inbound-ports. */
  readonly field: string;
  readonly value: string;
  readonly message: string;
}

export type CaptureSettingsResult = { readonly settings: CaptureSettings } | { readonly errors: readonly AnnotationError[] };

/** Which IP families the pod's rules cover. Default both: a dual-stack-capable pod must not leak
 * IPv6 traffic; clusters whose nodes have no IPv6 at all pass { ipv4: true, ipv6: false }. */
export interface IpFamilies {
  readonly ipv4: boolean;
  readonly ipv6: boolean;
}

const PORTS_FORM = 'a comma-separated list of TCP ports 1-65535, e.g. "8080,9090" (empty for none)';
const CIDRS_FORM = `a comma-separated list of CIDRs (${CIDR_FORM}; empty for none)`;
const INCLUDE_FORM = `"*" (every destination, the default) or a comma-separated list of CIDRs (${CIDR_FORM})`;

export function captureSettingsFromAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  config: { readonly proxy: Pick<ProxyConfig, 'uid' | 'gid'> },
  families: IpFamilies = { ipv4: true, ipv6: true },
): CaptureSettingsResult {
  const errors: AnnotationError[] = [];
  const read = (name: string): { field: string; value: string } | undefined => {
    const field = `${ANNOTATION_PREFIX}${name}`;
    const value = annotations?.[field];
    return value === undefined ? undefined : { field, value };
  };
  const fail = (field: string, value: string, why: string, form: string): void => {
    errors.push({ field, value, message: `${field}: ${JSON.stringify(value)} is invalid: ${why}; accepted: ${form}` });
  };

  const portList = (name: string, starHint: string): number[] => {
    const a = read(name);
    if (a === undefined) return [];
    const ports: number[] = [];
    for (const item of listItems(a.value)) {
      if (item === '*') fail(a.field, a.value, starHint, PORTS_FORM);
      else if (!/^[0-9]{1,5}$/.test(item) || Number(item) < 1 || Number(item) > 65535) {
        fail(a.field, a.value, item === '' ? 'empty list item' : `"${item}" is not a port 1-65535`, PORTS_FORM);
      } else ports.push(Number(item));
    }
    return [...new Set(ports)].sort((x, y) => x - y);
  };
  const cidrList = (field: string, value: string, form: string): string[] => {
    const cidrs: string[] = [];
    for (const item of listItems(value)) {
      const cidr = parseCidr(item);
      if (cidr === undefined) fail(field, value, item === '' ? 'empty list item' : `"${item}" is not a CIDR`, form);
      else if (!cidrs.includes(cidr.text)) cidrs.push(cidr.text);
    }
    return cidrs;
  };

  const excludeInboundPorts = portList(
    'exclude-inbound-ports',
    '"*" would turn inbound capture (and so mTLS) off; opt the pod out with meshward.io/inject: "false" instead',
  );
  const excludeOutboundPorts = portList(
    'exclude-outbound-ports',
    '"*" is not a port; to stop capturing outbound traffic use meshward.io/exclude-outbound-cidrs: "0.0.0.0/0,::/0"',
  );
  const ex = read('exclude-outbound-cidrs');
  const excludeOutboundCidrs = ex === undefined ? [] : cidrList(ex.field, ex.value, CIDRS_FORM);
  const inc = read('include-outbound-cidrs');
  let includeOutboundCidrs: string[] | '*' = '*';
  if (inc !== undefined && inc.value.trim() !== '*') {
    if (inc.value.trim() === '') {
      // Istio reads an empty include list as "capture nothing"; too easy to do by accident.
      fail(inc.field, inc.value, 'an empty list would capture no outbound traffic', INCLUDE_FORM);
    } else {
      includeOutboundCidrs = cidrList(inc.field, inc.value, INCLUDE_FORM);
    }
  }

  if (errors.length > 0) return { errors };
  return {
    settings: {
      proxyUid: config.proxy.uid,
      proxyGid: config.proxy.gid,
      inboundPorts: 'all',
      excludeInboundPorts,
      excludeOutboundPorts,
      excludeOutboundCidrs,
      includeOutboundCidrs,
      ipv4: families.ipv4,
      ipv6: families.ipv6,
    },
  };
}

/** "a, b" → ["a", "b"]; a blank value is an empty list, but "a,,b" keeps its empty item. */
function listItems(value: string): string[] {
  if (value.trim() === '') return [];
  return value.split(',').map((s) => s.trim());
}
