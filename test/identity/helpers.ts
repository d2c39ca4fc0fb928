import { Writable } from 'node:stream';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { buildConfig } from '../../webhook/config/load.js';
import type { MeshwardConfig } from '../../webhook/config/types.js';
import type { PodCertificateRequest } from '../../webhook/kube/types.js';
import { createRootCa, type CaFiles } from '../../webhook/pki/index.js';
import { buildStubPkcs10 } from '../../webhook/pki/pkcs10-build.js';

export const SIGNER = 'meshward.io/workload-identity';

/** A logger whose JSON lines are kept for assertions. */
export function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>>; text: () => string } {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      raw.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  return {
    logger,
    get lines() {
      return raw
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    text: () => raw.join(''),
  };
}

export function testConfig(file: Record<string, unknown> = {}): MeshwardConfig {
  return buildConfig({ flags: { 'self-signed': true }, file });
}

export function rootFiles(now = new Date(), trustDomain = 'cluster.local'): CaFiles {
  return { ...createRootCa({ now, trustDomain }), chainPem: '' };
}

export function ecKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
}

/** A PodCertificateRequest as the kubelet creates it, with a real stub PKCS#10 for `key`. */
export function pcrFor(
  name: string,
  key: KeyObject = ecKey(),
  over: { namespace?: string; signerName?: string; sa?: string } = {},
): PodCertificateRequest {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'PodCertificateRequest',
    metadata: { name, namespace: over.namespace ?? 'shop', generation: 1 },
    spec: {
      signerName: over.signerName ?? SIGNER,
      podName: `pod-${name}`,
      podUID: `uid-${name}`,
      serviceAccountName: over.sa ?? 'web',
      serviceAccountUID: 'sa-uid',
      nodeName: 'node-1',
      nodeUID: 'node-uid',
      maxExpirationSeconds: 86_400,
      stubPKCS10Request: buildStubPkcs10(key).toString('base64'),
    },
  };
}
