import forge from 'node-forge';

export interface SelfSignedBundle {
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

function randomSerial(): string {
  // Positive 128-bit serial (leading nibble < 8 keeps it positive in DER).
  return `0${forge.util.bytesToHex(forge.random.getBytesSync(16)).slice(1)}`;
}

/**
 * Development mode (--self-signed): an in-memory CA and a serving certificate for localhost,
 * 127.0.0.1 and ::1. Never used in production, where certificates come from files.
 */
export function generateSelfSigned(now: Date, extraHosts: readonly string[] = []): SelfSignedBundle {
  const caKeys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = randomSerial();
  ca.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  ca.validity.notAfter = new Date(now.getTime() + 365 * 86_400_000);
  const caName = [{ name: 'commonName', value: 'meshward self-signed CA' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = ca.validity.notBefore;
  cert.validity.notAfter = new Date(now.getTime() + 30 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'meshward' }]);
  cert.setIssuer(caName);
  const hosts = ['localhost', '127.0.0.1', '::1', ...extraHosts];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: hosts.map((h) => (/^[0-9.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());
  return {
    caCert: forge.pki.certificateToPem(ca),
    cert: forge.pki.certificateToPem(cert),
    key: forge.pki.privateKeyToPem(keys.privateKey),
  };
}
