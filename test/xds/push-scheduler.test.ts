import assert from 'node:assert/strict';
import { PushScheduler } from '../../webhook/xds/push-scheduler.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('xds push scheduler', () => {
  it('turns a burst of changes into one push after the quiet time', async () => {
    let pushes = 0;
    const s = new PushScheduler(30, 1000, () => pushes++);
    for (let i = 0; i < 10; i++) s.changed();
    await sleep(80);
    assert.equal(pushes, 1);
    s.stop();
  });

  it('never holds a change longer than the maximum, however busy the cluster', async () => {
    let pushes = 0;
    const s = new PushScheduler(40, 100, () => pushes++);
    const started = Date.now();
    while (Date.now() - started < 250) {
      s.changed();
      await sleep(10);
    }
    s.stop();
    assert.ok(pushes >= 2, `pushes: ${pushes}`);
  });

  it('stops', async () => {
    let pushes = 0;
    const s = new PushScheduler(10, 20, () => pushes++);
    s.changed();
    s.stop();
    await sleep(40);
    assert.equal(pushes, 0);
  });
});
