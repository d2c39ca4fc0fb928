// What the images' files do when run, from their unpacked layers (chroot, so only the image's own
// binaries and libraries are used): every ELF finds its libraries in the image; every module of
// dist/webhook loads with the image's production dependencies; meshward-init applies meshward's
// capture rules with the image's iptables-restore and iptables-save, in a throwaway network
// namespace (unshare --net --mount) so the host's tables are never touched; and meshward's Node 24
// runs the CLI as UID 65532 from a read-only root.

import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureImages } from '../../scripts/images/build-images.js';
import { MESHWARD_ENTRYPOINT, MESHWARD_NODE_FLAGS } from '../../scripts/meshward-process.js';
import { INIT_COMMAND } from '../../webhook/capture/settings.js';
import { run, runOk } from '../capture/support/exec.js';
import { initEnvFor, POD_B, POD_C, rulesFor } from '../capture/support/pods.js';
import { openOciArchive, unpackLayer, type OciImage } from './support/oci.js';

/** Runs script (sh -c, on the host) in new network and mount namespaces, with $R the rootfs. */
function inNamespaces(rootfs: string, script: string, env: Record<string, string> = {}): ReturnType<typeof run> {
  return run('unshare', ['--net', '--mount', '--fork', 'sh', '-euc', script], {
    env: { PATH: process.env.PATH!, R: rootfs, ...env },
    timeoutMs: 60_000,
  });
}
/** As a container runtime does: the root read-only, a new /proc, a private /dev with /dev/null and /dev/shm. */
const MOUNT = `mount --bind "$R" "$R"; mount -o remount,bind,ro "$R"; mount -t proc proc "$R/proc"
  mount -t tmpfs tmpfs "$R/dev"; mkdir "$R/dev/shm"; touch "$R/dev/null"; mount --bind /dev/null "$R/dev/null";`;
/** Imports every module under /app/dist/webhook but the CLI's main (which would run a command). */
const IMPORT_ALL = `
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.js') ? [join(d, e.name)] : []));
const files = walk('/app/dist/webhook').filter((f) => f !== '/app/dist/webhook/cli/main.js');
const failed = [];
for (const f of files) { try { await import(f); } catch (e) { failed.push(f + ': ' + e.message); } }
console.log(JSON.stringify({ imported: files.length, failed }));
process.exit(0);`;
/** The image config's Env as the runtime sets it. */
const imageEnv = (env: readonly string[]): Record<string, string> =>
  Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
const withoutBuiltinDecls = (table: string): string =>
  table
    .split('\n')
    .filter((l) => !/^:(PREROUTING|INPUT|OUTPUT|POSTROUTING) /.test(l))
    .join('\n');

describe('container images (scripts/images): the unpacked layers run', function () {
  this.timeout(60_000);
  let images: OciImage[] = [];
  let meshward: string;
  let init: string;
  let initEnv: string[];
  let meshwardEnv: string[];

  before(async function () {
    this.timeout(900_000);
    // The suite runs as root (README); without it this is a failure, never a silent skip.
    if (process.getuid?.() !== 0) throw new Error('the image run tests need root (chroot, unshare --net --mount): run the tests as root');
    const built = await ensureImages();
    images = await Promise.all([openOciArchive(built.meshward.path), openOciArchive(built.init.path)]);
    [meshward, init] = (await Promise.all(images.map(unpackLayer))) as [string, string];
    [meshwardEnv, initEnv] = images.map((image) => image.config.config.Env ?? []) as [string[], string[]];
  });
  after(() => {
    images.forEach((image) => image.remove());
    for (const dir of [meshward, init]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("every binary and xtables module finds its shared libraries inside the image (the image's ld.so --list)", async () => {
    const elves = [
      [meshward, '/nodejs/bin/node'],
      [init, '/usr/sbin/xtables-nft-multi'],
      [init, '/usr/sbin/xtables-legacy-multi'],
      ...readdirSync(join(init, 'usr/lib/x86_64-linux-gnu/xtables')).map((m) => [init, `/usr/lib/x86_64-linux-gnu/xtables/${m}`]),
    ] as const;
    assert.ok(elves.length > 100);
    for (const [root, elf] of elves) {
      const listed = await runOk('chroot', [root, '/lib64/ld-linux-x86-64.so.2', '--list', elf]);
      assert.doesNotMatch(listed, /not found/, `${elf}:\n${listed}`);
    }
  });

  it("meshward-init applies meshward's capture rules with the image's own iptables-restore, and iptables-save shows exactly them", async () => {
    const script = `${MOUNT} for i in 1 2; do chroot "$R" ${INIT_COMMAND.join(' ')} >/dev/null; done
      chroot "$R" /usr/sbin/iptables-save -t nat; echo '----'; chroot "$R" /usr/sbin/ip6tables-save -t nat`;
    const r = await inNamespaces(init, script, { ...imageEnv(initEnv), ...initEnvFor(POD_B) });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const [v4, v6] = r.stdout.split('----\n') as [string, string];
    const strip = (t: string): string => withoutBuiltinDecls(t.replace(/^# .*\n/gm, '')).trim();
    assert.equal(strip(v4), strip(rulesFor(POD_B).ipv4), 'applied twice (an init restart), the IPv4 nat table is exactly the rules');
    assert.equal(strip(v6), strip(rulesFor(POD_B).ipv6));
    assert.match(v4, /^# Generated by iptables-save v1\.8\.\d+ \(nf_tables\)/, 'the nft backend');
  });

  it('meshward-init falls back to the legacy backend, its lock file in /dev/shm as the root is read-only', async () => {
    const nft = ['iptables-nft-restore', 'ip6tables-nft-restore'].map((tool) => join(init, 'usr/sbin', tool));
    const script = `rm ${nft.join(' ')}; ${MOUNT} chroot "$R" ${INIT_COMMAND.join(' ')}`;
    const r = await inNamespaces(init, script, { ...imageEnv(initEnv), ...initEnvFor(POD_C) });
    for (const link of nft) await runOk('ln', ['-s', 'xtables-nft-multi', link]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /IPv4 rules applied with iptables-legacy-restore --noflush/);
    assert.match(r.stdout, /IPv6 rules applied with ip6tables-legacy-restore --noflush/);
  });

  it('meshward loads every module of dist/webhook with only the production dependencies in the image', async () => {
    const script = `${MOUNT}
      chroot --userspec=65532:65532 "$R" /nodejs/bin/node --input-type=module -e "$IMPORT_ALL"`;
    const r = await inNamespaces(meshward, script, { ...imageEnv(meshwardEnv), IMPORT_ALL });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { imported: number; failed: string[] };
    assert.deepEqual(result.failed, []);
    assert.ok(result.imported > 100, `imported ${result.imported} modules`);
  });

  it('meshward runs its CLI on Node 24 as UID 65532 from a read-only root', async () => {
    const node = ['/nodejs/bin/node', ...MESHWARD_NODE_FLAGS];
    const script = `${MOUNT}
      chroot --userspec=65532:65532 "$R" ${node.join(' ')} -p 'process.version + " " + process.getuid()'
      chroot --userspec=65532:65532 "$R" ${node.join(' ')} /app/${MESHWARD_ENTRYPOINT} version
      if chroot "$R" /nodejs/bin/node -e 'require("fs").writeFileSync("/app/x", "")' 2>/dev/null; then echo writable; fi`;
    const r = await inNamespaces(meshward, script, imageEnv(meshwardEnv));
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const [version, cli, ...rest] = r.stdout.trim().split('\n');
    assert.match(version!, /^v24\.\d+\.\d+ 65532$/);
    assert.equal(cli, 'meshward 0.1.0');
    assert.deepEqual(rest, [], 'the root file system is read-only, even for root');
  });
});
