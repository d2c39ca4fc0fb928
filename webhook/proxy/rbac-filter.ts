// Envoy's network RBAC filter for one port's mTLS chain, and the access log that reports whom it
// refused. The filter decides on the connection's first bytes from the caller, by the SPIFFE ID
// in the peer certificate's URI SAN (the TLS context has already required the trust domain).
//
// Enforce and deny put the policy in `rules` (no policy matches: the connection is closed) and the
// same policy in `shadow_rules`. The shadow copy is there for the log: Envoy records a decision as
// dynamic metadata (envoy.filters.network.rbac: shadow_engine_result) only for shadow rules, and
// that metadata is what an access log can filter on. Audit has `shadow_rules` alone: nothing is
// refused, Envoy counts and logs who would be. Counters (stat_prefix inbound|<port>|mtls.):
// rbac.denied (refused), rbac.shadow_denied (refused or, under Audit, would be), and their
// *_allowed twins. No counter can be per caller identity (Envoy's stats are not keyed by peer),
// so each refusal is one JSON line on stdout naming the peer's URI SAN instead.

import { TYPES, type Json } from './envoy-fragments.js';
import type { PortAuthorization, Principal } from './inbound-authorization.js';

export const RBAC_FILTER_NAME = 'envoy.filters.network.rbac';

/** The filter for a port's mTLS chain; undefined for allow-mesh, where the TLS context alone decides. */
export function rbacFilter(statPrefix: string, a: PortAuthorization): Json | undefined {
  if (a.kind === 'allow-mesh') return undefined;
  const rules = allowRules(a);
  return {
    name: RBAC_FILTER_NAME,
    typed_config: {
      '@type': TYPES.networkRbac,
      // The trailing dot ends the prefix: Envoy's counters are then <prefix>rbac.denied whether it
      // joins the prefix with a dot itself (1.29+) or not.
      stat_prefix: `${statPrefix}.`,
      ...(a.kind === 'deny' || a.enforcement === 'Enforce' ? { rules } : {}),
      shadow_rules: rules,
    },
  };
}

/**
 * ALLOW with one policy naming every admitted principal; with no principal, ALLOW with no policy,
 * which admits no one. `action` is written although ALLOW is the default: `rules` must be present
 * even when empty, since an absent `rules` enforces nothing.
 */
function allowRules(a: Exclude<PortAuthorization, { kind: 'allow-mesh' }>): Json {
  if (a.kind === 'deny' || a.principals.length === 0) return { action: 'ALLOW' };
  return {
    action: 'ALLOW',
    policies: {
      [a.policies.join(',') || 'allow-list']: { permissions: [{ any: true }], principals: a.principals.map(principal) },
    },
  };
}

function principal(p: Principal): Json {
  return { authenticated: { principal_name: 'exact' in p ? { exact: p.exact } : { prefix: p.prefix } } };
}

/** tcp_proxy access log: one JSON line per connection the port's rules refuse (or, Audit, would refuse). */
export function denialAccessLog(a: PortAuthorization): Json[] {
  if (a.kind === 'allow-mesh') return [];
  return [
    {
      name: 'envoy.access_loggers.stdout',
      filter: {
        metadata_filter: {
          matcher: { filter: RBAC_FILTER_NAME, path: [{ key: 'shadow_engine_result' }], value: { string_match: { exact: 'denied' } } },
          // A connection closed before its first byte was never judged: not a denial.
          match_if_key_not_found: false,
        },
      },
      typed_config: {
        '@type': TYPES.stdoutAccessLog,
        log_format: {
          json_format: {
            meshward: a.kind === 'allow-list' && a.enforcement === 'Audit' ? 'authorization-audit-denied' : 'authorization-denied',
            time: '%START_TIME%',
            peer: '%DOWNSTREAM_PEER_URI_SAN%',
            source: '%DOWNSTREAM_REMOTE_ADDRESS%',
            destination: '%DOWNSTREAM_LOCAL_ADDRESS%',
            policies: a.kind === 'allow-list' ? a.policies.join(',') : 'mesh default: deny',
            closed: '%CONNECTION_TERMINATION_DETAILS%',
          },
        },
      },
    },
  ];
}
