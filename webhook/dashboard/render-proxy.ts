import { describeConnections, describeProxyConfig, podTraffic, type PortTraffic } from '../status/describe-proxy.js';
import type { PodStatus, ProxyConfigState } from '../status/model.js';
import { html, type SafeHtml } from './html.js';
import { modeChip, podPortChip } from './render-parts.js';

// A pod's proxy on the page: its configuration state (from meshward's replicas) and, per port,
// the inbound connections its proxy counted: plaintext still arriving on a port is what to look
// for before making it STRICT.

const CONFIG_CLASS: Record<ProxyConfigState, string> = {
  current: 'b-ok',
  stale: 'b-warn',
  rejected: 'b-bad',
  'not-connected': 'b-none',
  unknown: 'b-none',
};

export function proxyCell(pod: PodStatus): SafeHtml {
  if (!pod.injected) {
    return html`<span class="state-unmeshed">not injected</span><div class="why">${pod.notInjectedReason}: ${pod.notInjectedMessage}</div>`;
  }
  const c = pod.proxyConfig;
  if (!c) return html`<span class="state-ok">injected</span>`;
  const cls = c.state === 'not-connected' && !c.expected ? 'b-bad' : CONFIG_CLASS[c.state];
  const rejected = (c.rejected ?? []).map((r) => html`<div class="nack"><b>${r.type}</b> ${r.message}</div>`);
  return html`<span class="state-ok">injected</span> <span class="badge ${cls}" data-config="${c.state}" title="${c.note}">${describeProxyConfig(c)}</span>${
    c.state === 'rejected'
      ? html`${rejected}<div class="why">it keeps its last good configuration</div>`
      : c.state === 'current'
        ? ''
        : html`<div class="why">${c.note}</div>`
  }`;
}

function connections(t: PortTraffic): SafeHtml {
  if (!t.counters)
    return html`<span class="conn why" title="the proxy has no counter for this port: not captured, or no configuration yet">none counted</span>`;
  const c = t.counters;
  const title =
    `since the proxy started: ${c.mtls} mTLS, ${c.plaintext} plaintext, ${c.tlsPassthrough} app TLS passed through, ` +
    `${c.denied} mTLS callers refused by authorization, ${c.auditDenied} an Audit policy would refuse`;
  return html`<span class="conn" title="${title}">mtls ${c.mtls} · <span class="${c.plaintext > 0 ? 'plain-seen' : ''}">plain ${c.plaintext}</span>${
    c.tlsPassthrough > 0 ? ` · tls ${c.tlsPassthrough}` : ''
  }${c.denied > 0 ? html` · <span class="denied-seen" data-denied="${c.denied}">denied ${c.denied}</span>` : ''}${
    c.auditDenied > 0 ? html` · <span class="audit-seen" data-audit-denied="${c.auditDenied}">would deny ${c.auditDenied}</span>` : ''
  }</span>`;
}

/** Per port: the mode chip, then (when the counters were read) the connections it counted. */
export function portsCell(pod: PodStatus): SafeHtml {
  const counters = pod.counters;
  if (!counters || counters.state !== 'read') {
    const chips =
      pod.ports.length > 0 ? pod.ports.map((p) => podPortChip(pod, p)) : html`<span class="why">no ports · ${pod.mode.mode}</span>`;
    const why =
      counters?.state === 'unavailable'
        ? html`<div class="why" data-counters="unavailable">counters unavailable (${counters.reason})</div>`
        : '';
    return html`${chips}${why}`;
  }
  const lines = podTraffic(pod).map((t) => {
    const port = pod.ports.find((p) => String(p.port) === t.port);
    const chip = port ? podPortChip(pod, port) : modeChip(t.port, t.mode, `not a declared port: the workload's ${t.mode}`);
    return html`<div class="port-line" data-port="${t.port}" data-connections="${t.counters ? describeConnections(t.counters) : ''}">${chip} ${connections(t)}</div>`;
  });
  return lines.length > 0 ? html`${lines}` : html`<span class="why">no ports · ${pod.mode.mode} · no inbound counters</span>`;
}
