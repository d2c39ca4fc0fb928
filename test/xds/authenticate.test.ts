import assert from 'node:assert/strict';
import { authenticateProxy, parseNodeId } from '../../webhook/xds/authenticate.js';
import { pod } from './mesh-fixtures.js';
import { meshCa, svid } from './svids.js';

const ca = meshCa();
const web = svid(ca, 'shop', 'web');
const pods = [pod('shop', 'web-1', { sa: 'web' }), pod('shop', 'plain-1', { sa: 'web', injected: false })];
const podOf = (ns: string, name: string) => pods.find((p) => p.metadata.namespace === ns && p.metadata.name === name);
const auth = (nodeId: string | undefined, cert = web.leaf, td = 'cluster.local') => authenticateProxy(cert, nodeId, td, podOf);

describe('xds: only the proxy of a pod gets that pod configuration', () => {
  it('accepts the SVID of the pod ServiceAccount with the pod node id', () => {
    assert.deepEqual(auth('sidecar~shop~web-1'), {
      ok: true,
      namespace: 'shop',
      pod: 'web-1',
      serviceAccount: 'web',
      spiffeId: 'spiffe://cluster.local/ns/shop/sa/web',
    });
  });

  const refusals: Array<[string, string | undefined, string, ReturnType<typeof svid>?]> = [
    ['a node id of another form', 'web-1.shop', 'bad-node-id'],
    ['no node id', undefined, 'bad-node-id'],
    ['another namespace', 'sidecar~pay~api-1', 'namespace-mismatch'],
    ['a pod that does not exist', 'sidecar~shop~web-9', 'pod-not-found'],
    ['a pod running as another ServiceAccount', 'sidecar~shop~web-1', 'service-account-mismatch', svid(ca, 'shop', 'admin')],
    ['an uninjected pod (not in the mesh cache either)', 'sidecar~shop~plain-1', 'not-injected'],
  ];
  for (const [what, nodeId, reason, cert] of refusals) {
    it(`refuses ${what}: ${reason}`, () => {
      const r = auth(nodeId, (cert ?? web).leaf);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason, reason);
      assert.ok(!r.ok && r.message.length > 10);
    });
  }

  it('refuses a certificate of another trust domain and no certificate at all', () => {
    const r = auth('sidecar~shop~web-1', web.leaf, 'other.domain');
    assert.equal(!r.ok && r.reason, 'bad-certificate');
    const none = authenticateProxy(undefined, 'sidecar~shop~web-1', 'cluster.local', podOf);
    assert.equal(!none.ok && none.reason, 'bad-certificate');
  });

  it('parses node ids exactly', () => {
    assert.deepEqual(parseNodeId('sidecar~shop~web-7d4f-x2'), { namespace: 'shop', pod: 'web-7d4f-x2' });
    assert.equal(parseNodeId('sidecar~Shop~web'), undefined);
    assert.equal(parseNodeId('sidecar~shop~web~x'), undefined);
    assert.equal(parseNodeId('router~shop~web'), undefined);
  });
});
