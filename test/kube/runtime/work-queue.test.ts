import assert from 'node:assert/strict';
import { KeyedWorkQueue } from '../../../webhook/kube/runtime/work-queue.js';

describe('identity: KeyedWorkQueue', () => {
  it('a key changed while in flight runs once more with the newest item; waiting items are replaced, forgotten ones dropped', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new KeyedWorkQueue<string>(1, async (key, item) => {
      seen.push(`${key}=${item}`);
      if (item === 'v1') await gate;
    });
    q.add('a', 'v1'); // in flight, blocked
    q.add('a', 'v2'); // changed while in flight
    q.add('a', 'v3'); // newest wins
    q.add('b', 'x1');
    q.add('b', 'x2'); // waiting: replaced
    q.add('c', 'gone');
    q.forget('c');
    release();
    await q.idle();
    assert.deepEqual(seen.sort(), ['a=v1', 'a=v3', 'b=x2']);
  });

  it('close() drops what waits and resolves after the work in flight', async () => {
    let done = 0;
    const q = new KeyedWorkQueue<number>(2, async () => {
      await new Promise((r) => setTimeout(r, 5));
      done++;
    });
    for (let i = 0; i < 10; i++) q.add(`k${i}`, i);
    await q.close();
    assert.equal(done, 2);
    q.add('late', 1);
    assert.equal(q.pending, 0);
    assert.throws(() => new KeyedWorkQueue(0, async () => undefined), /concurrency must be a positive integer/);
  });
});
