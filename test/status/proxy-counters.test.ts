import assert from 'node:assert/strict';
import { parseInboundCounters } from '../../webhook/status/proxy-counters.js';

// As Envoy's /stats/prometheus prints tcp_proxy counters (the stat prefix becomes envoy_tcp_prefix).
const METRICS = `# TYPE envoy_tcp_downstream_cx_total counter
envoy_tcp_downstream_cx_total{envoy_tcp_prefix="inbound|8080|mtls"} 120
envoy_tcp_downstream_cx_total{envoy_tcp_prefix="inbound|8080|plaintext"} 3
envoy_tcp_downstream_cx_total{envoy_tcp_prefix="inbound|9090|tls-passthrough"} 7
envoy_tcp_downstream_cx_total{envoy_tcp_prefix="inbound|undeclared|plaintext"} 1
envoy_tcp_downstream_cx_total{envoy_tcp_prefix="inbound|self-check"} 99
envoy_tcp_downstream_cx_total{envoy_tcp_prefix="outbound|80|api.pay"} 42
envoy_tcp_downstream_cx_tx_bytes_total{envoy_tcp_prefix="inbound|8080|plaintext"} 5000
envoy_tcp_downstream_cx_total{envoy_tcp_prefix="inbound|10000|mtls"} 2
`;

describe('status: per-port mTLS and plaintext counters from the proxy metrics', () => {
  it('counts inbound connections by port and kind, ignoring other chains and metrics', () => {
    assert.deepEqual(parseInboundCounters(METRICS), [
      { port: '8080', mtls: 120, plaintext: 3, tlsPassthrough: 0, denied: 0, auditDenied: 0 },
      { port: '9090', mtls: 0, plaintext: 0, tlsPassthrough: 7, denied: 0, auditDenied: 0 },
      { port: '10000', mtls: 2, plaintext: 0, tlsPassthrough: 0, denied: 0, auditDenied: 0 },
      { port: 'undeclared', mtls: 0, plaintext: 1, tlsPassthrough: 0, denied: 0, auditDenied: 0 },
    ]);
  });

  it('reads nothing from text that is not Envoy metrics', () => {
    assert.deepEqual(parseInboundCounters('<html>503</html>'), []);
    assert.deepEqual(parseInboundCounters(''), []);
  });
});

// As Envoy 1.36 prints the network RBAC filter's counters: the tag envoy.rbac_prefix takes the
// filter's stat_prefix (inbound|<port>|mtls.) without its dot. Enforce counts every refusal as a
// shadow denial too (its rules are also its shadow rules); the HTTP RBAC of the status listener
// (15020) has a prefix of its own.
const RBAC_METRICS = `# TYPE envoy_tcp_downstream_cx_total counter
envoy_tcp_downstream_cx_total{envoy_tcp_prefix="inbound|8080|mtls"} 120
envoy_tcp_downstream_cx_total{envoy_tcp_prefix="inbound|5432|mtls"} 7
# TYPE envoy_rbac_allowed counter
envoy_rbac_allowed{envoy_rbac_prefix="inbound|8080|mtls"} 117
envoy_rbac_allowed{envoy_rbac_prefix="inbound|5432|mtls"} 7
# TYPE envoy_rbac_denied counter
envoy_rbac_denied{envoy_rbac_prefix="inbound|8080|mtls"} 3
envoy_rbac_denied{envoy_rbac_prefix="inbound|5432|mtls"} 0
envoy_rbac_denied{envoy_rbac_prefix="inbound|undeclared|mtls"} 2
envoy_rbac_denied{envoy_rbac_prefix="status"} 9
# TYPE envoy_rbac_shadow_allowed counter
envoy_rbac_shadow_allowed{envoy_rbac_prefix="inbound|5432|mtls"} 2
# TYPE envoy_rbac_shadow_denied counter
envoy_rbac_shadow_denied{envoy_rbac_prefix="inbound|8080|mtls"} 3
envoy_rbac_shadow_denied{envoy_rbac_prefix="inbound|5432|mtls"} 5
envoy_rbac_shadow_denied{envoy_rbac_prefix="inbound|undeclared|mtls"} 2
envoy_rbac_shadow_denied{envoy_rbac_prefix="inbound|9090|mtls."} 4
`;

describe('status: per-port authorization denials from the proxy metrics', () => {
  it('counts refusals, and as would-deny only what Audit let through (shadow denials beyond the refusals)', () => {
    assert.deepEqual(parseInboundCounters(RBAC_METRICS), [
      { port: '5432', mtls: 7, plaintext: 0, tlsPassthrough: 0, denied: 0, auditDenied: 5 },
      { port: '8080', mtls: 120, plaintext: 0, tlsPassthrough: 0, denied: 3, auditDenied: 0 },
      { port: '9090', mtls: 0, plaintext: 0, tlsPassthrough: 0, denied: 0, auditDenied: 4 },
      { port: 'undeclared', mtls: 0, plaintext: 0, tlsPassthrough: 0, denied: 2, auditDenied: 0 },
    ]);
  });
});
