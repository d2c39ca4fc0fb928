import assert from 'node:assert/strict';
import { SECRETS } from '../../../webhook/kube/resources.js';
import { initialCaState } from '../../../webhook/identity/ca/ca-bootstrap.js';
import { encodeCaSecret } from '../../../webhook/identity/ca/ca-secret.js';
import { CaStore } from '../../../webhook/identity/ca/ca-store.js';
import { fingerprint } from '../../../webhook/pki/index.js';
import { fakeKubeApi } from '../../kube/fake-api.js';
import { captureLogger, rootFiles } from '../helpers.js';

describe('identity: CaStore', () => {
  const ref = { namespace: 'meshward-system', name: 'meshward-ca' };

  it('loads the CA from the watched Secret; a deleted or corrupted Secret keeps the last good CA', async () => {
    const api = fakeKubeApi();
    const log = captureLogger();
    const store = new CaStore({ api, ref, now: () => new Date(), logger: log.logger });
    store.start();
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(store.trustRootFingerprint(), undefined);
    assert.match(log.text(), /CA Secret does not exist yet/);
    const files = rootFiles();
    await api.create(SECRETS, encodeCaSecret(ref, initialCaState(files)));
    await store.ready;
    assert.equal(store.trustRootFingerprint(), fingerprint(files.certPem));
    const s = api.object(SECRETS, ref.namespace, ref.name)!;
    await api.replace(SECRETS, { ...s, data: { ...s.data, 'ca.key': Buffer.from('garbage').toString('base64') } });
    assert.equal(store.trustRootFingerprint(), fingerprint(files.certPem));
    assert.match(log.text(), /CA Secret is unusable; keeping the CA loaded before/);
    store.apply(undefined);
    assert.equal(store.current()?.certPem, files.certPem);
    assert.match(log.text(), /CA Secret is gone; still signing with the CA loaded before/);
    assert.doesNotMatch(log.text(), /-----BEGIN|garbage/);
    await store.stop();
  });
});
