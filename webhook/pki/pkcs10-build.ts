import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { derBitString, derSequence } from './der.js';
import { spkiDer } from './key-types.js';
import { signData, signingAlgorithmFor } from './signature-algorithm.js';

const VERSION_0 = Buffer.from([0x02, 0x01, 0x00]);
const EMPTY_NAME = Buffer.from([0x30, 0x00]);
const EMPTY_ATTRIBUTES = Buffer.from([0xa0, 0x00]);

/**
 * A stub PKCS#10 request as the kubelet sends it: empty subject, no attributes, signed with the
 * subject key. meshward never needs this in production; tests and the benchmark use it to play
 * the kubelet.
 */
export function buildStubPkcs10(privateKey: KeyObject): Buffer {
  const info = derSequence([VERSION_0, EMPTY_NAME, spkiDer(createPublicKey(privateKey)), EMPTY_ATTRIBUTES]);
  const alg = signingAlgorithmFor(privateKey, 'privateKey');
  return derSequence([info, alg.der, derBitString(signData(alg, privateKey, info))]);
}
