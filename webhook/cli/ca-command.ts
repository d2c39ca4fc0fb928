// `meshward ca init|issue` offline (CA and SVID directories) and the router to the cluster mode.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CommandIo } from './io.js';
import { KEY_TYPES, type KeyType } from '../config/types.js';
import { CA_KEY_FILE, readCaDir, writeCaDir, writeSvidDir } from '../pki/ca-files.js';
import { createIntermediateCa, createRootCa } from '../pki/create-ca.js';
import { isPkiInputError, PkiInputError } from '../pki/errors.js';
import { issueSvid } from '../pki/issue-svid.js';
import { generateKeyPairFor, pkcs8Pem } from '../pki/key-types.js';
import { loadCa } from '../pki/mesh-ca.js';
import { parseDurationSeconds } from '../pki/parse-duration.js';
import { fingerprint } from '../pki/trust-bundle.js';

export type { CommandIo } from './io.js';

export interface CommandDeps {
  readonly now?: () => Date;
}

const USAGE = `usage:
  meshward ca init  --out DIR [--key-type ${KEY_TYPES.join('|')}] [--trust-domain TD]
                    [--intermediate-from CA_DIR] [--common-name CN] [--validity-days N] [--force]
  meshward ca issue --ca DIR --namespace NS --service-account SA --out DIR
                    [--ttl 24h] [--key-type TYPE] [--trust-domain TD]
`;

/** Maps library field names to the flag a user typed. */
const FLAG_OF: Readonly<Record<string, string>> = {
  namespace: '--namespace',
  serviceAccount: '--service-account',
  trustDomain: '--trust-domain',
  ttlSeconds: '--ttl',
  validityDays: '--validity-days',
};

function flagError(err: PkiInputError): string {
  const flag = FLAG_OF[err.field];
  return flag ? `${flag}${err.message.slice(err.field.length)}` : err.message;
}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new PkiInputError(`--${name}`, 'is required');
  return v;
}

function keyTypeOf(value: unknown): KeyType {
  const v = (value as string | undefined) ?? 'ECDSAP256';
  if (!(KEY_TYPES as readonly string[]).includes(v)) throw new PkiInputError('--key-type', `"${v}" is not one of ${KEY_TYPES.join(', ')}`);
  return v as KeyType;
}

async function caDir(dir: string, flag: string, now: Date) {
  try {
    return await readCaDir(dir, now);
  } catch (err) {
    if (isPkiInputError(err)) throw new PkiInputError(flag, `${dir}: ${err.message}`);
    throw err;
  }
}

async function runInit(args: string[], io: CommandIo, now: Date): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      out: { type: 'string' },
      'key-type': { type: 'string' },
      'trust-domain': { type: 'string' },
      'intermediate-from': { type: 'string' },
      'common-name': { type: 'string' },
      'validity-days': { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  const out = required(values, 'out');
  const days = values['validity-days'] === undefined ? undefined : Number(values['validity-days']);
  const opts = {
    keyType: keyTypeOf(values['key-type']),
    trustDomain: values['trust-domain'],
    commonName: values['common-name'],
    validityDays: days,
    now,
  };
  const exists = await access(join(out, CA_KEY_FILE)).then(
    () => true,
    () => false,
  );
  if (exists && !values.force) throw new PkiInputError('--out', `${out} already holds ${CA_KEY_FILE}; pass --force to replace the CA`);
  const parentDir = values['intermediate-from'];
  const files = parentDir ? createIntermediateCa(await caDir(parentDir, '--intermediate-from', now), opts) : createRootCa(opts);
  const ca = loadCa({ ...files, now });
  await writeCaDir(out, files);
  io.stdout.write(`wrote ${join(out, 'ca.crt')}, ${join(out, CA_KEY_FILE)} (mode 0600)${parentDir ? `, ${join(out, 'chain.crt')}` : ''}\n`);
  io.stdout.write(`trust root sha256 fingerprint: ${fingerprint(ca.trustBundlePem)}\n`);
}

async function runIssue(args: string[], io: CommandIo, now: Date): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      ca: { type: 'string' },
      namespace: { type: 'string' },
      'service-account': { type: 'string' },
      out: { type: 'string' },
      ttl: { type: 'string', default: '24h' },
      'key-type': { type: 'string' },
      'trust-domain': { type: 'string' },
    },
  });
  const [dir, namespace, serviceAccount, out] = ['ca', 'namespace', 'service-account', 'out'].map((n) => required(values, n)) as [
    string,
    string,
    string,
    string,
  ];
  const ttlSeconds = parseDurationSeconds(values.ttl ?? '24h', '--ttl');
  const keyType = keyTypeOf(values['key-type']);
  const ca = await caDir(dir, '--ca', now);
  const trustDomain = values['trust-domain'] ?? ca.trustDomain ?? 'cluster.local';
  if (ca.trustDomain !== undefined && trustDomain !== ca.trustDomain) {
    throw new PkiInputError(
      '--trust-domain',
      `"${trustDomain}" differs from the CA's trust domain "${ca.trustDomain}"; omit the flag or use "${ca.trustDomain}"`,
    );
  }
  const { publicKey, privateKey } = generateKeyPairFor(keyType);
  const svid = issueSvid({ ca, subjectPublicKey: publicKey, trustDomain, namespace, serviceAccount, ttlSeconds, now });
  await writeSvidDir(out, {
    certificateChainPem: svid.certificateChainPem,
    keyPem: pkcs8Pem(privateKey),
    trustBundlePem: ca.trustBundlePem,
  });
  io.stdout.write(`issued ${svid.spiffeId}, valid until ${svid.notAfter.toISOString()}\n`);
  io.stdout.write(`wrote ${join(out, 'tls.crt')}, ${join(out, 'tls.key')} (mode 0600), ${join(out, 'ca.crt')}\n`);
}

/** `meshward ca …` with argv after "ca". Exit code: 0 ok, 2 bad input (message names the flag), 1 anything else. */
export async function runCaCommand(argv: string[], io: CommandIo, deps: CommandDeps = {}): Promise<number> {
  const [sub, ...rest] = argv;
  // In a cluster (`init --kubeconfig …`, `rotate`) the CA lives in a Secret: ca-cluster-command.ts
  // runs those (imported lazily, so offline `ca` commands never load the Kubernetes client).
  if (sub === 'rotate' || (sub === 'init' && rest.some((a) => a === '--kubeconfig' || a.startsWith('--kubeconfig=')))) {
    return (await import('./ca-cluster-command.js')).runClusterCaCommand(sub, rest, io, deps);
  }
  const now = (deps.now ?? (() => new Date()))();
  try {
    if (sub === 'init') await runInit(rest, io, now);
    else if (sub === 'issue') await runIssue(rest, io, now);
    else if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
      io.stdout.write(USAGE);
      return sub === undefined ? 2 : 0;
    } else throw new PkiInputError('subcommand', `unknown "${sub}"; use "init" or "issue"`);
    return 0;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (isPkiInputError(err) || code.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`meshward ca: ${isPkiInputError(err) ? flagError(err) : (err as Error).message}\n${USAGE}`);
      return 2;
    }
    io.stderr.write(`meshward ca: ${(err as Error).message}\n`);
    return 1;
  }
}
