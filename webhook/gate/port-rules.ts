import { RESERVED_PORTS } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { probesOnProxyPorts } from '../inject/probes.js';
import { meshwardRole } from './meshward-containers.js';
import { asInteger, listContainers, records, type ContainerRef } from './pod-fields.js';
import type { PodView } from './pod-template.js';
import { finding, type Finding } from './rules.js';

// Ports that STRICT cannot cover:
// - MW-PORT-001: meshward-init captures TCP only, so a UDP or SCTP server port takes plaintext.
// - MW-PORT-002: an app declaring one of the proxy's ports (15020, 15021 and 15090 are never
//   captured inbound; the others are the proxy's own listeners).
// - MW-PROBE-001: a probe on one of the proxy's ports would be rewritten into a plaintext route
//   on the status port to the admin API or a capture port (inject/probes.ts, which the injector
//   applies too, so `check` and the injector agree).
// meshward's own proxy declares and probes its ports, and is exempt.

function portFindings(c: ContainerRef): Finding[] {
  const out: Finding[] = [];
  for (const [port, i] of records(c.entry.ports)) {
    const field = `${c.path}.ports[${i}]`;
    const protocol = typeof port.protocol === 'string' ? port.protocol.trim().toUpperCase() : 'TCP';
    const number = asInteger(port.containerPort);
    if (protocol !== 'TCP') {
      out.push(
        finding(
          'MW-PORT-001',
          `${field}.protocol`,
          `${c.name} serves ${protocol} on ${number ?? port.containerPort}, which meshward never captures, so it takes plaintext`,
        ),
      );
    }
    if (number !== undefined && RESERVED_PORTS.has(number)) {
      out.push(finding('MW-PORT-002', `${field}.containerPort`, `${c.name} declares ${number}, one of the proxy's ports`));
    }
  }
  return out;
}

function probeFindings(c: ContainerRef): Finding[] {
  return probesOnProxyPorts(c.entry).map((p) =>
    finding(
      'MW-PROBE-001',
      `${c.path}.${p.field}`,
      `${c.name}'s ${p.probe} targets ${p.port}, one of the proxy's ports; rewritten, it would be a plaintext route to the proxy itself`,
    ),
  );
}

/** The port and probe rules for one pod or pod template. */
export function portRuleFindings(view: PodView, config: Pick<MeshwardConfig, 'proxy'>): Finding[] {
  return listContainers(view)
    .filter((c) => !meshwardRole(c, config))
    .flatMap((c) => [...portFindings(c), ...probeFindings(c)]);
}
