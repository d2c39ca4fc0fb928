import type { MeshwardConfig } from '../config/types.js';
import { meshwardRole, type MeshwardRole } from './meshward-containers.js';
import { addedCapabilities, listContainers, podSecurityContext, readInteger, readTrue, type ContainerRef } from './pod-fields.js';
import type { PodView } from './pod-template.js';
import { finding, type Finding, type RuleId } from './rules.js';

// Rule 4: containers (app, init, native sidecar, ephemeral) that can get around capture.
// - The capture rules RETURN traffic owned by the proxy's UID (--uid-owner) and primary GID
//   (--gid-owner, without --suppl-groups), so running as either skips outbound capture.
//   supplementalGroups and fsGroup only add supplementary groups: not matched, not refused.
// - NET_ADMIN, NET_RAW, ALL or privileged can flush or rewrite the pod's iptables rules.
//   allowPrivilegeEscalation alone cannot add capabilities beyond the bounding set: not refused.
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

function identityFindings(view: PodView, containers: ContainerRef[], roles: Map<ContainerRef, MeshwardRole | undefined>, r: IdentityRule): Finding[] {
  const out: Finding[] = [];
  const podValue = readInteger(podSecurityContext(view), r.key);
  const inheriting: string[] = [];
  for (const c of containers) {
    if (roles.get(c)) continue;
    const own = readInteger(c.securityContext, r.key);
    if (own === r.id) {
      out.push(finding(r.rule, `${c.path}.securityContext.${r.key}`, `${describe(c)} runs as ${r.what} ${r.id}, the proxy's, whose traffic is never captured`, `set ${r.key} to another value`));
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
    out.push(finding('MW-CAPS-001', `${c.path}.securityContext.capabilities.add`, `${describe(c)} adds ${bad.join(', ')}, enough to rewrite or flush the pod's capture rules`, `remove ${bad.join(', ')} from capabilities.add`));
  }
  if (readTrue(c.securityContext, 'privileged')) {
    out.push(finding('MW-PRIV-001', `${c.path}.securityContext.privileged`, `${describe(c)} is privileged and can rewrite or flush the pod's capture rules`));
  }
  return out;
}

/** Rule 4 for one pod or pod template. */
export function containerFindings(view: PodView, config: Pick<MeshwardConfig, 'proxy'>): Finding[] {
  const containers = listContainers(view);
  const roles = new Map(containers.map((c) => [c, meshwardRole(c, view, config)] as const));
  return [
    ...identityFindings(view, containers, roles, { rule: 'MW-UID-001', key: 'runAsUser', id: config.proxy.uid, what: 'UID' }),
    ...identityFindings(view, containers, roles, { rule: 'MW-GID-001', key: 'runAsGroup', id: config.proxy.gid, what: 'GID' }),
    ...containers.flatMap((c) => privilegeFindings(c, roles.get(c))),
  ];
}
