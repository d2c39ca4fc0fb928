// The archives in a real containerd, the way the kubelet node gets them: `ctr -n k8s.io images
// import --platform linux/amd64`, under the LOCAL_* names with the digests the builder reported,
// then run by runc (read-only root, own network namespace). Uses the containerd, ctr, shim and runc
// of scripts/build-node.sh when they are cached (or MESHWARD_NODE_BIN names their directory), and
// skips otherwise: building them takes long and is the node's business, not this suite's.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureImages, type LocalImages } from '../../scripts/images/build-images.js';
import { MESHWARD_ENTRYPOINT } from '../../scripts/meshward-process.js';
import { run, runOk } from '../capture/support/exec.js';
import { initEnvFor, POD_B } from '../capture/support/pods.js';
import { buildStaticBinary } from './support/static-binary.js';

const TOOLS = ['containerd', 'ctr', 'containerd-shim-runc-v2', 'runc'];
/** containerd's default capabilities (ctr has no --cap-drop ALL). */
const DEFAULT_CAPS = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
].map((c) => `CAP_${c}`);

function nodeBinDir(): string | undefined {
  const cache = join(process.env.MESHWARD_CACHE ?? join(homedir(), '.cache', 'meshward'));
  const candidates = process.env.MESHWARD_NODE_BIN
    ? [process.env.MESHWARD_NODE_BIN]
    : existsSync(cache)
      ? readdirSync(cache)
          .filter((d) => d.startsWith('node-k8s-'))
          .map((d) => join(cache, d, 'bin'))
      : [];
  return candidates.find((dir) => TOOLS.every((t) => existsSync(join(dir, t))));
}

describe('container images (scripts/images) in a real containerd', function () {
  this.timeout(120_000);
  let tmp: string;
  let bin: string;
  let containerd: ChildProcess | undefined;
  let images: LocalImages;
  const ctr = (args: readonly string[]): ReturnType<typeof run> =>
    run(join(bin, 'ctr'), ['-a', join(tmp, 'containerd.sock'), '-n', 'k8s.io', ...args], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      timeoutMs: 90_000,
    });

  before(async function () {
    this.timeout(900_000);
    const found = nodeBinDir();
    if (process.getuid?.() !== 0 || !found) {
      console.warn(
        `!! SKIPPING the containerd import tests: ${found ? 'they need root' : `no ${TOOLS.join(', ')} cached by scripts/build-node.sh (or in MESHWARD_NODE_BIN)`}`,
      );
      this.skip();
    }
    bin = found!;
    tmp = mkdtempSync(join(tmpdir(), 'meshward-containerd-'));
    const stand = await buildStaticBinary(tmp);
    images = await ensureImages({ pause: stand, proxyStandin: stand });
    const config = join(tmp, 'config.toml');
    writeFileSync(config, `version = 3\nroot = "${tmp}/root"\nstate = "${tmp}/state"\n[grpc]\n  address = "${tmp}/containerd.sock"\n`);
    // setpriv: the kernel kills containerd if this process dies without stopping it.
    containerd = spawn('setpriv', ['--pdeathsig', 'KILL', '--', join(bin, 'containerd'), '--config', config], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      stdio: 'ignore',
    });
    for (let i = 0; (await ctr(['version'])).code !== 0; i++) {
      assert.ok(i < 100, 'containerd answers on its socket within 20 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    if (containerd && containerd.exitCode === null) {
      const exited = new Promise((r) => containerd!.once('exit', r));
      containerd.kill('SIGTERM');
      await exited;
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('imports every archive under its name, with the digest the builder reported', async () => {
    const all = [images.meshward, images.init, images.pause!, images.proxyStandin!];
    for (const image of all) {
      const r = await ctr(['images', 'import', '--platform', 'linux/amd64', image.path]);
      assert.equal(r.code, 0, r.stderr);
    }
    const listed = (await ctr(['images', 'ls'])).stdout;
    for (const image of all)
      assert.match(listed, new RegExp(`^${image.name.replace(/\./g, '\\.')}\\s+\\S+\\s+${image.digest}\\s`, 'm'), image.name);
  });

  it('runs meshward as the image says (UID 65532, /app, NODE_ENV) on a read-only root: Node 24 and the CLI', async () => {
    const probe = await ctr([
      'run',
      '--rm',
      '--read-only',
      images.meshward.name,
      'mw-probe',
      '/nodejs/bin/node',
      '-p',
      'process.version + " " + process.getuid() + " " + process.cwd() + " " + process.env.NODE_ENV',
    ]);
    assert.equal(probe.code, 0, probe.stderr);
    assert.match(probe.stdout.trim(), /^v24\.\d+\.\d+ 65532 \/app production$/);
    const cli = await ctr([
      'run',
      '--rm',
      '--read-only',
      images.meshward.name,
      'mw-cli',
      '/nodejs/bin/node',
      MESHWARD_ENTRYPOINT,
      'version',
    ]);
    assert.equal(cli.stdout.trim(), 'meshward 0.1.0', cli.stderr);
  });

  it("runs meshward-init's entrypoint with only NET_ADMIN and NET_RAW: the rules land in the container's own netns", async () => {
    const [[key, value]] = Object.entries(initEnvFor(POD_B)) as [[string, string]];
    // As the injected securityContext: every capability dropped but these two (ctr drops after it adds).
    const ctrRun = [
      'run',
      '--rm',
      '--read-only',
      ...DEFAULT_CAPS.filter((cap) => cap !== 'CAP_NET_RAW').flatMap((cap) => ['--cap-drop', cap]),
      '--cap-add',
      'CAP_NET_ADMIN',
      '--cap-add',
      'CAP_NET_RAW',
    ];
    const r = await ctr([...ctrRun, '--env', `${key}=${value}`, images.init.name, 'mw-init']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /IPv4 rules applied with iptables-nft-restore --noflush/);
    assert.match(r.stdout, /IPv6 rules applied with ip6tables-nft-restore --noflush/);
    assert.doesNotMatch(await runOk('iptables-nft-save', ['-t', 'nat']), /MESHWARD_/, "the host's nat table is untouched");
    const caps = await ctr([...ctrRun, images.init.name, 'mw-caps', '/bin/grep', 'CapEff', '/proc/self/status']);
    assert.match(
      caps.stdout,
      /^CapEff:\s+0000000000003000$/m,
      `NET_ADMIN (12) and NET_RAW (13), nothing else: ${caps.stdout}${caps.stderr}`,
    );
  });

  it('runs the one-binary images (pause, proxy stand-in) from their static binary', async () => {
    for (const [image, id] of [
      [images.pause!, 'pause'],
      [images.proxyStandin!, 'standin'],
    ] as const) {
      const r = await ctr(['run', '--rm', image.name, `mw-${id}`]);
      assert.equal(r.stdout.trim(), 'static', `${image.name}: ${r.stderr}`);
    }
  });
});
