import assert from 'node:assert/strict';
import type { KeyType } from '../../webhook/config/types.js';
import { createIntermediateCa, createRootCa } from '../../webhook/pki/create-ca.js';
import { issueSvid } from '../../webhook/pki/issue-svid.js';
import { generateKeyPairFor, pkcs8Pem } from '../../webhook/pki/key-types.js';
import { loadCa, type MeshCa } from '../../webhook/pki/mesh-ca.js';
import { mtlsExchange, type Endpoint } from './mtls-harness.js';

const TD = 'cluster.local';
const DAY = 86_400_000;

function workload(
  ca: MeshCa,
  ns: string,
  sa: string,
  opts: { now?: Date; ttlSeconds?: number; trustDomain?: string; keyType?: KeyType } = {},
): Endpoint {
  const { publicKey, privateKey } = generateKeyPairFor(opts.keyType ?? 'ECDSAP256');
  const svid = issueSvid({
    ca,
    subjectPublicKey: publicKey,
    trustDomain: opts.trustDomain ?? TD,
    namespace: ns,
    serviceAccount: sa,
    now: opts.now ?? new Date(),
    ttlSeconds: opts.ttlSeconds,
  });
  return { certPem: svid.certificateChainPem, keyPem: pkcs8Pem(privateKey), caPem: ca.trustBundlePem };
}

describe('pki: mutual TLS between node:tls endpoints with issued SVIDs', function () {
  this.timeout(30_000);
  const now = new Date();
  let root: MeshCa;
  let intermediate: MeshCa;
  let foreign: MeshCa;

  before(() => {
    root = loadCa(createRootCa({ now, trustDomain: TD }));
    intermediate = loadCa(createIntermediateCa(root, { now }));
    foreign = loadCa(createRootCa({ now, trustDomain: TD, commonName: 'someone else' }));
  });

  it("both sides verify the chain and see each other's SPIFFE ID (root CA, ECDSA and Ed25519)", async () => {
    const server = workload(root, 'backend', 'api', { keyType: 'ED25519' });
    const client = workload(root, 'frontend', 'web');
    const r = await mtlsExchange(server, client, TD);
    assert.equal(r.reply, 'hello spiffe://cluster.local/ns/frontend/sa/web');
    assert.deepEqual(r.clientSaw, {
      ok: true,
      spiffeId: 'spiffe://cluster.local/ns/backend/sa/api',
      trustDomain: TD,
      path: '/ns/backend/sa/api',
    });
    assert.equal(r.clientError, undefined);
  });

  it('works through an intermediate CA: both sides send leaf + intermediate, trust only the root', async () => {
    const server = workload(intermediate, 'backend', 'api', { keyType: 'RSA3072' });
    const client = workload(intermediate, 'frontend', 'web', { keyType: 'ECDSAP384' });
    const r = await mtlsExchange(server, client, TD);
    assert.equal(r.reply, 'hello spiffe://cluster.local/ns/frontend/sa/web');
    assert.equal(r.clientSaw?.ok, true);
  });

  it('the server refuses an expired client certificate during the handshake', async () => {
    const server = workload(root, 'backend', 'api');
    const client = workload(root, 'frontend', 'web', { now: new Date(now.getTime() - 2 * DAY), ttlSeconds: 3600 });
    const r = await mtlsExchange(server, client, TD);
    assert.equal(r.reply, '');
    assert.equal(r.serverSaw, undefined, 'the application never saw the connection');
    assert.ok(r.serverTlsError, 'server reported a TLS client error');
    assert.equal(r.serverAuthorizationError, 'CERT_HAS_EXPIRED');
  });

  it('the client refuses an expired server certificate', async () => {
    const server = workload(root, 'backend', 'api', { now: new Date(now.getTime() - 2 * DAY), ttlSeconds: 3600 });
    const r = await mtlsExchange(server, workload(root, 'frontend', 'web'), TD);
    assert.equal(r.reply, '');
    assert.equal((r.clientError as NodeJS.ErrnoException | undefined)?.code, 'CERT_HAS_EXPIRED');
  });

  it('the server refuses a client certificate from a foreign CA', async () => {
    const client = { ...workload(foreign, 'frontend', 'web'), caPem: root.trustBundlePem };
    const r = await mtlsExchange(workload(root, 'backend', 'api'), client, TD);
    assert.equal(r.reply, '');
    assert.equal(r.serverSaw, undefined);
    assert.ok(r.serverTlsError, 'server reported a TLS client error');
    assert.match(String(r.serverAuthorizationError), /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
  });

  it('the client refuses a server certificate from a foreign CA', async () => {
    const server = { ...workload(foreign, 'backend', 'api'), caPem: root.trustBundlePem };
    const r = await mtlsExchange(server, workload(root, 'frontend', 'web'), TD);
    assert.equal(r.reply, '');
    assert.match(
      String((r.clientError as NodeJS.ErrnoException | undefined)?.code),
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
    );
  });

  it("a right-CA certificate for another trust domain passes TLS but fails the server's SPIFFE check", async () => {
    const client = workload(root, 'frontend', 'web', { trustDomain: 'evil.example' });
    const r = await mtlsExchange(workload(root, 'backend', 'api'), client, TD);
    assert.equal(r.serverTlsError, undefined, 'chain validation itself succeeded');
    assert.equal(r.serverSaw?.ok, false);
    assert.match(
      r.serverSaw?.ok === false ? r.serverSaw.reason : '',
      /spiffe:\/\/evil\.example\/ns\/frontend\/sa\/web is not in trust domain "cluster\.local"/,
    );
    assert.equal(r.reply, '', 'the server closed without serving');
  });

  it("the client's SPIFFE check refuses a server in another trust domain", async () => {
    const server = workload(root, 'backend', 'api', { trustDomain: 'evil.example' });
    const r = await mtlsExchange(server, workload(root, 'frontend', 'web'), TD);
    assert.equal(r.clientSaw?.ok, false);
    assert.match(String(r.clientError?.message), /not in trust domain "cluster\.local"/);
    assert.equal(r.reply, '');
  });
});
