import { describeWorkloadPortAuthorization, hasAuthorizationPolicies } from '../status/authorization.js';
import { describeModeLevel, workloadState, type WorkloadState } from '../status/describe.js';
import type { NamespaceStatus, PodStatus, WorkloadStatus } from '../status/model.js';
import { policyScopeText } from '../status/namespace-info.js';
import { html, type SafeHtml } from './html.js';
import { certificateCell, modeBadge, requirementBadge, ruleTag, violationItem, workloadPortChip } from './render-parts.js';
import { portsCell, proxyCell } from './render-proxy.js';

// One namespace card: header badges, policies, the workload table (pods folded under each
// workload, open when something is wrong) and the namespace's violations with rule IDs.

const STATE_TEXT: Record<WorkloadState, string> = {
  ok: 'ok',
  violation: 'violation',
  rejected: 'config rejected',
  disconnected: 'disconnected',
  restart: 'restart',
  stale: 'stale',
  unmeshed: 'not meshed',
};

function percent(part: number, total: number): number {
  return total === 0 ? 0 : Math.round((part / total) * 100);
}

function podRow(pod: PodStatus): SafeHtml {
  const drift = pod.drift.map((d) => html`<div class="drift" title="${d.message}">⚠ ${d.kind}: ${d.message}</div>`);
  return html`<tr data-pod="${pod.name}">
<td><span class="mono">${pod.name}</span><div class="why">${pod.phase}</div></td>
<td>${proxyCell(pod)}</td>
<td>${portsCell(pod)}</td>
<td>${pod.drift.length > 0 ? drift : html`<span class="why">${pod.injected ? 'current' : '—'}</span>`}</td>
<td>${certificateCell(pod.certificate)}</td>
<td>${pod.violations.length > 0 ? pod.violations.map((v) => ruleTag(v.rule)) : html`<span class="why">none</span>`}</td>
</tr>`;
}

/** Per port, who may call it: only for workloads a MeshAuthorizationPolicy selects (the rest admit the mesh default). */
function authorizationLines(w: WorkloadStatus): SafeHtml | '' {
  if (!hasAuthorizationPolicies(w)) return '';
  return html`${w.ports.map(
    (p) =>
      html`<div class="authz" data-authz-port="${String(p.port)}" data-authz="${p.authorization === 'mixed' ? 'mixed' : p.authorization.kind}">authz ${describeWorkloadPortAuthorization(p)}</div>`,
  )}`;
}

function workloadRows(w: WorkloadStatus): SafeHtml {
  const state = workloadState(w);
  const certs = [...new Set(w.pods.map((p) => p.certificate.source))];
  return html`<tr class="workload" data-workload="${w.kind}/${w.name}">
<td><span class="kind">${w.kind}</span><br><b>${w.name}</b></td>
<td>${w.meshed}/${w.total}</td>
<td>${w.ports.length > 0 ? w.ports.map(workloadPortChip) : html`<span class="why">no declared ports</span>`}${authorizationLines(w)}</td>
<td>${certs.length === 1 ? (certs[0] === 'none' ? '—' : certs[0] === 'pod-certificate' ? 'pod certificate' : 'secret (fallback)') : 'mixed'}</td>
<td class="state-${state}">${STATE_TEXT[state]}${w.restart > 0 && state !== 'restart' ? html` <span class="why">(${w.restart} to restart)</span>` : ''}</td>
</tr>
<tr class="pods"><td colspan="5"><details${state === 'ok' ? '' : html` open`}><summary>${w.total} pod${w.total === 1 ? '' : 's'}</summary>
<table class="pods"><colgroup><col style="width:15%"><col style="width:20%"><col style="width:23%"><col style="width:18%"><col style="width:13%"><col style="width:11%"></colgroup>
<thead><tr><th>Pod</th><th>Proxy (configuration)</th><th>Ports (proxy mode · connections)</th><th>Drift (restart)</th><th>Certificate</th><th>Violations</th></tr></thead>
<tbody>${w.pods.map(podRow)}</tbody></table></details></td></tr>`;
}

function countBadges(ns: NamespaceStatus): SafeHtml {
  const { restart, stale, rejected, disconnected } = ns.pods;
  return html`${restart > 0 ? html`<span class="badge b-warn">${restart} to restart</span>` : ''}${
    stale > 0 ? html`<span class="badge b-warn">${stale} stale</span>` : ''
  }${rejected > 0 ? html`<span class="badge b-bad">${rejected} rejected</span>` : ''}${
    disconnected > 0 ? html`<span class="badge b-bad">${disconnected} disconnected</span>` : ''
  }`;
}

function policiesLine(ns: NamespaceStatus): SafeHtml {
  if (ns.policies.length === 0) return html`no MeshTLSPolicies in this namespace`;
  return html`policies: ${ns.policies.map(
    (p, i) =>
      html`${i > 0 ? ' · ' : ''}<b>${p.name}</b> <span class="mono">[${policyScopeText(p)}]</span> ${p.mode}${Object.entries(p.ports).map(([port, mode]) => html` <span class="mono">${port}=${mode}</span>`)}`,
  )}`;
}

export function renderNamespace(ns: NamespaceStatus, totalWorkloads: number): SafeHtml {
  const classes = ['ns', ns.requirement === 'STRICT' ? 'strict' : '', ns.strictViolated ? 'violated' : ''].filter(Boolean).join(' ');
  const pct = percent(ns.pods.meshed, ns.pods.total);
  const hidden = totalWorkloads - ns.workloads.length;
  return html`<section class="${classes}" id="ns-${ns.name}" data-namespace="${ns.name}">
<div class="ns-head"><h2>${ns.name}</h2>${requirementBadge(ns.requirement, ns.requirementLabel)}
<span class="badge ${ns.injection === 'enabled' ? 'b-info' : 'b-none'}" title="meshward.io/inject label">inject ${ns.injection}</span>
${ns.strictViolated ? html`<span class="badge b-bad">STRICT violated</span>` : ns.requirement === 'STRICT' ? html`<span class="badge b-ok">strict ok</span>` : ''}
${countBadges(ns)}
<span class="meshed">${ns.pods.meshed}/${ns.pods.total} pods meshed <span class="bar"><i style="width:${pct}%"></i></span></span></div>
<div class="ns-sub">level ${modeBadge(ns.level.mode)} <span>${describeModeLevel(ns.level).replace(/^\S+ /, '')}</span> · ${policiesLine(ns)}</div>
${
  ns.workloads.length > 0
    ? html`<table><thead><tr><th style="width:22%">Workload</th><th style="width:8%">Meshed</th><th>Ports (proxy mode)</th><th style="width:16%">Certificate</th><th style="width:12%">State</th></tr></thead><tbody>${ns.workloads.map(workloadRows)}</tbody></table>`
    : html`<div class="empty">${totalWorkloads === 0 ? 'No pods.' : 'No workload matches the filters.'}</div>`
}
${hidden > 0 && ns.workloads.length > 0 ? html`<div class="empty">${hidden} more workload(s) hidden by the filters.</div>` : ''}
${ns.violations.length > 0 ? html`<div class="violations-title">Violations (${ns.violations.length})</div><ul class="violations">${ns.violations.map(violationItem)}</ul>` : ''}
</section>`;
}
