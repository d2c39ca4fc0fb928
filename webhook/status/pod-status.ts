import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import { decideInjection, isInjected, podInNamespace } from '../inject/decide.js';
import { declaredPorts } from '../inject/inject-pod.js';
import { INJECT_REASONS } from '../inject/skip-reasons.js';
import type { MeshAuthorizationPolicy, WorkloadAuthorization } from '../policy/authorization-types.js';
import type { MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import { isStrictNamespace } from '../policy/namespace-label.js';
import { authorizationForPort, resolveWorkloadAuthorization } from '../policy/resolve-authorization.js';
import { modeForPort, resolveWorkloadModes, type WorkloadModes } from '../policy/resolve-modes.js';
import { authorizationStatus } from './authorization.js';
import { certificateSource, withSecretExpiry, type SecretReader } from './certificate.js';
import { findDrift, readRecordedStatus, trustRootState, type CurrentInputs } from './drift.js';
import type { PodStatus, PortStatus } from './model.js';
import { podReady, proxyConfigState } from './proxy-state.js';
import { podCounters, type TelemetryData } from './read-telemetry.js';

// One pod's status: injected or why not, its modes per port (the resolver now, which is what an
// injected pod's proxy enforces: the xDS server sends it live), whether its proxy ACKed that
// configuration and what it counted per port (from the telemetry the caller read), drift of the
// static parts, trust root and certificate. Gate violations are added by the caller (one checkObjects run).

export interface PodContext {
  readonly config: MeshwardConfig;
  readonly namespace: string;
  readonly namespaceObject: KubeObject | undefined;
  readonly meshPolicies: readonly MeshTLSPolicy[];
  readonly namespacePolicies: readonly MeshTLSPolicy[];
  /** MeshAuthorizationPolicies of the mesh namespace and of the pod's namespace. */
  readonly meshAuthorizationPolicies: readonly MeshAuthorizationPolicy[];
  readonly namespaceAuthorizationPolicies: readonly MeshAuthorizationPolicy[];
  readonly current: CurrentInputs;
  readonly secrets?: SecretReader;
  readonly telemetry: TelemetryData;
  readonly now: Date;
}

/** Why a pod that is not injected is not: decideInjection's reason, or that it predates opt-in. */
export function notInjectedBecause(
  pod: V1Pod,
  ctx: Pick<PodContext, 'config' | 'namespace' | 'namespaceObject'>,
): { reason: string; message: string } {
  const decision = decideInjection(pod, ctx.namespace, ctx.namespaceObject, ctx.config.mesh.namespace);
  if (decision.inject) {
    return {
      reason: 'created-before-opt-in',
      message: 'it would be injected now, so it was created before the opt-in or while the injector was unavailable; restart it',
    };
  }
  const base = INJECT_REASONS[decision.reason];
  return { reason: decision.reason, message: decision.problem ? `${base}: ${decision.problem}` : base };
}

export function resolvePodStatusModes(
  pod: KubeObject,
  ctx: Pick<PodContext, 'config' | 'meshPolicies' | 'namespacePolicies' | 'namespaceObject'>,
): WorkloadModes {
  return resolveWorkloadModes({
    config: ctx.config,
    meshPolicies: ctx.meshPolicies,
    namespacePolicies: ctx.namespacePolicies,
    namespaceStrict: isStrictNamespace(ctx.namespaceObject),
    podLabels: pod.metadata?.labels,
    ports: declaredPorts(pod as V1Pod),
  });
}

/** Who may call each port: the same resolver the control plane renders the proxy's RBAC from. */
export function resolvePodAuthorization(
  pod: KubeObject,
  ctx: Pick<PodContext, 'config' | 'meshAuthorizationPolicies' | 'namespaceAuthorizationPolicies'>,
): WorkloadAuthorization {
  return resolveWorkloadAuthorization({
    config: ctx.config,
    meshPolicies: ctx.meshAuthorizationPolicies,
    namespacePolicies: ctx.namespaceAuthorizationPolicies,
    podLabels: pod.metadata?.labels,
    ports: declaredPorts(pod as V1Pod),
  });
}

function portStatuses(modes: WorkloadModes, authorization: WorkloadAuthorization, trustDomain: string, injected: boolean): PortStatus[] {
  return modes.ports
    .map((p) => p.port)
    .sort((a, b) => a - b)
    .map((port) => {
      const level = modeForPort(modes, port);
      const proxy = injected ? level.mode : undefined;
      const overrides = level.overrides
        ? { overrides: { mode: level.overrides.mode, ...(level.overrides.policy ? { policy: level.overrides.policy } : {}) } }
        : {};
      return {
        port,
        resolved: level.mode,
        source: level.source,
        ...(level.policy ? { policy: level.policy } : {}),
        ...overrides,
        ...(proxy ? { proxy } : {}),
        authorization: authorizationStatus(authorizationForPort(authorization, port), trustDomain),
      };
    });
}

export async function buildPodStatus(pod: KubeObject, ctx: PodContext): Promise<PodStatus> {
  const v1 = podInNamespace(pod as unknown as V1Pod, ctx.namespace);
  const injected = isInjected(v1);
  const modes = resolvePodStatusModes(pod, ctx);
  const why = injected ? undefined : notInjectedBecause(v1, ctx);
  const drift = injected ? findDrift(pod, ctx.current) : [];
  const recordedRoot = injected ? (readRecordedStatus(pod)?.trustRoot ?? '') : '';
  const rawPhase = (pod.status as { phase?: unknown } | undefined)?.phase;
  const phase = typeof rawPhase === 'string' ? rawPhase : 'Unknown';
  const name = pod.metadata?.name ?? '<unnamed>';
  const facts = { namespace: ctx.namespace, name, phase, ready: podReady(pod.status) };
  return {
    name,
    phase,
    injected,
    ...(why ? { notInjectedReason: why.reason, notInjectedMessage: why.message } : {}),
    ports: portStatuses(modes, resolvePodAuthorization(pod, ctx), ctx.config.mesh.trustDomain, injected),
    mode: modes.workload,
    drift,
    restart: drift.length > 0,
    ...(injected
      ? {
          proxyConfig: proxyConfigState(facts, ctx.telemetry.view, ctx.now),
          counters: podCounters(ctx.namespace, name, phase, ctx.telemetry),
        }
      : {}),
    trustRoot: { recorded: recordedRoot, state: injected ? trustRootState(recordedRoot, ctx.current.trustRoot) : 'unknown' },
    certificate: await withSecretExpiry(certificateSource(pod), ctx.namespace, ctx.secrets, ctx.now),
    violations: [],
  };
}
