import assert from 'node:assert/strict';
import { KubeApiError } from '../../../webhook/kube/errors.js';
import { CONFIG_MAPS } from '../../../webhook/kube/resources.js';
import { Informer } from '../../../webhook/kube/runtime/informer.js';
import type { ConfigMap } from '../../../webhook/kube/types.js';
import { fakeKubeApi } from '../fake-api.js';

// The one list-watch: synced only after a clean list, resumed after the server ends a watch,
// listed again after 410 Gone or an error, and read by namespace from an index.

const cm = (namespace: string, name: string, value = '1'): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace, name },
  data: { value },
});
const until = async (check: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), what);
};
const fast = { baseMs: 5, maxMs: 20 };

describe('kube/runtime: the informer', () => {
  it('is synced only after a list that succeeded, however long the API refuses', async () => {
    const api = fakeKubeApi();
    api.put(CONFIG_MAPS, cm('a', 'x'));
    api.failNext('list', CONFIG_MAPS, new KubeApiError(403, 'Forbidden', 'no'), 3);
    const errors: boolean[] = [];
    const informer = new Informer({ api, resource: CONFIG_MAPS, backoff: fast, onError: (_e, synced) => errors.push(synced) }).start();
    let synced = false;
    void informer.synced.then(() => (synced = true));
    await until(() => errors.length === 3, 'three refused lists');
    await informer.synced;
    assert.deepEqual([synced, errors], [true, [false, false, false]]);
    assert.deepEqual(
      informer.list().map((o) => o.metadata.name),
      ['x'],
    );
    await informer.stop();
  });

  it('keeps the cache current through watches, resumed after a normal close and re-listed after 410 or an error', async () => {
    const api = fakeKubeApi();
    api.put(CONFIG_MAPS, cm('a', 'x'));
    const deleted: string[] = [];
    const informer = new Informer({ api, resource: CONFIG_MAPS, backoff: fast, onDelete: (o) => deleted.push(o.metadata.name) }).start();
    await informer.synced;
    api.put(CONFIG_MAPS, cm('b', 'y'));
    await until(() => informer.get('b', 'y') !== undefined, 'a watched ADDED');
    api.closeWatches(); // a server-side timeout: resume
    await until(() => api.watchCount === 1, 'watching again');
    api.put(CONFIG_MAPS, cm('a', 'x', '2'));
    await until(() => informer.get('a', 'x')?.data?.value === '2', 'a watched MODIFIED after resuming');
    api.closeWatches(new KubeApiError(410, 'Gone', 'too old'));
    api.remove(CONFIG_MAPS, 'b', 'y'); // missed while not watching: the re-list finds it gone
    await until(() => informer.get('b', 'y') === undefined, 'the re-list dropped what was deleted meanwhile');
    assert.deepEqual(deleted, ['y']);
    api.closeWatches(new Error('connection reset'));
    api.put(CONFIG_MAPS, cm('c', 'z'));
    await until(() => informer.get('c', 'z') !== undefined, 'listed again after an error');
    assert.deepEqual(
      informer.list('a').map((o) => o.metadata.name),
      ['x'],
    );
    assert.deepEqual(informer.list('b'), []);
    assert.deepEqual(
      informer
        .list()
        .map((o) => o.metadata.name)
        .sort(),
      ['x', 'z'],
    );
    await informer.stop();
    assert.equal(api.watchCount, 0, 'stop ends the watch');
  });

  it('tells subscribers every change beside its own handlers, on one list and one watch, until they unsubscribe', async () => {
    const api = fakeKubeApi();
    api.put(CONFIG_MAPS, cm('a', 'x'));
    const own: string[] = [];
    const informer = new Informer({ api, resource: CONFIG_MAPS, onUpsert: (o) => own.push(o.metadata.name) }).start();
    const seen: string[] = [];
    const unsubscribe = informer.subscribe({
      onUpsert: (o) => seen.push(`+${o.metadata.name}`),
      onDelete: (o) => seen.push(`-${o.metadata.name}`),
      onSynced: (objects) => seen.push(`synced ${objects.length}`),
    });
    await informer.synced;
    api.put(CONFIG_MAPS, cm('a', 'y'));
    api.remove(CONFIG_MAPS, 'a', 'x');
    await until(() => seen.length === 4, 'the changes');
    assert.deepEqual(seen, ['+x', 'synced 1', '+y', '-x']);
    unsubscribe();
    api.put(CONFIG_MAPS, cm('a', 'z'));
    await until(() => own.includes('z'), 'the informer’s own handler');
    assert.deepEqual(seen, ['+x', 'synced 1', '+y', '-x'], 'nothing after unsubscribing');
    assert.deepEqual(
      api.calls.filter((c) => c.startsWith('list') || c.startsWith('watch')),
      ['list configmaps *', 'watch configmaps *'],
    );
    await informer.stop();
  });

  it('rejects `synced` when stopped before the first list succeeded', async () => {
    const api = fakeKubeApi();
    api.failNext('list', CONFIG_MAPS, new KubeApiError(500, 'InternalError', 'down'), 1000);
    const informer = new Informer({ api, resource: CONFIG_MAPS, backoff: fast }).start();
    await informer.stop();
    await assert.rejects(informer.synced, /stopped before the cache synced/);
  });
});
