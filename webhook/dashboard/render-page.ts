import { shortHash } from '../status/describe.js';
import type { StatusReport } from '../status/model.js';
import { filterQuery, REFRESH_VALUES, SHOW_VALUES, type DashboardFilters } from './filters.js';
import { html, trusted, type SafeHtml } from './html.js';
import { renderNamespace } from './render-namespace.js';
import { STYLESHEET } from './styles.js';

// The whole page. `full` is the unfiltered report (tiles, namespace list); `shown` what the
// filters let through. No script: filters are a GET form, refresh a meta tag.

function layout(title: string, body: SafeHtml, refresh = 0): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refresh > 0 ? html`<meta http-equiv="refresh" content="${refresh}">` : ''}
<title>${title}</title><style>${trusted(STYLESHEET)}</style></head>
<body>${body}</body></html>
`.value;
}

function header(report: StatusReport, filters: DashboardFilters): SafeHtml {
  const trust = report.current.trustRoot ? shortHash(report.current.trustRoot) : 'not checked';
  return html`<header class="top"><h1>mesh<span>ward</span> · mTLS status</h1>
<span class="meta">generated ${report.generatedAt.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC')}${filters.refresh > 0 ? ` · refreshes every ${filters.refresh}s` : ''} · templates <span class="mono">${report.current.templateHash}</span> · config <span class="mono">${report.current.configHash}</span> · trust root <span class="mono">${trust}</span> · mesh default ${report.current.defaultMode}</span></header>`;
}

function tiles(report: StatusReport): SafeHtml {
  const s = report.summary;
  const pct = s.pods === 0 ? 0 : Math.round((s.meshed / s.pods) * 100);
  const strictTotal = report.namespaces.filter((ns) => ns.requirement === 'STRICT').length;
  return html`<div class="tiles">
<div class="tile"><div class="label">Namespaces</div><div class="value">${s.namespaces}</div></div>
<div class="tile ${s.meshed === s.pods ? 'good' : ''}"><div class="label">Pods meshed</div><div class="value">${s.meshed} / ${s.pods}</div><div class="bar"><i style="width:${pct}%"></i></div></div>
<div class="tile ${s.rejected + s.disconnected > 0 ? 'bad' : s.stale + s.restart > 0 ? 'warn' : ''}"><div class="label">Proxies stale / rejected</div><div class="value">${s.stale} / ${s.rejected}</div><div class="sub">${s.disconnected} disconnected · ${s.restart} to restart</div></div>
<div class="tile ${s.violations > 0 ? 'bad' : 'good'}"><div class="label">Violations</div><div class="value">${s.violations}</div></div>
<div class="tile ${s.strictViolated.length > 0 ? 'bad' : 'good'}"><div class="label">STRICT namespaces ok</div><div class="value">${strictTotal - s.strictViolated.length} / ${strictTotal}</div>${s.strictViolated.length > 0 ? html`<div class="sub">violated: ${s.strictViolated.join(', ')}</div>` : ''}</div>
</div>`;
}

const SHOW_LABELS: Record<(typeof SHOW_VALUES)[number], string> = {
  all: 'everything',
  problems: 'problems',
  violations: 'violations',
  stale: 'proxies not current',
  restart: 'to restart',
  unmeshed: 'unmeshed',
};

/** Where the proxies' state and counters came from (or why they are unknown). */
function telemetryLine(report: StatusReport): SafeHtml {
  const { controlPlane, counters } = report.telemetry;
  const failed = controlPlane.replicas.some((r) => r.error !== undefined) || !controlPlane.read;
  return html`<div class="telemetry${failed ? ' partial' : ''}"><b>proxies</b> ${controlPlane.note} · <b>counters</b> ${counters.note}</div>`;
}

function option(value: string, label: string, selected: boolean): SafeHtml {
  return html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
}

function filterForm(full: StatusReport, filters: DashboardFilters, shown: StatusReport): SafeHtml {
  return html`<form class="filters" method="get" action="./">
<label>Namespace<select name="namespace">${option('', 'all namespaces', !filters.namespace)}${full.namespaces.map((ns) => option(ns.name, ns.name, ns.name === filters.namespace))}</select></label>
<label>Show<select name="show">${SHOW_VALUES.map((v) => option(v, SHOW_LABELS[v], v === filters.show))}</select></label>
<label>Workload or pod<input type="search" name="q" value="${filters.q ?? ''}" placeholder="name contains…"></label>
<label>Auto-refresh<select name="refresh">${REFRESH_VALUES.map((v) => option(String(v), v === 0 ? 'off' : `${v}s`, v === filters.refresh))}</select></label>
<button type="submit">Apply</button>
<span class="current">showing ${shown.namespaces.length} of ${full.namespaces.length} namespaces · <a href="./${filterQuery(filters, { show: 'problems' })}">problems only</a> · <a href="./">reset</a> · <a href="api/status${filterQuery({ ...filters, refresh: 0 })}">JSON</a></span>
</form>`;
}

export function renderDashboard(full: StatusReport, shown: StatusReport, filters: DashboardFilters): string {
  const totals = new Map(full.namespaces.map((ns) => [ns.name, ns.workloads.length]));
  const body = html`${header(full, filters)}<main>
${tiles(full)}
${telemetryLine(full)}
${filterForm(full, filters, shown)}
${full.notes.map((n) => html`<div class="notice">${n}</div>`)}
${shown.namespaces.length > 0 ? shown.namespaces.map((ns) => renderNamespace(ns, totals.get(ns.name) ?? ns.workloads.length)) : html`<div class="notice">Nothing matches these filters.</div>`}
<footer><span>Legend:</span><span class="chip m-STRICT"><span class="port">8080</span>STRICT</span><span class="chip m-PERMISSIVE"><span class="port">8080</span>PERMISSIVE</span><span class="chip m-DISABLE"><span class="port">8080</span>DISABLE</span><span class="chip m-plaintext"><span class="port">8080</span>plaintext</span> no proxy
<span class="chip m-PERMISSIVE m-drift"><span class="port">8080</span>PERMISSIVE</span> proxy behind the policy · <span class="conn">mtls 120 · <span class="plain-seen">plain 3</span></span> inbound connections since the proxy started (tls: the app's own TLS passed through) · read-only view · <a href="api/status">/api/status</a></footer>
</main>`;
  return layout('meshward · mTLS status', body, filters.refresh);
}

export function renderErrorPage(status: number, message: string): string {
  return layout(
    `meshward · ${status}`,
    html`<header class="top"><h1>mesh<span>ward</span> · mTLS status</h1></header><main><div class="error"><b>${status}</b> ${message}</div></main>`,
  );
}
