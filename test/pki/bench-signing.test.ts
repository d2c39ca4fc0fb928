import assert from 'node:assert/strict';
import { benchSigning } from '../../webhook/pki/bench-signing.js';

// No timing assertions: the benchmark harness reads the figure. This only proves the function runs
// both paths to completion and reports a usable number.
describe('pki: benchSigning', function () {
  this.timeout(30_000);
  for (const mode of ['issue', 'pcr'] as const) {
    it(`runs the ${mode} path and reports a finite positive rate`, async () => {
      const r = await benchSigning(25, { mode });
      assert.equal(r.n, 25);
      assert.equal(r.mode, mode);
      assert.ok(Number.isFinite(r.perSecond) && r.perSecond > 0, `perSecond=${r.perSecond}`);
    });
  }
});
