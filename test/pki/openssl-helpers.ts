import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch directory removed by `cleanup()`. */
export interface Scratch {
  readonly dir: string;
  file(name: string, content?: string): string;
  cleanup(): void;
}

export function scratch(prefix = 'meshward-pki-'): Scratch {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name: string, content?: string): string {
      const p = join(dir, name);
      if (content !== undefined) writeFileSync(p, content);
      return p;
    },
    cleanup(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function openssl(args: readonly string[], input?: string): string {
  return execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** `openssl x509 -text -noout` of the first certificate in `pem`. */
export function x509Text(pem: string): string {
  return openssl(['x509', '-text', '-noout'], pem);
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly output: string;
}

/** `openssl verify -x509_strict -CAfile root [-untrusted chain] [-purpose p] leaf`. */
export function opensslVerify(
  s: Scratch,
  opts: { root: string; leaf: string; untrusted?: string; purpose?: string; attime?: Date },
): VerifyResult {
  const args = ['verify', '-x509_strict', '-CAfile', s.file('verify-root.pem', opts.root)];
  if (opts.untrusted) args.push('-untrusted', s.file('verify-untrusted.pem', opts.untrusted));
  if (opts.purpose) args.push('-purpose', opts.purpose);
  if (opts.attime) args.push('-attime', String(Math.floor(opts.attime.getTime() / 1000)));
  args.push(s.file('verify-leaf.pem', opts.leaf));
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  const output = `${r.stdout}${r.stderr}`;
  return { ok: r.status === 0 && /: OK\s*$/.test(r.stdout), output };
}

/** The text of one "X509v3 <name>:" block: its header line (with "critical") and value lines. */
export function extensionBlock(text: string, name: string): string | undefined {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trim().startsWith(`X509v3 ${name}:`));
  if (i === -1) return undefined;
  const out = [lines[i] as string];
  for (let j = i + 1; j < lines.length && !/^\s*(X509v3 |Signature Algorithm|Authority Information)/.test(lines[j] as string); j++) {
    out.push(lines[j] as string);
  }
  return out.join('\n');
}

/** Dates from `openssl x509 -dates`. */
export function opensslDates(pem: string): { notBefore: Date; notAfter: Date } {
  const out = openssl(['x509', '-noout', '-dates'], pem);
  const get = (k: string): Date => new Date((out.match(new RegExp(`${k}=(.*)`)) ?? [])[1] ?? 'invalid');
  return { notBefore: get('notBefore'), notAfter: get('notAfter') };
}

export interface ExternalCa {
  readonly rootPem: string;
  readonly intermediatePem: string;
  readonly intermediateKeyPem: string;
}

/**
 * The "user's own CA", made entirely by the openssl CLI: an RSA-3072 root and an ECDSA P-384
 * intermediate (pathlen 1 by default, so meshward may put its own intermediate under it; null = unlimited).
 */
export function makeExternalCa(s: Scratch, pathLen: { root?: number; intermediate?: number | null } = {}): ExternalCa {
  const rootKey = s.file('ext-root.key');
  const rootCrt = s.file('ext-root.crt');
  const rootBc = `basicConstraints=critical,CA:TRUE${pathLen.root === undefined ? '' : `,pathlen:${pathLen.root}`}`;
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:3072',
    '-nodes',
    '-keyout',
    rootKey,
    '-out',
    rootCrt,
    '-days',
    '30',
    '-subj',
    '/O=Example Corp/CN=Example Corp Root CA',
    '-addext',
    rootBc,
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const intKey = s.file('ext-int.key');
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', intKey]);
  const csr = s.file('ext-int.csr');
  openssl(['req', '-new', '-key', intKey, '-out', csr, '-subj', '/O=Example Corp/OU=Platform/CN=Example Corp Mesh Issuing CA']);
  const intLen =
    pathLen.intermediate === undefined ? ',pathlen:1' : pathLen.intermediate === null ? '' : `,pathlen:${pathLen.intermediate}`;
  const ext = s.file(
    'ext-int.ext',
    `basicConstraints=critical,CA:TRUE${intLen}\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`,
  );
  const intCrt = s.file('ext-int.crt');
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    rootCrt,
    '-CAkey',
    rootKey,
    '-CAcreateserial',
    '-out',
    intCrt,
    '-days',
    '20',
    '-extfile',
    ext,
    '-sha384',
  ]);
  return {
    rootPem: readFileSync(rootCrt, 'utf8'),
    intermediatePem: readFileSync(intCrt, 'utf8'),
    intermediateKeyPem: readFileSync(intKey, 'utf8'),
  };
}

/** Splits PEM text into its CERTIFICATE blocks (each with trailing newline). */
export function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}
