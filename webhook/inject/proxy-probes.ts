import { BootstrapInputError, probeInputProblems, type ProbeInput } from '../proxy/index.js';
import type { ProbeRoute } from './probes.js';

// The probe routes the status annotation records, in the form the proxy renderers take: the xDS
// server renders a pod's status listener and probe clusters from them. The injector checks them
// by the renderers' own rules, so every pod it injects, and every pod the gate admits as injected
// (MW-SIDECAR-004 re-renders through here), is one the xDS server can serve.

export function proxyProbeInputs(routes: readonly ProbeRoute[]): ProbeInput[] {
  return routes.map(({ grpcService, headers, ...probe }) => ({
    ...probe,
    ...(headers ? { headers: headers.map((h) => ({ ...h })) } : {}),
    ...(grpcService ? { service: grpcService } : {}),
  }));
}

/** Throws BootstrapInputError naming every problem when the proxy could not render these routes. */
export function checkProxyProbes(routes: readonly ProbeRoute[]): void {
  const problems = probeInputProblems(proxyProbeInputs(routes));
  if (problems.length > 0) throw new BootstrapInputError(problems);
}
