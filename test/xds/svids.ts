// Real certificates for control-plane tests: one mesh CA, SVIDs for workloads and for meshward,
// written as PEM files where a client outside this process (the Go judge) needs them.

import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootCa } from '../../webhook/pki/create-ca.js';
import { issueSvid } from '../../webhook/pki/issue-svid.js';
import { loadCa, type MeshCa } from '../../webhook/pki/mesh-ca.js';

export function meshCa(trustDomain = 'cluster.local'): MeshCa {
  return loadCa(createRootCa({ now: new Date(), trustDomain }));
}

export interface SvidFiles {
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** The leaf, as TLS hands it to the server. */
  readonly leaf: X509Certificate;
}

export function svid(ca: MeshCa, namespace: string, serviceAccount: string, trustDomain = 'cluster.local'): SvidFiles {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const issued = issueSvid({ ca, subjectPublicKey: publicKey, trustDomain, namespace, serviceAccount, now: new Date() });
  const dir = mkdtempSync(join(tmpdir(), 'meshward-svid-'));
  const certPem = issued.certificateChainPem;
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  writeFileSync(join(dir, 'tls.crt'), certPem);
  writeFileSync(join(dir, 'tls.key'), keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'ca.crt'), ca.trustBundlePem);
  return {
    dir,
    cert: join(dir, 'tls.crt'),
    key: join(dir, 'tls.key'),
    ca: join(dir, 'ca.crt'),
    certPem,
    keyPem,
    leaf: new X509Certificate(issued.leafPem),
  };
}
