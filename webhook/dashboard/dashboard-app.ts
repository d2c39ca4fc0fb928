import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { ClusterUnavailableError } from '../kube/cluster-state.js';
import { applyFilters, parseFilters, type DashboardFilters } from './filters.js';
import { renderDashboard, renderErrorPage } from './render-page.js';
import { createStatusSource, type DashboardDeps, type StatusSource } from './status-source.js';

export type { DashboardDeps } from './status-source.js';

// The read-only dashboard: GET / (HTML) and GET /api/status (JSON), both filtered by the same
// query string. Nothing here writes to the cluster; other methods get 405.

export interface DashboardOptions {
  /** Filters applied when the query string names none (`meshward status -n NS --serve`). */
  readonly defaults?: Partial<DashboardFilters>;
}

// Inline <style> and style attributes only: no script, no external anything.
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function failure(err: unknown): { status: number; message: string } {
  if (err instanceof ClusterUnavailableError) return { status: 503, message: `meshward cannot read the cluster right now: ${err.message}` };
  return { status: 500, message: 'building the status failed; see meshward’s log' };
}

/** Adds GET / and GET /api/status to an express app (the dashboard's own, or another). */
export function installDashboardRoutes(
  app: Express,
  deps: DashboardDeps,
  options: DashboardOptions = {},
  source: StatusSource = createStatusSource(deps),
): void {
  app.get('/', async (req, res) => {
    res.set(SECURITY_HEADERS);
    const parsed = parseFilters(req.query as Record<string, unknown>, options.defaults);
    if (!parsed.ok) {
      res
        .status(400)
        .type('html')
        .send(renderErrorPage(400, `bad query string: ${parsed.error}`));
      return;
    }
    try {
      const full = await source();
      res.type('html').send(renderDashboard(full, applyFilters(full, parsed.filters), parsed.filters));
    } catch (err) {
      const { status, message } = failure(err);
      res.status(status).type('html').send(renderErrorPage(status, message));
    }
  });
  app.get('/api/status', async (req, res) => {
    res.set(SECURITY_HEADERS);
    const parsed = parseFilters(req.query as Record<string, unknown>, options.defaults);
    if (!parsed.ok) {
      res.status(400).json({ error: 'BadRequest', detail: parsed.error });
      return;
    }
    try {
      res.json(applyFilters(await source(), parsed.filters));
    } catch (err) {
      const { status, message } = failure(err);
      res.status(status).json({ error: status === 503 ? 'ClusterUnavailable' : 'InternalError', detail: message });
    }
  });
}

/** The dashboard as its own express app (its own port): routes, security headers, 404/405. */
export function createDashboardApp(deps: DashboardDeps, options: DashboardOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    res.set(SECURITY_HEADERS);
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    res.set('allow', 'GET, HEAD').status(405).json({ error: 'MethodNotAllowed', detail: 'the dashboard is read-only: use GET' });
  });
  installDashboardRoutes(app, deps, options);
  app.use((req, res) => {
    res
      .status(404)
      .type('html')
      .send(renderErrorPage(404, `no page at ${req.path}; the dashboard is at / and the JSON at /api/status`));
  });
  app.use((_err: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).type('html').send(renderErrorPage(500, 'internal error'));
  });
  return app;
}
