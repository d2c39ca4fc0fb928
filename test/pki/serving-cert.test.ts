import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { createIntermediateCa, createRootCa } from '../../webhook/pki/create-ca.js';
import { loadCa, type MeshCa } from '../../webhook/pki/mesh-ca.js';
import { issueServingCert } from '../../webhook/pki/serving-cert.js';
import { extensionBlock, opensslVerify, pemBlocks, scratch, x509Text, type Scratch } from './openssl-helpers.js';

async function tlsConnect(ca: string, cert: { certPem: string; keyPem: string }, host: string, servername?: string): Promise<string> {
  const srv = createServer({ key: cert.keyPem, cert: cert.certPem }, (s) => s.end('ok'));
  srv.listen(0, host);
  await once(srv, 'listening');
  try {
    return await new Promise<string>((resolve) => {
      const sock = connect({ host, port: (srv.address() as AddressInfo).port, ca, ...(servername ? { servername } : {}) });
      let data = '';
      sock.on('data', (d: Buffer) => (data += d.toString()));
      sock.on('error', (e: NodeJS.ErrnoException) => resolve(`error:${e.code ?? e.message}`));
      sock.on('close', () => resolve(data));
    });
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
}

describe("pki: issueServingCert (the webhook's own TLS)", function () {
  this.timeout(30_000);
  const now = new Date();
  let s: Scratch;
  let ca: MeshCa;
  before(() => {
    s = scratch();
    ca = loadCa(createIntermediateCa(loadCa(createRootCa({ now })), { now }));
  });
  after(() => s.cleanup());

  it('ECDSA P-256, serverAuth only, DNS and IP SANs; openssl verifies it for sslserver and not sslclient', () => {
    const cert = issueServingCert({
      ca,
      dnsNames: ['meshward.meshward-system.svc', 'localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
      ttlDays: 30,
      now,
    });
    const [leaf, ...rest] = pemBlocks(cert.certPem) as [string, ...string[]];
    assert.equal(rest.length, 1, 'intermediate appended');
    const text = x509Text(leaf);
    assert.match(text, /NIST CURVE: P-256/);
    assert.equal((extensionBlock(text, 'Extended Key Usage')?.split('\n')[1] ?? '').trim(), 'TLS Web Server Authentication');
    assert.match(
      extensionBlock(text, 'Subject Alternative Name') ?? '',
      /DNS:meshward\.meshward-system\.svc, DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/,
    );
    assert.ok(opensslVerify(s, { root: ca.trustBundlePem, untrusted: rest.join(''), leaf, purpose: 'sslserver' }).ok);
    assert.equal(opensslVerify(s, { root: ca.trustBundlePem, untrusted: rest.join(''), leaf, purpose: 'sslclient' }).ok, false);
    assert.ok(Math.abs(cert.notAfter.getTime() - now.getTime() - 30 * 86_400_000) < 1000);
  });

  it('a real TLS client accepts it by DNS name and by IP, and rejects a name not in the SANs', async () => {
    const cert = issueServingCert({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now });
    assert.equal(await tlsConnect(ca.trustBundlePem, cert, '127.0.0.1', 'localhost'), 'ok');
    assert.equal(await tlsConnect(ca.trustBundlePem, cert, '127.0.0.1'), 'ok');
    assert.equal(await tlsConnect(ca.trustBundlePem, cert, '127.0.0.1', 'other.example'), 'error:ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('refuses bad names with the offending entry named', () => {
    assert.throws(
      () => issueServingCert({ ca, dnsNames: ['Bad_Name'], now }),
      /^PkiInputError: dnsNames\[0\]: "Bad_Name" is not a lowercase DNS name/,
    );
    assert.throws(
      () => issueServingCert({ ca, dnsNames: ['ok.example'], ipAddresses: ['300.1.1.1'], now }),
      /^PkiInputError: ipAddresses\[0\]: "300\.1\.1\.1" is not an IPv4 or IPv6 address/,
    );
    assert.throws(() => issueServingCert({ ca, dnsNames: [], now }), /^PkiInputError: dnsNames: give at least one/);
  });
});
