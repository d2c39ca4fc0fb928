import assert from 'node:assert/strict';
import { sharedControlPlane } from './shared-cluster.js';
describe('zz probe', function () {
  this.timeout(120_000);
  it('reuses the shared control plane', async () => {
    const a = await sharedControlPlane();
    console.log('      probe sees', a.server, 'stopped?', a.stopped);
    assert.equal(a.stopped, false);
    assert.equal((await a.kubectl(['get', 'ns', 'default', '-o', 'name'])).stdout.trim(), 'namespace/default');
  });
});
