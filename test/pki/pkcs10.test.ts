import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { derBitString, derSequence } from '../../webhook/pki/der.js';
import { classifyPublicKey, generateKeyPairFor, spkiDer } from '../../webhook/pki/key-types.js';
import { parseStubPkcs10 } from '../../webhook/pki/pkcs10.js';
import { signData, signingAlgorithmFor } from '../../webhook/pki/signature-algorithm.js';
import { openssl, scratch, type Scratch } from './openssl-helpers.js';

const OPENSSL_KEYS: [string, string[], string][] = [
  ['ED25519', ['-algorithm', 'ED25519'], 'ED25519'],
  ['ECDSAP256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ECDSAP256'],
  ['ECDSAP384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], 'ECDSAP384'],
  ['ECDSAP521', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], 'ECDSAP521'],
  ['RSA3072', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'], 'RSA3072'],
  ['RSA-2048', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], 'unsupported'],
  ['EC secp256k1', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1'], 'unsupported'],
];

function opensslCsr(s: Scratch, name: string, genArgs: string[], reqArgs: string[] = []): Buffer {
  const key = s.file(`${name.replace(/\W/g, '_')}.key`);
  openssl(['genpkey', ...genArgs, '-out', key]);
  return execFileSync('openssl', ['req', '-new', '-key', key, '-subj', '/CN=stub', '-outform', 'DER', ...reqArgs]);
}

describe('pki: parseStubPkcs10 / classifyPublicKey', function () {
  this.timeout(60_000);
  let s: Scratch;
  before(() => {
    s = scratch();
  });
  after(() => s.cleanup());

  for (const [name, gen, want] of OPENSSL_KEYS) {
    it(`openssl CSR with ${name} key → keyType ${want}, self-signature verified`, () => {
      const parsed = parseStubPkcs10(opensslCsr(s, name, gen));
      assert.equal(parsed.keyType, want);
      assert.equal(classifyPublicKey(parsed.publicKey), want);
      assert.equal(parsed.publicKey.type, 'public');
    });
  }

  it('classifies keys generated in-process for every API key type', () => {
    for (const kt of ['ED25519', 'ECDSAP256', 'ECDSAP384', 'ECDSAP521', 'RSA3072'] as const) {
      assert.equal(classifyPublicKey(generateKeyPairFor(kt).publicKey), kt);
    }
    assert.equal(classifyPublicKey(generateKeyPairSync('ed448').publicKey), 'unsupported');
    assert.equal(classifyPublicKey(generateKeyPairSync('x25519').publicKey), 'unsupported');
  });

  it('refuses an RSASSA-PSS signed request with a message naming the field and the accepted algorithms', () => {
    const der = opensslCsr(s, 'pss', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'], ['-sigopt', 'rsa_padding_mode:pss']);
    assert.throws(
      () => parseStubPkcs10(der),
      /stubPKCS10Request: is signed with unsupported algorithm 1\.2\.840\.113549\.1\.1\.10; use ECDSA, Ed25519 or RSA PKCS#1 v1\.5/,
    );
  });

  it('refuses a request whose CertificationRequestInfo carries one key but is signed by another', () => {
    const claimed = generateKeyPairFor('ECDSAP256');
    const signer = generateKeyPairFor('ECDSAP256');
    const info = derSequence([
      Buffer.from([0x02, 0x01, 0x00]),
      Buffer.from([0x30, 0x00]),
      spkiDer(claimed.publicKey),
      Buffer.from([0xa0, 0x00]),
    ]);
    const alg = signingAlgorithmFor(signer.privateKey);
    const forged = derSequence([info, alg.der, derBitString(signData(alg, signer.privateKey, info))]);
    assert.throws(
      () => parseStubPkcs10(forged),
      /^PkiInputError: stubPKCS10Request: self-signature does not verify against its own public key/,
    );
    const honest = derSequence([info, alg.der, derBitString(signData(alg, claimed.privateKey, info))]);
    assert.equal(parseStubPkcs10(honest).keyType, 'ECDSAP256', 'the same structure signed by the right key is accepted');
  });

  it('refuses empty and oversized input, naming the field', () => {
    assert.throws(() => parseStubPkcs10(Buffer.alloc(0)), /^PkiInputError: stubPKCS10Request: is empty/);
    assert.throws(() => parseStubPkcs10(Buffer.alloc(20_000, 0x30)), /stubPKCS10Request: is 20000 bytes; a stub request is at most 16384/);
  });
});
