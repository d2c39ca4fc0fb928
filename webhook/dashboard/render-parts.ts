import type { Violation } from '../gate/rules.js';
import { describeCertificate } from '../status/describe.js';
import type { CertificateStatus, PodStatus, PortStatus, Requirement, WorkloadPort } from '../status/model.js';
import { html, type SafeHtml } from './html.js';

// Small pieces of the page: mode chips, badges, violations.

export function modeChip(port: number | string, mode: string, title: string, drift = false): SafeHtml {
  return html`<span class="chip m-${mode}${drift ? ' m-drift' : ''}" title="${title}"><span class="port">${port}</span>${mode}</span>`;
}

export function workloadPortChip(p: WorkloadPort): SafeHtml {
  if (p.proxy === 'none') return modeChip(p.port, 'plaintext', `no proxy: plaintext (policy says ${p.resolved})`);
  if (p.proxy === 'mixed' || p.resolved === 'mixed') return modeChip(p.port, 'mixed', 'the pods of this workload differ: see the pods');
  if (p.proxy !== p.resolved)
    return modeChip(p.port, p.proxy, `the proxy enforces ${p.proxy}; the policy now says ${p.resolved}: restart the pods`, true);
  return modeChip(p.port, p.proxy, `proxy and policy: ${p.proxy}`);
}

export function podPortChip(pod: PodStatus, p: PortStatus): SafeHtml {
  const decided = p.policy ? `${p.source} policy ${p.policy}` : 'mesh default';
  if (!pod.injected) return modeChip(p.port, 'plaintext', `no proxy: plaintext (policy says ${p.resolved}, from ${decided})`);
  if (!p.proxy) return modeChip(p.port, 'unknown', `proxy mode not recorded; policy says ${p.resolved} (${decided})`);
  if (p.proxy !== p.resolved)
    return modeChip(p.port, p.proxy, `proxy enforces ${p.proxy}; policy now says ${p.resolved} (${decided}): restart the pod`, true);
  return modeChip(p.port, p.proxy, `decided by ${decided}`);
}

const REQUIREMENT_CLASS: Record<Requirement, string> = {
  STRICT: 'b-strict',
  PERMISSIVE: 'b-perm',
  DISABLE: 'b-dis',
  none: 'b-none',
  invalid: 'b-bad',
};

export function requirementBadge(requirement: Requirement, label?: string): SafeHtml {
  const text =
    requirement === 'none'
      ? 'no requirement'
      : requirement === 'invalid'
        ? `invalid requirement ${JSON.stringify(label ?? '')}`
        : `requires ${requirement}`;
  return html`<span class="badge ${REQUIREMENT_CLASS[requirement]}" title="meshward.io/mtls label">${text}</span>`;
}

export function modeBadge(mode: string): SafeHtml {
  const cls = mode === 'STRICT' ? 'b-strict' : mode === 'PERMISSIVE' ? 'b-perm' : mode === 'DISABLE' ? 'b-dis' : 'b-none';
  return html`<span class="badge ${cls}">${mode}</span>`;
}

export function certificateCell(cert: CertificateStatus): SafeHtml {
  const cls = cert.expiry === 'expired' ? 'state-violation' : cert.expiry === 'expiring' ? 'state-stale' : '';
  return html`<span class="${cls}" title="${cert.note}">${describeCertificate(cert)}</span>${cert.source !== 'none' ? html`<div class="why">${cert.note}</div>` : ''}`;
}

function objectName(v: Violation): string {
  if (v.kind === 'Namespace') return `Namespace ${v.name}`;
  return v.kind === 'Pod' ? `Pod ${v.name}` : `${v.kind} ${v.namespace}/${v.name}`;
}

export function ruleTag(rule: string): SafeHtml {
  return html`<span class="rule${rule.startsWith('MW-ADVISE') ? ' advise' : ''}">${rule}</span>`;
}

export function violationItem(v: Violation): SafeHtml {
  const [problem, fix] = v.message.split('. Fix: ');
  return html`<li>${ruleTag(v.rule)}<span class="obj">${objectName(v)}</span> <code>${v.field}</code>: ${problem}${fix ? html` <span class="fix">— fix: ${fix}</span>` : ''}</li>`;
}
