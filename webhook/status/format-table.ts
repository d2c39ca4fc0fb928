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
import { describeWorkloadPortAuthorization, hasAuthorizationPolicies } from './authorization.js';
import { describePodCounters, hasProxyLine, proxyConfigText } from './describe-proxy.js';
import type { NamespaceStatus, PodCounts, PodStatus, StatusReport, WorkloadStatus } from './model.js';
import { policyScopeText } from './namespace-info.js';
import { fit, pad, wrap } from './text.js';

// `meshward status -o table`: fits 100 columns. Per namespace one header line, a workload table
// (under each workload a line per proxy with something to say: its configuration state and what
// it counted per port), then the pods that need attention and the violations (rule IDs first, wrapped).

export const TABLE_WIDTH = 100;
const COLUMNS = { workload: 28, pods: 6, ports: 30, cert: 16, state: 13 } as const;
const STATE_TEXT: Record<WorkloadState, string> = {
  ok: 'ok',
  violation: 'VIOLATION',
  rejected: 'REJECTED',
  disconnected: 'disconnected',
  restart: 'restart',
  stale: 'stale',
  unmeshed: 'unmeshed',
};
const POD_COLUMN = COLUMNS.workload - 2;

function row(cells: readonly [string, string, string, string, string]): string {
  const [w, p, ports, cert, state] = cells;
  return `  ${pad(w, COLUMNS.workload)} ${pad(p, COLUMNS.pods)} ${pad(ports, COLUMNS.ports)} ${pad(cert, COLUMNS.cert)} ${fit(state, COLUMNS.state)}`.trimEnd();
}

function formatViolation(v: Violation): string[] {
  const object =
    v.kind === 'Namespace' ? `Namespace/${v.name}` : `${v.kind}/${v.name}${v.namespace && v.kind !== 'Pod' ? ` (${v.namespace})` : ''}`;
  return wrap(`${v.rule} ${object} ${v.field}: ${v.message}`, TABLE_WIDTH, '    ', '        ');
}

/** ` · 1 to restart · 2 stale`: only what is not zero. */
function countsText(c: Omit<PodCounts, 'meshed' | 'total'>): string {
  const parts = [
    c.restart > 0 ? `${c.restart} to restart` : '',
    c.stale > 0 ? `${c.stale} stale` : '',
    c.rejected > 0 ? `${c.rejected} rejected` : '',
    c.disconnected > 0 ? `${c.disconnected} disconnected` : '',
  ].filter(Boolean);
  return parts.map((p) => ` · ${p}`).join('');
}

/** `web-1   current · 8080 STRICT mtls 120 plain 0`, wrapped under its own column. */
function proxyLines(pod: PodStatus): string[] {
  const text = [proxyConfigText(pod), describePodCounters(pod)].filter((t) => t !== undefined).join(' · ');
  const indent = ' '.repeat(4 + POD_COLUMN + 1);
  const lines = wrap(text, TABLE_WIDTH, indent, indent);
  return [`    ${pad(pod.name, POD_COLUMN)} ${lines[0]!.slice(indent.length)}`, ...lines.slice(1)];
}

/** `    authz 8080: shop/web (enforce, shop/web-callers) · 9090: mesh`, only for workloads a policy selects. */
function authorizationLines(w: WorkloadStatus): string[] {
  if (!hasAuthorizationPolicies(w)) return [];
  return wrap(`authz ${w.ports.map(describeWorkloadPortAuthorization).join(' · ')}`, TABLE_WIDTH, '    ', '          ');
}

function namespaceHeader(ns: NamespaceStatus): string[] {
  const requirement = ns.requirement === 'invalid' ? `invalid (${JSON.stringify(ns.requirementLabel)})` : ns.requirement;
  const verdict = ns.strictViolated ? ' · STRICT VIOLATED' : ns.requirement === 'STRICT' ? ' · strict ok' : '';
  const header = `${ns.name}: requirement ${requirement} · inject ${ns.injection} · meshed ${ns.pods.meshed}/${ns.pods.total}${countsText(ns.pods)}${verdict}`;
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
      lines.push(...authorizationLines(w));
      for (const pod of w.pods.filter(hasProxyLine)) lines.push(...proxyLines(pod));
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

/** Where the proxies' state and counters came from: one line when neither was read for the same reason. */
function telemetryLines({ controlPlane, counters }: StatusReport['telemetry']): string[] {
  if (!controlPlane.read && !counters.read && controlPlane.note === counters.note)
    return wrap(`proxies and counters: unknown (${controlPlane.note})`, TABLE_WIDTH, '', '  ');
  return [
    ...wrap(`proxies: ${controlPlane.read ? controlPlane.note : `unknown (${controlPlane.note})`}`, TABLE_WIDTH, '', '  '),
    ...wrap(`counters: ${counters.note}`, TABLE_WIDTH, '', '  '),
  ];
}

export function formatStatusTable(report: StatusReport): string {
  const s = report.summary;
  const lines = [
    `meshward status  ${report.generatedAt}`,
    ...wrap(
      `${s.namespaces} namespace(s) · ${s.pods} pod(s), ${s.meshed} meshed${countsText(s)} · ${s.violations} violation(s)` +
        (s.strictViolated.length > 0 ? ` · STRICT violated in: ${s.strictViolated.join(', ')}` : ''),
      TABLE_WIDTH,
      '',
      '  ',
    ),
    ...wrap(
      `current${report.current.origin ? ` (${report.current.origin})` : ''}: templates ${report.current.templateHash}, config ${report.current.configHash}, trust root ${report.current.trustRoot ? shortHash(report.current.trustRoot) : 'unknown (not checked)'}, mesh default ${report.current.defaultMode}`,
      TABLE_WIDTH,
      '',
      '  ',
    ),
    ...telemetryLines(report.telemetry),
  ];
  for (const ns of report.namespaces) lines.push('', ...formatNamespace(ns));
  if (report.notes.length > 0) {
    lines.push('', 'notes:');
    for (const note of report.notes) lines.push(...wrap(note, TABLE_WIDTH, '  ', '    '));
  }
  return `${lines.join('\n')}\n`;
}
