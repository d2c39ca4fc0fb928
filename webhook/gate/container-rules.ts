import type { MeshwardConfig } from '../config/types.js';
import { MESHWARD_CONTAINER_NAMES, MESHWARD_VOLUME_NAMES } from '../config/names.js';
import { meshwardRole, type MeshwardRole } from './meshward-containers.js';
import {
  addedCapabilities,
  asInteger,
  listContainers,
  podSecurityContext,
  readInteger,
  readTrue,
  records,
  type ContainerRef,
} from './pod-fields.js';
import type { PodView } from './pod-template.js';
import { finding, type Finding, type RuleId } from './rules.js';

// Containers (app, init, native sidecar, ephemeral) that can get around capture or reach into
// the proxy:
// - The capture rules RETURN traffic owned by the proxy's UID (--uid-owner) and primary GID
//   (--gid-owner), so running as either skips outbound capture (MW-UID-001, MW-GID-001). A member
//   of the proxy's group through supplementalGroups or fsGroup can make a setgid-1337 file and
//   run it with that primary GID (MW-GID-002).
// - NET_ADMIN, NET_RAW, ALL or privileged can flush or rewrite the pod's iptables rules.
//   allowPrivilegeEscalation alone cannot add capabilities beyond the bounding set: not refused.
// - meshward's volumes hold the proxy's config and the workload key (MW-VOLUME-001); a shared
//   process namespace with SYS_PTRACE, or an ephemeral container targeting the proxy, reads them
//   from the proxy's memory or /proc/<pid>/root (MW-PTRACE-001, MW-EPHEMERAL-001).
// Exemptions: meshward-proxy may run as the proxy UID/GID; meshward-init (which installs the
// rules) may also add NET_ADMIN and NET_RAW. Nobody may be privileged or add ALL.

const CAPTURE_CAPABILITIES = ['NET_ADMIN', 'NET_RAW', 'ALL'];
const INIT_CAPABILITIES = ['NET_ADMIN', 'NET_RAW'];

function describe(c: ContainerRef): string {
  const kind = c.list === 'ephemeralContainers' ? 'ephemeral container' : c.list === 'initContainers' ? 'init container' : 'container';
  return `${kind} ${JSON.stringify(c.name)}`;
}

interface IdentityRule {
  readonly rule: RuleId;
  readonly key: 'runAsUser' | 'runAsGroup';
  readonly id: number;
  readonly what: string;
}

function identityFindings(
  view: PodView,
  containers: readonly ContainerRef[],
  roles: Map<ContainerRef, MeshwardRole | undefined>,
  r: IdentityRule,
): Finding[] {
  const out: Finding[] = [];
  const podValue = readInteger(podSecurityContext(view), r.key);
  const inheriting: string[] = [];
  for (const c of containers) {
    if (roles.get(c)) continue;
    const own = readInteger(c.securityContext, r.key);
    if (own === r.id) {
      out.push(
        finding(
          r.rule,
          `${c.path}.securityContext.${r.key}`,
          `${describe(c)} runs as ${r.what} ${r.id}, the proxy's, whose traffic is never captured`,
          `set ${r.key} to another value`,
        ),
      );
    } else if (own === undefined && podValue === r.id) {
      inheriting.push(describe(c));
    }
  }
  if (inheriting.length > 0) {
    out.push(
      finding(
        r.rule,
        `${view.prefix}spec.securityContext.${r.key}`,
        `${r.what} ${r.id} is the proxy's, whose traffic is never captured; inherited by ${inheriting.join(', ')}`,
        `set the pod's ${r.key} to another value (or override it on every container)`,
      ),
    );
  }
  return out;
}

function privilegeFindings(c: ContainerRef, role: MeshwardRole | undefined): Finding[] {
  const out: Finding[] = [];
  const allowed = role === 'init' ? INIT_CAPABILITIES : [];
  const bad = [...new Set(addedCapabilities(c).filter((cap) => CAPTURE_CAPABILITIES.includes(cap) && !allowed.includes(cap)))];
  if (bad.length > 0) {
    out.push(
      finding(
        'MW-CAPS-001',
        `${c.path}.securityContext.capabilities.add`,
        `${describe(c)} adds ${bad.join(', ')}, enough to rewrite or flush the pod's capture rules`,
        `remove ${bad.join(', ')} from capabilities.add`,
      ),
    );
  }
  if (readTrue(c.securityContext, 'privileged')) {
    out.push(
      finding(
        'MW-PRIV-001',
        `${c.path}.securityContext.privileged`,
        `${describe(c)} is privileged and can rewrite or flush the pod's capture rules`,
      ),
    );
  }
  return out;
}

function groupFindings(view: PodView, gid: number): Finding[] {
  const pod = podSecurityContext(view);
  const out: Finding[] = [];
  const groups: unknown[] = Array.isArray(pod.supplementalGroups) ? pod.supplementalGroups : [];
  groups.forEach((group, i) => {
    if (asInteger(group) !== gid) return;
    out.push(
      finding(
        'MW-GID-002',
        `${view.prefix}spec.securityContext.supplementalGroups[${i}]`,
        `puts every container in the proxy's group ${gid}; a setgid file of that group then runs with the proxy's GID, whose traffic is never captured`,
      ),
    );
  });
  if (readInteger(pod, 'fsGroup') === gid) {
    out.push(
      finding(
        'MW-GID-002',
        `${view.prefix}spec.securityContext.fsGroup`,
        `puts every container in the proxy's group ${gid} (and its volumes' files); a setgid file of that group then runs with the proxy's GID, whose traffic is never captured`,
        'set fsGroup to another value',
      ),
    );
  }
  return out;
}

function reachFindings(view: PodView, c: ContainerRef): Finding[] {
  const out: Finding[] = [];
  for (const [mount, i] of records(c.entry.volumeMounts)) {
    if (typeof mount.name !== 'string' || !MESHWARD_VOLUME_NAMES.has(mount.name)) continue;
    out.push(
      finding(
        'MW-VOLUME-001',
        `${c.path}.volumeMounts[${i}].name`,
        `${describe(c)} mounts ${mount.name}, which holds the proxy's configuration or the workload key`,
      ),
    );
  }
  const target = c.entry.targetContainerName;
  if (c.list === 'ephemeralContainers' && typeof target === 'string' && MESHWARD_CONTAINER_NAMES.has(target)) {
    out.push(
      finding(
        'MW-EPHEMERAL-001',
        `${c.path}.targetContainerName`,
        `${describe(c)} joins ${target}'s process namespace, where it can read the proxy's key and configuration`,
      ),
    );
  }
  if (readTrue(view.spec, 'shareProcessNamespace') && addedCapabilities(c).includes('SYS_PTRACE')) {
    out.push(
      finding(
        'MW-PTRACE-001',
        `${c.path}.securityContext.capabilities.add`,
        `${describe(c)} adds SYS_PTRACE in a pod that shares its process namespace, so it can read the proxy's memory and key`,
      ),
    );
  }
  return out;
}

/** The container rules for one pod or pod template. */
export function containerFindings(view: PodView, config: Pick<MeshwardConfig, 'proxy'>): Finding[] {
  const containers = listContainers(view);
  const roles = new Map(containers.map((c) => [c, meshwardRole(c, config)] as const));
  return [
    ...identityFindings(view, containers, roles, { rule: 'MW-UID-001', key: 'runAsUser', id: config.proxy.uid, what: 'UID' }),
    ...identityFindings(view, containers, roles, { rule: 'MW-GID-001', key: 'runAsGroup', id: config.proxy.gid, what: 'GID' }),
    ...groupFindings(view, config.proxy.gid),
    ...containers.flatMap((c) => privilegeFindings(c, roles.get(c))),
    ...containers.flatMap((c) => (roles.get(c) ? [] : reachFindings(view, c))),
  ];
}
