import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCaDir } from '../../webhook/pki/ca-files.js';
import { runCaCommand } from '../../webhook/cli/ca-command.js';
import { fingerprint } from '../../webhook/pki/trust-bundle.js';
import { opensslVerify, pemBlocks, scratch, x509Text, type Scratch } from '../pki/openssl-helpers.js';

async function run(args: string[], now = new Date()): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCaCommand(
    args,
    { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } },
    { now: () => now },
  );
  return { code, out, err };
}

const mode = (p: string): number => statSync(p).mode & 0o777;

describe('pki: meshward ca init / ca issue (runCaCommand)', function () {
  this.timeout(60_000);
  let s: Scratch;
  let rootDir: string;
  before(async () => {
    s = scratch();
    rootDir = join(s.dir, 'root');
    const r = await run(['init', '--out', rootDir, '--trust-domain', 'prod.example']);
    assert.equal(r.code, 0, r.err);
  });
  after(() => s.cleanup());

  it('init writes ca.crt and ca.key (0600) and prints the trust root fingerprint', async () => {
    assert.equal(mode(join(rootDir, 'ca.key')), 0o600);
    assert.ok(createPrivateKey(readFileSync(join(rootDir, 'ca.key'))));
    const crt = readFileSync(join(rootDir, 'ca.crt'), 'utf8');
    assert.ok(new X509Certificate(crt).ca);
    const again = await run(['init', '--out', join(s.dir, 'fp')]);
    assert.match(again.out, new RegExp(`trust root sha256 fingerprint: ${fingerprint(readFileSync(join(s.dir, 'fp', 'ca.crt'), 'utf8'))}`));
    assert.equal(existsSync(join(rootDir, 'chain.crt')), false, 'a root CA has no chain file');
  });

  it("issue writes tls.crt/tls.key(0600)/ca.crt that openssl verifies, with the CA's trust domain and --ttl", async () => {
    const out = join(s.dir, 'svid');
    const r = await run(['issue', '--ca', rootDir, '--namespace', 'payments', '--service-account', 'api', '--out', out, '--ttl', '2h']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /issued spiffe:\/\/prod\.example\/ns\/payments\/sa\/api, valid until /);
    assert.equal(mode(join(out, 'tls.key')), 0o600);
    const chain = readFileSync(join(out, 'tls.crt'), 'utf8');
    const leaf = new X509Certificate(chain);
    assert.ok(leaf.checkPrivateKey(createPrivateKey(readFileSync(join(out, 'tls.key')))), 'tls.key matches tls.crt');
    assert.match(x509Text(chain), /URI:spiffe:\/\/prod\.example\/ns\/payments\/sa\/api/);
    assert.equal((new Date(leaf.validTo).getTime() - new Date(leaf.validFrom).getTime()) / 1000, 7200);
    assert.ok(opensslVerify(s, { root: readFileSync(join(out, 'ca.crt'), 'utf8'), leaf: chain, purpose: 'sslclient' }).ok);
  });

  it('init --intermediate-from makes an intermediate; issue from it ships leaf + intermediate', async () => {
    const intDir = join(s.dir, 'int');
    const r = await run(['init', '--out', intDir, '--intermediate-from', rootDir, '--key-type', 'ECDSAP384']);
    assert.equal(r.code, 0, r.err);
    assert.ok(existsSync(join(intDir, 'chain.crt')));
    const ca = await readCaDir(intDir);
    assert.equal(ca.trustDomain, 'prod.example', 'inherited from the parent');
    const out = join(s.dir, 'svid-int');
    assert.equal(
      (await run(['issue', '--ca', intDir, '--namespace', 'n', '--service-account', 's', '--out', out, '--key-type', 'ED25519'])).code,
      0,
    );
    const [leaf, ...parents] = pemBlocks(readFileSync(join(out, 'tls.crt'), 'utf8')) as [string, ...string[]];
    assert.equal(parents.length, 1);
    const rootPem = readFileSync(join(out, 'ca.crt'), 'utf8');
    assert.equal(rootPem, readFileSync(join(rootDir, 'ca.crt'), 'utf8'), 'ca.crt is the root, not the intermediate');
    assert.ok(opensslVerify(s, { root: rootPem, untrusted: parents.join(''), leaf }).ok);
  });

  const issueArgs = (over: Record<string, string>): string[] => {
    const base: Record<string, string> = { '--namespace': 'ns', '--service-account': 'sa', '--out': 'OUT', ...over };
    return [
      'issue',
      '--ca',
      over['--ca'] ?? 'ROOT',
      ...Object.entries(base)
        .filter(([k]) => k !== '--ca')
        .flat(),
    ];
  };
  const bad: [string, () => string[], RegExp][] = [
    ['missing --out', () => ['init'], /--out: is required/],
    ['unknown key type', () => ['init', '--out', 'NEW', '--key-type', 'RSA1024'], /--key-type: "RSA1024" is not one of ED25519, ECDSAP256/],
    [
      'bad trust domain',
      () => ['init', '--out', 'NEW', '--trust-domain', 'Bad TD'],
      /--trust-domain: "Bad TD" is not a SPIFFE trust domain/,
    ],
    ['non-numeric validity', () => ['init', '--out', 'NEW', '--validity-days', 'abc'], /--validity-days: must be a whole number of days/],
    [
      'missing parent CA',
      () => ['init', '--out', 'NEW', '--intermediate-from', 'MISSING'],
      /--intermediate-from: .* must contain ca\.crt and ca\.key/,
    ],
    ['existing CA without --force', () => ['init', '--out', 'ROOT'], /--out: .* already holds ca\.key; pass --force/],
    ['unparseable --ttl', () => issueArgs({ '--ttl': '10x' }), /--ttl: "10x" is not a duration; use a number with a unit/],
    ['--ttl under 1h', () => issueArgs({ '--ttl': '30m' }), /--ttl: certificate lifetime would be 1800s; it must be at least 3600s/],
    ['bad namespace', () => issueArgs({ '--namespace': 'Bad/NS' }), /--namespace: "Bad\/NS" cannot be a SPIFFE ID path segment/],
    ['missing --service-account', () => ['issue', '--ca', 'ROOT', '--namespace', 'n', '--out', 'OUT'], /--service-account: is required/],
    [
      'missing CA dir',
      () => issueArgs({ '--ca': 'MISSING' }),
      /--ca: .* must contain ca\.crt and ca\.key \(create one with "meshward ca init/,
    ],
    [
      'conflicting trust domain',
      () => issueArgs({ '--trust-domain': 'other.td' }),
      /--trust-domain: "other\.td" differs from the CA's trust domain "prod\.example"/,
    ],
    ['unknown flag', () => ['issue', '--bogus'], /Unknown option '--bogus'/],
    ['unknown subcommand', () => ['frobnicate'], /subcommand: unknown "frobnicate"; use "init" or "issue"/],
  ];
  for (const [name, args, want] of bad) {
    it(`exit 2 with a message naming the flag: ${name}`, async () => {
      const paths: Record<string, string> = {
        ROOT: rootDir,
        NEW: join(s.dir, 'never'),
        OUT: join(s.dir, 'never-out'),
        MISSING: join(s.dir, 'missing'),
      };
      const r = await run(args().map((a) => paths[a] ?? a));
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, want);
      assert.match(r.err, /usage:\n\s+meshward ca init/);
      assert.equal(existsSync(paths.NEW as string) || existsSync(paths.OUT as string), false, 'nothing written on bad input');
    });
  }

  it('no subcommand prints usage with exit 2; --help exits 0', async () => {
    assert.equal((await run([])).code, 2);
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /meshward ca issue --ca DIR --namespace NS --service-account SA --out DIR/);
  });
});
