// cgroups are not namespaced on cgroup v1: the node's pods live in a cgroup of the host's own
// hierarchies. Each node gets one subtree per hierarchy, named after the process that owns the node,
// created before it starts and removed after it stops; subtrees of owners that died are removed too.
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine, sleep } from '../control-plane/processes.js';

const CGROUP_FS = '/sys/fs/cgroup';
const PREFIX = 'meshward-node-';

function hierarchies(): string[] {
  if (!existsSync(CGROUP_FS)) return [];
  return readdirSync(CGROUP_FS)
    .map((name) => join(CGROUP_FS, name))
    .filter((path) => statSync(path).isDirectory() && existsSync(join(path, 'cgroup.procs')));
}

/** The cgroup root (kubelet cgroupRoot) for a node owned by this process. */
export function createNodeCgroups(id: string): string {
  const name = `${PREFIX}${process.pid}-${id}`;
  for (const hierarchy of hierarchies()) {
    const path = join(hierarchy, name);
    mkdirSync(path, { recursive: true });
    // A new cpuset has no CPUs or memory nodes: nothing could run in it until they are copied down.
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      if (existsSync(join(hierarchy, file))) writeFileSync(join(path, file), readFileSync(join(hierarchy, file)));
    }
  }
  return `/${name}`;
}

function removeTree(path: string): boolean {
  if (!existsSync(path)) return true;
  let ok = true;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) ok = removeTree(join(path, entry.name)) && ok;
  }
  try {
    rmdirSync(path);
  } catch {
    ok = false; // still has processes (dying) or children
  }
  return ok;
}

/** Removes the subtree in every hierarchy, retrying while the last processes in it exit. */
export async function removeNodeCgroups(root: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = hierarchies().filter((h) => !removeTree(join(h, root)));
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`could not remove cgroup ${root} in ${left.join(', ')}: processes still in it`);
    await sleep(200);
  }
}

/** A dead owner: no such process, or a zombie its parent has not reaped yet (no command line). */
export function ownerGone(pid: number): boolean {
  return commandLine(pid) === undefined;
}

/** Removes the subtrees of nodes whose owning process is gone. */
export async function reapNodeCgroups(): Promise<void> {
  const owners = new Set<string>();
  for (const hierarchy of hierarchies()) {
    for (const name of readdirSync(hierarchy)) {
      const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
      if (match && ownerGone(Number(match[1]))) owners.add(`/${name}`);
    }
  }
  for (const root of owners) await removeNodeCgroups(root, 2000).catch(() => undefined);
}
