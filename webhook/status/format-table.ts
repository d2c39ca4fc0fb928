import type { Violation } from '../gate/rules.js';
import {
  describeCertificate,
  describeModeLevel,
  describeWorkloadPort,
  podAttention,
  shortHash,
  workloadCertificate,
  workloadState,
  type WorkloadState,
} from './describe.js';
import type { NamespaceStatus, StatusReport } from './model.js';
import { policyScopeText } from './namespace-info.js';
import { fit, pad, wrap } from './text.js';

// `meshward status -o table`: fits 100 columns. Per namespace one header line, a workload table,
// then the pods that need attention and the violations (rule IDs first, wrapped).

export const TABLE_WIDTH = 100;
const COLUMNS = { workload: 28, pods: 6, ports: 30, cert: 16, state: 13 } as const;
const STATE_TEXT: Record<WorkloadState, string> = { ok: 'ok', violation: 'VIOLATION', stale: 'stale', unmeshed: 'unmeshed' };

function row(cells: readonly [string, string, string, string, string]): string {
  const [w, p, ports, cert, state] = cells;
  return `  ${pad(w, COLUMNS.workload)} ${pad(p, COLUMNS.pods)} ${pad(ports, COLUMNS.ports)} ${pad(cert, COLUMNS.cert)} ${fit(state, COLUMNS.state)}`.trimEnd();
}

function formatViolation(v: Violation): string[] {
  const object =
    v.kind === 'Namespace' ? `Namespace/${v.name}` : `${v.kind}/${v.name}${v.namespace && v.kind !== 'Pod' ? ` (${v.namespace})` : ''}`;
  return wrap(`${v.rule} ${object} ${v.field}: ${v.message}`, TABLE_WIDTH, '    ', '        ');
}

function namespaceHeader(ns: NamespaceStatus): string[] {
  const requirement = ns.requirement === 'invalid' ? `invalid (${JSON.stringify(ns.requirementLabel)})` : ns.requirement;
  const verdict = ns.strictViolated ? ' · STRICT VIOLATED' : ns.requirement === 'STRICT' ? ' · strict ok' : '';
  const header = `${ns.name}: requirement ${requirement} · inject ${ns.injection} · meshed ${ns.pods.meshed}/${ns.pods.total}${ns.pods.stale > 0 ? ` · ${ns.pods.stale} stale` : ''}${verdict}`;
  return [...wrap(header, TABLE_WIDTH, '', '  '), ...wrap(`level ${describeModeLevel(ns.level)}`, TABLE_WIDTH, '  ', '    ')];
}

function formatNamespace(ns: NamespaceStatus): string[] {
  const lines = namespaceHeader(ns);
  if (ns.policies.length > 0) {
    const policies = ns.policies.map(
      (p) =>
        `${p.name} [${policyScopeText(p)}] ${p.mode}${
          Object.keys(p.ports).length > 0
            ? ` ${Object.entries(p.ports)
                .map(([k, m]) => `${k}=${m}`)
                .join(',')}`
            : ''
        }`,
    );
    lines.push(...wrap(`policies: ${policies.join('; ')}`, TABLE_WIDTH, '  ', '    '));
  }
  if (ns.workloads.length === 0) lines.push('  (no pods)');
  else {
    lines.push(row(['WORKLOAD', 'MESHED', 'PORTS (proxy mode)', 'CERTIFICATE', 'STATE']));
    for (const w of ns.workloads) {
      const ports = w.ports.length > 0 ? w.ports.map(describeWorkloadPort).join(', ') : `no ports: ${w.pods[0]?.mode.mode ?? ''}`;
      lines.push(row([`${w.kind}/${w.name}`, `${w.meshed}/${w.total}`, ports, workloadCertificate(w), STATE_TEXT[workloadState(w)]]));
    }
  }
  const attention = ns.workloads.flatMap((w) => w.pods.map((p) => ({ p, text: podAttention(p) })).filter((x) => x.text !== undefined));
  if (attention.length > 0) {
    lines.push('  needs attention:');
    for (const { p, text } of attention)
      lines.push(...wrap(`${p.name} (${p.phase}, cert ${describeCertificate(p.certificate)}): ${text}`, TABLE_WIDTH, '    ', '        '));
  }
  if (ns.violations.length > 0) {
    lines.push(`  violations (${ns.violations.length}):`);
    for (const v of ns.violations) lines.push(...formatViolation(v));
  }
  return lines;
}

export function formatStatusTable(report: StatusReport): string {
  const s = report.summary;
  const lines = [
    `meshward status  ${report.generatedAt}`,
    ...wrap(
      `${s.namespaces} namespace(s) · ${s.pods} pod(s), ${s.meshed} meshed · ${s.stale} stale · ${s.violations} violation(s)` +
        (s.strictViolated.length > 0 ? ` · STRICT violated in: ${s.strictViolated.join(', ')}` : ''),
      TABLE_WIDTH,
      '',
      '  ',
    ),
    ...wrap(
      `current: templates ${report.current.templateHash}, config ${report.current.configHash}, trust root ${report.current.trustRoot ? shortHash(report.current.trustRoot) : 'unknown (not checked)'}, mesh default ${report.current.defaultMode}`,
      TABLE_WIDTH,
      '',
      '  ',
    ),
  ];
  for (const ns of report.namespaces) lines.push('', ...formatNamespace(ns));
  if (report.notes.length > 0) {
    lines.push('', 'notes:');
    for (const note of report.notes) lines.push(...wrap(note, TABLE_WIDTH, '  ', '    '));
  }
  return `${lines.join('\n')}\n`;
}
