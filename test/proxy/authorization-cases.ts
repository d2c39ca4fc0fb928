// One pod per authorization case the inbound listener renders, shared by the unit tests, the
// golden files (testdata/inbound-authorization/<case>.json) and the Envoy schema checks.

import type { BootstrapInput, InboundAuthorization, InboundPortAuthorization } from '../../webhook/proxy/index.js';
import { makeInput } from './bootstrap-fixtures.js';

const TD = 'spiffe://cluster.local';
type AllowList = Extract<InboundPortAuthorization, { kind: 'allow-list' }>;

/** web and api callers of shop: a namespace prefix, an exact ServiceAccount and an outside identity. */
export const SHOP_CALLERS: AllowList = {
  kind: 'allow-list',
  principals: [{ prefix: `${TD}/ns/shop/` }, { exact: `${TD}/ns/pay/sa/payments` }, { exact: `${TD}/external/backup-job` }],
  enforcement: 'Enforce',
  policies: ['shop/api-callers'],
};
export const AUDITED: AllowList = { ...SHOP_CALLERS, enforcement: 'Audit', policies: ['shop/api-audit'] };
export const DENY: InboundPortAuthorization = { kind: 'deny' };
export const MESH: InboundPortAuthorization = { kind: 'allow-mesh' };

const ports = (...ps: Array<[number, InboundPortAuthorization]>): InboundAuthorization['ports'] =>
  ps.map(([port, authorization]) => ({ port, authorization }));

function pod(
  workloadMode: BootstrapInput['workloadMode'],
  portModes: Array<[number, BootstrapInput['workloadMode']]>,
  authorization: InboundAuthorization,
): BootstrapInput {
  return makeInput({ workloadMode, ports: portModes.map(([port, mode]) => ({ port, mode })), authorization });
}

export const AUTHORIZATION_CASES: Record<string, BootstrapInput> = {
  // Allow-list enforced on a STRICT port; the undeclared ports admit the mesh.
  enforce: pod('STRICT', [[8080, 'STRICT']], { ports: ports([8080, SHOP_CALLERS]), undeclared: MESH }),
  // Audit: shadow rules only, and plaintext still accepted on the PERMISSIVE port.
  audit: pod('STRICT', [[8080, 'PERMISSIVE']], { ports: ports([8080, AUDITED]), undeclared: MESH }),
  // Mesh default deny: no mTLS caller on any port, declared or not.
  deny: pod('STRICT', [[8080, 'STRICT']], { ports: ports([8080, DENY]), undeclared: DENY }),
  // allow-mesh everywhere: the listener is exactly what it is without authorization.
  'allow-mesh': pod('STRICT', [[8080, 'STRICT']], { ports: ports([8080, MESH]), undeclared: MESH }),
  // A policy naming no port: the undeclared ports' mTLS chain carries the allow-list too.
  undeclared: pod('STRICT', [[8080, 'STRICT']], { ports: ports([8080, SHOP_CALLERS]), undeclared: SHOP_CALLERS }),
  // A port only a policy names (not declared): chains of its own, in the workload mode.
  'policy-named port': pod('STRICT', [[8080, 'STRICT']], { ports: ports([8080, MESH], [9000, SHOP_CALLERS]), undeclared: MESH }),
  // Fail closed: an Enforce allow-list on PERMISSIVE keeps only the mTLS chain, on DISABLE refuses all;
  // the undeclared PERMISSIVE ports under deny likewise keep only mTLS.
  'fail closed': pod(
    'PERMISSIVE',
    [
      [8080, 'PERMISSIVE'],
      [7070, 'DISABLE'],
      [9090, 'PERMISSIVE'],
    ],
    { ports: ports([7070, SHOP_CALLERS], [8080, SHOP_CALLERS], [9090, AUDITED]), undeclared: DENY },
  ),
};
