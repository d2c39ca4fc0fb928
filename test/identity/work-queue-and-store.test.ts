import assert from 'node:assert/strict';
import { initialCaState } from '../../webhook/identity/ca-bootstrap.js';
import { encodeCaSecret } from '../../webhook/identity/ca-secret.js';
import { CaStore } from '../../webhook/identity/ca-store.js';
import { KeyedWorkQueue } from '../../webhook/identity/work-queue.js';
import { fingerprint } from '../../webhook/pki/index.js';
import { fakeApi } from './fake-api.js';
import { captureLogger, rootFiles } from './helpers.js';

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

describe('identity: CaStore', () => {
  const ref = { namespace: 'meshward-system', name: 'meshward-ca' };

  it('loads the CA from the watched Secret; a deleted or corrupted Secret keeps the last good CA', async () => {
    const api = fakeApi();
    const log = captureLogger();
    const store = new CaStore({ api, ref, now: () => new Date(), logger: log.logger });
    store.start();
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(store.trustRootFingerprint(), undefined);
    assert.match(log.text(), /CA Secret does not exist yet/);
    const files = rootFiles();
    await api.createSecret(encodeCaSecret(ref, initialCaState(files)));
    await store.ready;
    assert.equal(store.trustRootFingerprint(), fingerprint(files.certPem));
    const s = api.secrets.get(ref.namespace, ref.name)!;
    await api.replaceSecret({ ...s, data: { ...s.data, 'ca.key': Buffer.from('garbage').toString('base64') } });
    assert.equal(store.trustRootFingerprint(), fingerprint(files.certPem));
    assert.match(log.text(), /CA Secret is unusable; keeping the CA loaded before/);
    store.apply(undefined);
    assert.equal(store.current()?.certPem, files.certPem);
    assert.match(log.text(), /CA Secret is gone; still signing with the CA loaded before/);
    assert.doesNotMatch(log.text(), /-----BEGIN|garbage/);
    await store.stop();
  });
});
