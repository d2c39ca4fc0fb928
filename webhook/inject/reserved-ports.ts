import type { V1Pod } from '@kubernetes/client-node';
import { RESERVED_PORTS } from '../config/names.js';
import { finding } from '../gate/rules.js';
import { ruleProblem, type AnnotationProblem } from './pod-options.js';
import { probesOnProxyPorts } from './probes.js';

// The proxy's own ports are not the app's: the injector refuses a pod that declares or probes one,
// in the gate's words (MW-PORT-002, MW-PROBE-001), in every namespace.

const RESERVED_LIST = [...RESERVED_PORTS].sort((a, b) => a - b).join(', ');

/**
 * App ports and probes that collide with the proxy's own: the proxy could not listen, would
 * capture itself, or would serve a plaintext probe route to its admin API.
 */
export function reservedPortProblems(pod: V1Pod): AnnotationProblem[] {
  const problems: AnnotationProblem[] = [];
  for (const [list, containers] of [
    ['containers', pod.spec?.containers ?? []],
    ['initContainers', pod.spec?.initContainers ?? []],
  ] as const) {
    containers.forEach((c, i) => {
      (c.ports ?? []).forEach((p, j) => {
        if (!RESERVED_PORTS.has(p.containerPort)) return;
        const field = `spec.${list}[${i}].ports[${j}].containerPort`;
        const fix = 'use another port, or opt the pod out with meshward.io/inject: "false"';
        problems.push(
          ruleProblem(
            finding('MW-PORT-002', field, `${p.containerPort} is reserved for meshward's proxy (${RESERVED_LIST})`, fix),
            String(p.containerPort),
          ),
        );
      });
      for (const p of probesOnProxyPorts(c)) {
        const field = `spec.${list}[${i}].${p.field}`;
        problems.push(
          ruleProblem(finding('MW-PROBE-001', field, `${p.port} is one of meshward's proxy ports (${RESERVED_LIST})`), String(p.port)),
        );
      }
    });
  }
  return problems;
}
