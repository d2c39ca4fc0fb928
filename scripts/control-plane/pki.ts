// PKI for the local test control plane: a cluster (serving) CA, the kube-apiserver serving
// certificate, a client CA for x509 client authentication, the service-account signing key pair,
// and client certificates minted on demand. Test-only material: short-lived, never reused.
import { generateKeyPair } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface PemPair {
  /** PEM certificate (or, for the service-account pair, the PEM public key). */
  readonly certPem: string;
  /** PEM private key (PKCS#1 RSA). */
  readonly keyPem: string;
}

export interface ClientCredentials extends PemPair {
  readonly user: string;
  readonly groups: readonly string[];
}

export interface ControlPlanePki {
  /** Signs the kube-apiserver serving certificate; what clients trust (kubeconfig CA, --root-ca-file). */
  readonly clusterCa: PemPair;
  /** kube-apiserver serving certificate for 127.0.0.1, localhost, kubernetes.default.svc, 10.0.0.1. */
  readonly apiserver: PemPair;
  /** --client-ca-file: signs client certificates; also kube-controller-manager's cluster signer. */
  readonly clientCa: PemPair;
  /** Service-account token keys: certPem is the PEM public key, keyPem the private key. */
  readonly serviceAccount: PemPair;
  /** A client certificate: CN = user, O = groups (x509 authentication in kube-apiserver). */
  mintClientCert(user: string, groups?: readonly string[]): ClientCredentials;
  /** The same, generating the key on libuv's thread pool (does not block the event loop). */
  mintClientCertAsync(user: string, groups?: readonly string[]): Promise<ClientCredentials>;
}

/** Files written by writePkiFiles, absolute paths. */
export interface PkiFiles {
  readonly clusterCaCert: string;
  readonly clusterCaKey: string;
  readonly apiserverCert: string;
  readonly apiserverKey: string;
  readonly clientCaCert: string;
  readonly clientCaKey: string;
  readonly serviceAccountPublicKey: string;
  readonly serviceAccountPrivateKey: string;
}

/** The names the apiserver certificate covers (IP SANs and DNS SANs). */
export const APISERVER_IP_SANS = ['127.0.0.1', '10.0.0.1'] as const;
export const APISERVER_DNS_SANS = [
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
] as const;

const DAY_MS = 86_400_000;

function randomSerial(): string {
  // Positive and minimally encoded in DER: a first nibble of 4 keeps the high bit clear and the
  // first byte non-zero. (A leading 0 nibble made 1 certificate in 32 start with a 0x00 byte the
  // next byte did not need, which Go's x509, and so the API server, rejects as a malformed serial.)
  return `4${forge.util.bytesToHex(forge.random.getBytesSync(16)).slice(1)}`;
}

function newKeys(): forge.pki.rsa.KeyPair {
  // forge delegates to Node's native generateKeyPairSync when available (~100-200 ms, not seconds).
  return forge.pki.rsa.generateKeyPair({ bits: 2048 });
}

/** Native RSA-2048 keygen on the thread pool, so several keys are generated in parallel. */
function newKeysAsync(): Promise<forge.pki.rsa.KeyPair> {
  return new Promise((resolveKeys, reject) => {
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } },
      (err, publicKey, privateKey) => {
        if (err) return reject(err);
        resolveKeys({
          publicKey: forge.pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
          privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey,
        });
      },
    );
  });
}

interface Issued {
  readonly cert: forge.pki.Certificate;
  readonly keys: forge.pki.rsa.KeyPair;
}

function toPem(issued: Issued): PemPair {
  return { certPem: forge.pki.certificateToPem(issued.cert), keyPem: forge.pki.privateKeyToPem(issued.keys.privateKey) };
}

function createCa(commonName: string, now: Date, keys: forge.pki.rsa.KeyPair): Issued {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 30 * DAY_MS);
  const name = [{ name: 'commonName', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert, keys };
}

function issueLeaf(
  ca: Issued,
  subject: forge.pki.CertificateField[],
  usage: { server?: boolean; client?: boolean },
  now: Date,
  keys: forge.pki.rsa.KeyPair,
  altNames?: Array<{ type: number; value?: string; ip?: string }>,
): Issued {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 7 * DAY_MS);
  cert.setSubject(subject);
  cert.setIssuer(ca.cert.subject.attributes);
  const extensions: Array<Record<string, unknown>> = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: usage.server === true, clientAuth: usage.client === true },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (altNames) extensions.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(extensions);
  cert.sign(ca.keys.privateKey, forge.md.sha256.create());
  return { cert, keys };
}

/** Generates a fresh PKI: four RSA-2048 keys, generated natively in parallel (~0.5 s on 2 cores). */
export async function generateControlPlanePki(now: Date = new Date(), extraIpSans: readonly string[] = []): Promise<ControlPlanePki> {
  const [clusterCaKeys, apiserverKeys, clientCaKeys, saKeys] = await Promise.all([
    newKeysAsync(),
    newKeysAsync(),
    newKeysAsync(),
    newKeysAsync(),
  ]);
  const clusterCa = createCa('meshward-e2e cluster CA', now, clusterCaKeys);
  const apiserver = issueLeaf(clusterCa, [{ name: 'commonName', value: 'kube-apiserver' }], { server: true }, now, apiserverKeys, [
    ...[...APISERVER_IP_SANS, ...extraIpSans].map((ip) => ({ type: 7, ip })),
    ...APISERVER_DNS_SANS.map((value) => ({ type: 2, value })),
  ]);
  const serviceAccount = { certPem: forge.pki.publicKeyToPem(saKeys.publicKey), keyPem: forge.pki.privateKeyToPem(saKeys.privateKey) };
  return withMinting(toPem(clusterCa), toPem(apiserver), toPem(createCa('meshward-e2e client CA', now, clientCaKeys)), serviceAccount);
}

/** The PKI another process wrote with writePkiFiles (e.g. a control plane inside a network namespace). */
export function loadControlPlanePki(files: PkiFiles): ControlPlanePki {
  const read = (path: string): string => readFileSync(path, 'utf8');
  const pair = (cert: string, key: string): PemPair => ({ certPem: read(cert), keyPem: read(key) });
  const clusterCa = pair(files.clusterCaCert, files.clusterCaKey);
  const apiserver = pair(files.apiserverCert, files.apiserverKey);
  const clientCa = pair(files.clientCaCert, files.clientCaKey);
  const serviceAccount = pair(files.serviceAccountPublicKey, files.serviceAccountPrivateKey);
  return withMinting(clusterCa, apiserver, clientCa, serviceAccount);
}

// Client certificates are minted from the client CA's PEM, so a loaded PKI mints exactly like a generated one.
function withMinting(clusterCa: PemPair, apiserver: PemPair, clientCa: PemPair, serviceAccount: PemPair): ControlPlanePki {
  const caKeys = { privateKey: forge.pki.privateKeyFromPem(clientCa.keyPem) } as forge.pki.rsa.KeyPair;
  const ca: Issued = { cert: forge.pki.certificateFromPem(clientCa.certPem), keys: caKeys };
  const mint = (user: string, groups: readonly string[], keys: forge.pki.rsa.KeyPair): ClientCredentials => {
    if (!user) throw new Error('mintClientCert: user must not be empty');
    const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: user }];
    for (const group of groups) subject.push({ name: 'organizationName', value: group });
    const issued = issueLeaf(ca, subject, { client: true }, new Date(), keys);
    return { ...toPem(issued), user, groups: [...groups] };
  };
  return {
    clusterCa,
    apiserver,
    clientCa,
    serviceAccount,
    mintClientCert: (user: string, groups: readonly string[] = []) => mint(user, groups, newKeys()),
    mintClientCertAsync: async (user: string, groups: readonly string[] = []) => mint(user, groups, await newKeysAsync()),
  };
}

/** The file paths writePkiFiles uses in dir. */
export function pkiFilePaths(dir: string): PkiFiles {
  return {
    clusterCaCert: join(dir, 'ca.crt'),
    clusterCaKey: join(dir, 'ca.key'),
    apiserverCert: join(dir, 'apiserver.crt'),
    apiserverKey: join(dir, 'apiserver.key'),
    clientCaCert: join(dir, 'client-ca.crt'),
    clientCaKey: join(dir, 'client-ca.key'),
    serviceAccountPublicKey: join(dir, 'sa.pub'),
    serviceAccountPrivateKey: join(dir, 'sa.key'),
  };
}

/** Writes the PKI as files the control-plane binaries read (keys 0600). */
export function writePkiFiles(pki: ControlPlanePki, dir: string): PkiFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = pkiFilePaths(dir);
  const write = (path: string, text: string, secret: boolean): void => writeFileSync(path, text, { mode: secret ? 0o600 : 0o644 });
  write(files.clusterCaCert, pki.clusterCa.certPem, false);
  write(files.clusterCaKey, pki.clusterCa.keyPem, true);
  write(files.apiserverCert, pki.apiserver.certPem, false);
  write(files.apiserverKey, pki.apiserver.keyPem, true);
  write(files.clientCaCert, pki.clientCa.certPem, false);
  write(files.clientCaKey, pki.clientCa.keyPem, true);
  write(files.serviceAccountPublicKey, pki.serviceAccount.certPem, false);
  write(files.serviceAccountPrivateKey, pki.serviceAccount.keyPem, true);
  return files;
}
