// What a pod's traffic capture is made of, and the fixed names the rules use.

/** A pod's capture settings, after its annotations were validated. */
export interface CaptureSettings {
  /** Traffic owned by this UID or GID is the proxy's own: never captured outbound. */
  readonly proxyUid: number;
  readonly proxyGid: number;
  /** Inbound capture is always on for every port; only exclusions narrow it. */
  readonly inboundPorts: 'all';
  readonly excludeInboundPorts: readonly number[];
  readonly excludeOutboundPorts: readonly number[];
  /** CIDRs of either family; each goes to the ruleset of its own family. */
  readonly excludeOutboundCidrs: readonly string[];
  /** '*' captures every destination; a list captures only those (per family). */
  readonly includeOutboundCidrs: readonly string[] | '*';
  readonly ipv4: boolean;
  readonly ipv6: boolean;
}

/** iptables-restore input per family; '' when that family is not captured. */
export interface CaptureRules {
  readonly ipv4: string;
  readonly ipv6: string;
}

/** meshward's own nat chains. Only these are flushed and rebuilt on every apply. */
export const CHAINS = {
  inbound: 'MESHWARD_INBOUND',
  inRedirect: 'MESHWARD_IN_REDIRECT',
  output: 'MESHWARD_OUTPUT',
  redirect: 'MESHWARD_REDIRECT',
} as const;
/** Every meshward chain name starts with this; the init script reconciles jumps by it. */
export const CHAIN_PREFIX = 'MESHWARD_';

/** Per family: loopback, and the source the proxy binds to when it forwards inbound traffic to
 * the app on the pod IP (Istio's 127.0.0.6 trick), so that forward is not captured again. */
export const LOOPBACK = {
  ipv4: { loopback: '127.0.0.1/32', passthroughSource: '127.0.0.6/32' },
  ipv6: { loopback: '::1/128', passthroughSource: '::6/128' },
} as const;

/**
 * Env vars of the meshward-init container that carry the rules (visible in the pod spec). `both`:
 * one rule set for both families, when the IPv6 rules are the IPv4 ones with the loopback
 * addresses replaced (ipv6FromShared in pod-spec.ts; meshward-init.sh derives them the same way).
 */
export const RULES_ENV = { both: 'MESHWARD_IPTABLES', ipv4: 'MESHWARD_IPTABLES_V4', ipv6: 'MESHWARD_IPTABLES_V6' } as const;

/** Where the init image installs meshward-init.sh (scripts/images/rootfs-meshward-init.sh). */
export const INIT_COMMAND: readonly string[] = ['/usr/local/bin/meshward-init'];
