import { workloadState } from '../status/describe.js';
import type { NamespaceStatus, StatusReport, WorkloadStatus } from '../status/model.js';

// The dashboard's query string: ?namespace=shop&show=problems&q=web&refresh=10. Read-only views
// of one StatusReport; every filter is a plain GET link, so no JavaScript is needed.

export const SHOW_VALUES = ['all', 'problems', 'violations', 'stale', 'restart', 'unmeshed'] as const;
export type ShowFilter = (typeof SHOW_VALUES)[number];
export const REFRESH_VALUES = [0, 5, 10, 30, 60] as const;

export interface DashboardFilters {
  readonly namespace?: string;
  readonly show: ShowFilter;
  readonly q?: string;
  /** Seconds between automatic reloads; 0 = off. */
  readonly refresh: number;
}

export type ParsedFilters = { readonly ok: true; readonly filters: DashboardFilters } | { readonly ok: false; readonly error: string };

const MAX_TEXT = 253;

function single(query: Record<string, unknown>, key: string): string | undefined | Error {
  const value = query[key];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return new Error(`${key}: give it once, as text`);
  if (value.length > MAX_TEXT) return new Error(`${key}: at most ${MAX_TEXT} characters`);
  return value;
}

export function parseFilters(query: Record<string, unknown>, defaults: Partial<DashboardFilters> = {}): ParsedFilters {
  const namespace = single(query, 'namespace');
  const show = single(query, 'show');
  const q = single(query, 'q');
  const refresh = single(query, 'refresh');
  for (const value of [namespace, show, q, refresh]) if (value instanceof Error) return { ok: false, error: value.message };
  if (show !== undefined && !(SHOW_VALUES as readonly string[]).includes(show as string)) {
    return { ok: false, error: `show: ${JSON.stringify(show)} is not one of ${SHOW_VALUES.join(', ')}` };
  }
  let seconds = defaults.refresh ?? 0;
  if (refresh !== undefined) {
    seconds = Number(refresh);
    if (!/^[0-9]{1,4}$/.test(refresh as string) || seconds > 3600 || (seconds > 0 && seconds < 5))
      return { ok: false, error: 'refresh: seconds from 5 to 3600, or 0 for off' };
  }
  const ns = (namespace as string | undefined) ?? defaults.namespace;
  const text = (q as string | undefined)?.trim();
  return {
    ok: true,
    filters: {
      show: (show as ShowFilter | undefined) ?? defaults.show ?? 'all',
      refresh: seconds,
      ...(ns ? { namespace: ns } : {}),
      ...(text ? { q: text } : {}),
    },
  };
}

/** The query string of a set of filters (defaults left out), for links and the form. */
export function filterQuery(filters: DashboardFilters, changes: Partial<DashboardFilters> = {}): string {
  const merged = { ...filters, ...changes };
  const params = new URLSearchParams();
  if (merged.namespace) params.set('namespace', merged.namespace);
  if (merged.show !== 'all') params.set('show', merged.show);
  if (merged.q) params.set('q', merged.q);
  if (merged.refresh > 0) params.set('refresh', String(merged.refresh));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function matchesShow(w: WorkloadStatus, show: ShowFilter): boolean {
  const state = workloadState(w);
  switch (show) {
    case 'all':
      return true;
    case 'problems':
      return state !== 'ok';
    case 'violations':
      return w.violations > 0;
    case 'stale':
      // Proxies that have not ACKed their current configuration: pending, refused, or not connected.
      return w.stale > 0 || w.rejected > 0 || w.disconnected > 0;
    case 'restart':
      return w.restart > 0;
    case 'unmeshed':
      return w.meshed < w.total;
  }
}

function matchesText(w: WorkloadStatus, q: string | undefined): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return `${w.kind}/${w.name}`.toLowerCase().includes(needle) || w.pods.some((p) => p.name.toLowerCase().includes(needle));
}

/** Violations that are not a pod's (namespace label, policies, namespace level). */
export function namespaceLevelViolations(ns: NamespaceStatus): NamespaceStatus['violations'] {
  return ns.violations.filter((v) => v.kind !== 'Pod');
}

/** The namespaces and workloads the filters let through; the summary stays the whole cluster's. */
export function applyFilters(report: StatusReport, filters: DashboardFilters): StatusReport {
  const narrowed = filters.show !== 'all' || filters.q !== undefined;
  const namespaces = report.namespaces
    .filter((ns) => !filters.namespace || ns.name === filters.namespace)
    .map((ns) => ({ ...ns, workloads: ns.workloads.filter((w) => matchesShow(w, filters.show) && matchesText(w, filters.q)) }))
    .filter((ns) => {
      if (!narrowed || ns.workloads.length > 0) return true;
      const own = namespaceLevelViolations(ns).length > 0;
      return !filters.q && (filters.show === 'problems' || filters.show === 'violations') && own;
    });
  return { ...report, namespaces };
}
