// The kubelet node harness (scripts/node/) itself: a bounded start and stop that leave the host as it
// was — no process, cgroup, directory, network link, iptables rule or sysctl of the node's — also
// when its owner is SIGKILLed, and a clear error naming what is missing.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processesMatching, sleep } from '../../scripts/control-plane/processes.js';
import { ensureNodeImages, NODE_IMAGES } from '../../scripts/node/local-images.js';
import { NodeClusterError, startNodeCluster } from '../../scripts/node/node-cluster.js';
import { waitFor } from './node-fixtures.js';

interface HostState {
  readonly links: string;
  readonly iptables: string;
  readonly sysctls: string;
  readonly cgroups: string;
}

/** What the node must never change on the host. */
function hostState(): HostState {
  const sysctls = ['vm/overcommit_memory', 'kernel/panic', 'kernel/panic_on_oops', 'net/ipv4/ip_forward']
    .map((s) => `${s}=${readFileSync(`/proc/sys/${s}`, 'utf8').trim()}`)
    .join(' ');
  const cgroups = readdirSync('/sys/fs/cgroup')
    .flatMap((h) => (existsSync(join('/sys/fs/cgroup', h, 'cgroup.procs')) ? readdirSync(join('/sys/fs/cgroup', h)) : []))
    .filter((name) => name.startsWith('meshward-node-'))
    .join(' ');
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(':')[1]?.trim() ?? '')
    .join(' ');
  const iptables = execFileSync('iptables-save', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
  return { links, iptables, sysctls, cgroups };
}

describe('kubelet node harness: isolation and lifecycle', function () {
  this.timeout(180_000);
  let pause: string;

  before(async function () {
    this.timeout(900_000);
    [pause] = await ensureNodeImages();
  });

  it('names a missing image archive before it starts anything', async () => {
    await assert.rejects(
      startNodeCluster({ images: ['/nonexistent/pause.tar'], sandboxImage: NODE_IMAGES.pause }),
      (err: unknown) => err instanceof NodeClusterError && /image archive not found: \/nonexistent\/pause\.tar/.test(err.message),
    );
  });

  it('stops in bounded time and leaves the host as it was', async () => {
    const before = hostState();
    const node = await startNodeCluster({ images: [pause], sandboxImage: NODE_IMAGES.pause });
    const during = hostState();
    assert.notEqual(during.cgroups, before.cgroups, 'the node has its cgroup subtree while it runs');
    assert.equal(during.links, before.links, 'the bridge and pod links live in the node, not on the host');
    assert.equal(during.iptables, before.iptables, "kube-proxy's rules live in the node");
    assert.equal(during.sysctls, before.sysctls, 'the kubelet found the sysctls it wants without writing the host');
    const deadline = Date.now() + 30_000;
    while (!/KUBE-SERVICES/.test((await node.inNode('iptables-save', ['-t', 'nat'])).stdout)) {
      assert.ok(Date.now() < deadline, 'kube-proxy programs the node (its nat table) within 30 s');
      await sleep(500);
    }
    assert.ok(processesMatching(node.dir).length >= 5, 'the node runs its components');
    const { ms } = await node.stop();
    assert.ok(ms < 30_000, `stopped in ${ms} ms`);
    assert.deepEqual(processesMatching(node.dir), []);
    assert.equal(existsSync(node.dir), false);
    assert.deepEqual(hostState(), before);
  });

  it('a SIGKILLed owner takes its node with it; the next start reaps its cgroups and directory', async () => {
    const before = hostState();
    const owner = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'node-owner.ts'), pause, NODE_IMAGES.pause],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const dir = await new Promise<string>((resolveDir, reject) => {
      let out = '';
      owner.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolveDir(out.trim());
      });
      owner.once('exit', (code) => reject(new Error(`the owner exited with ${code} before its node was up`)));
    });
    assert.ok(processesMatching(dir).length >= 5);
    const gone = new Promise((resolveExit) => owner.once('exit', resolveExit));
    owner.kill('SIGKILL');
    await gone;
    await waitFor('every process of the node to be gone', 15_000, async () => processesMatching(dir).length === 0, 200);
    // Its cgroups and directory outlive it until the next node starts and reaps them.
    const next = await startNodeCluster({ images: [pause], sandboxImage: NODE_IMAGES.pause });
    assert.equal(existsSync(dir), false, `${dir} reaped`);
    await next.stop();
    assert.deepEqual(hostState(), before);
  });
});
