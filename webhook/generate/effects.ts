import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../admission/types.js';
import type { MeshwardConfig, ResolvedMode } from '../config/types.js';
import { describeLevel } from '../gate/policy-rules.js';
import { isInjected } from '../inject/decide.js';
import { declaredPorts } from '../inject/inject-pod.js';
import { samePolicy, type MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import {
  modeForPort,
  resolveNamespaceLevel,
  resolveWorkloadModes,
  type ResolvedLevel,
  type WorkloadModes,
} from '../policy/resolve-modes.js';
import { workloadOf, type WorkloadRef } from '../status/workload-owner.js';
import type { GenerateRequest } from './request.js';

// What a planned policy changes, by the one resolver: the namespace level, and each workload
// port whose mode goes from one value to another; plus what stays different from the request
// (another policy decides it) and which workloads' running proxies will receive the change (live, over xDS).

export interface ModeChange {
  readonly workload: WorkloadRef;
  /** undefined: a pod without declared ports (its workload mode). */
  readonly port?: number;
  readonly before: ResolvedMode;
  readonly after: ResolvedMode;
  readonly pods: number;
}

export interface Holdout {
  readonly workload: WorkloadRef;
  readonly port?: number;
  readonly mode: ResolvedMode;
  /** Why: the level that decides it. */
  readonly decidedBy: string;
}

export interface PolicyEffects {
  readonly namespaceBefore: ResolvedLevel;
  readonly namespaceAfter: ResolvedLevel;
  readonly changes: readonly ModeChange[];
  /** Pods the request is about (all of the namespace, or the selected ones). */
  readonly targetedPods: number;
  /** Targeted workload ports that still will not have the requested mode. */
  readonly holdouts: readonly Holdout[];
  /** Workloads with injected pods whose running proxies receive the change live. */
  readonly pushedTo: readonly WorkloadRef[];
}

export interface EffectsInput {
  readonly config: Pick<MeshwardConfig, 'mesh'>;
  readonly request: GenerateRequest;
  readonly meshPolicies: readonly MeshTLSPolicy[];
  readonly namespacePolicies: readonly MeshTLSPolicy[];
  readonly planned: MeshTLSPolicy;
  readonly pods: readonly KubeObject[];
}

function replaced(list: readonly MeshTLSPolicy[], policy: MeshTLSPolicy): MeshTLSPolicy[] {
  return [...list.filter((p) => !samePolicy(p, policy)), policy];
}

function targeted(pod: KubeObject, request: GenerateRequest): boolean {
  if (!request.selector) return true;
  return Object.entries(request.selector).every(([k, v]) => pod.metadata?.labels?.[k] === v);
}

function key(ref: WorkloadRef, port: number | undefined): string {
  return `${ref.kind}/${ref.name}#${port ?? ''}`;
}

export function computeEffects(input: EffectsInput): PolicyEffects {
  const { config, request, planned } = input;
  const inMesh = planned.namespace === config.mesh.namespace;
  const beforeSet = { config, meshPolicies: input.meshPolicies, namespacePolicies: input.namespacePolicies };
  const afterSet = {
    config,
    meshPolicies: inMesh ? replaced(input.meshPolicies, planned) : input.meshPolicies,
    namespacePolicies: replaced(input.namespacePolicies, planned),
  };
  const changes = new Map<string, { workload: WorkloadRef; port?: number; before: ResolvedMode; after: ResolvedMode; pods: number }>();
  const holdouts = new Map<string, Holdout>();
  const pushedTo = new Map<string, WorkloadRef>();
  let targetedPods = 0;
  for (const pod of input.pods) {
    const ports = declaredPorts(pod as V1Pod);
    const resolve = (set: typeof beforeSet): WorkloadModes => resolveWorkloadModes({ ...set, podLabels: pod.metadata?.labels, ports });
    const before = resolve(beforeSet);
    const after = resolve(afterSet);
    const workload = workloadOf(pod);
    const allPorts: Array<number | undefined> = [...new Set([...before.ports, ...after.ports].map((p) => p.port))].sort((a, b) => a - b);
    const checked = allPorts.length > 0 ? allPorts : [undefined];
    const isTarget = targeted(pod, request);
    if (isTarget) targetedPods++;
    for (const port of checked) {
      const b = port === undefined ? before.workload : modeForPort(before, port);
      const a = port === undefined ? after.workload : modeForPort(after, port);
      const k = key(workload, port);
      if (a.mode !== b.mode) {
        const entry = changes.get(k) ?? { workload, ...(port !== undefined ? { port } : {}), before: b.mode, after: a.mode, pods: 0 };
        entry.pods++;
        changes.set(k, entry);
        if (isInjected(pod as V1Pod)) pushedTo.set(`${workload.kind}/${workload.name}`, workload);
      }
      const asked = request.ports.length === 0 || (port !== undefined && request.ports.includes(port));
      if (isTarget && asked && a.mode !== request.mode)
        holdouts.set(k, { workload, ...(port !== undefined ? { port } : {}), mode: a.mode, decidedBy: describeLevel(a) });
    }
  }
  const order = (x: { workload: WorkloadRef; port?: number }, y: { workload: WorkloadRef; port?: number }): number =>
    `${x.workload.kind}/${x.workload.name}`.localeCompare(`${y.workload.kind}/${y.workload.name}`) || (x.port ?? 0) - (y.port ?? 0);
  return {
    namespaceBefore: resolveNamespaceLevel(beforeSet),
    namespaceAfter: resolveNamespaceLevel(afterSet),
    changes: [...changes.values()].sort(order),
    targetedPods,
    holdouts: [...holdouts.values()].sort(order),
    pushedTo: [...pushedTo.values()].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`)),
  };
}
