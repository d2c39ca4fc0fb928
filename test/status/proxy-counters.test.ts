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
      { port: '8080', mtls: 120, plaintext: 3, tlsPassthrough: 0 },
      { port: '9090', mtls: 0, plaintext: 0, tlsPassthrough: 7 },
      { port: '10000', mtls: 2, plaintext: 0, tlsPassthrough: 0 },
      { port: 'undeclared', mtls: 0, plaintext: 1, tlsPassthrough: 0 },
    ]);
  });

  it('reads nothing from text that is not Envoy metrics', () => {
    assert.deepEqual(parseInboundCounters('<html>503</html>'), []);
    assert.deepEqual(parseInboundCounters(''), []);
  });
});
