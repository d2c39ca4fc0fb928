import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import type { Readiness } from './readiness.js';

export interface OpsAppOptions {
  readonly readiness: Readiness;
  readonly registry: Registry;
  /** Extra read-only routes (the dashboard). */
  readonly extend?: (app: Express) => void;
}

/** express app for everything except the admission hot path: probes, metrics, 404/405. */
export function createOpsApp(options: OpsAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const pending = options.readiness.pending();
    res.status(pending.length === 0 ? 200 : 503).json({ ready: pending.length === 0, pending });
  });
  app.get('/metrics', async (_req, res, next) => {
    try {
      const text = await options.registry.metrics();
      res.type(options.registry.contentType).send(text);
    } catch (err) {
      next(err);
    }
  });
  options.extend?.(app);
  app.all(['/mutate', '/validate'], (req, res) => {
    res
      .set('allow', 'POST')
      .status(405)
      .json({ error: 'MethodNotAllowed', detail: `${req.method} ${req.path}: use POST with an AdmissionReview` });
  });
  app.use((req, res) => {
    res.status(404).json({ error: 'NotFound', detail: `no route for ${req.method} ${req.path}` });
  });
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: 'InternalError', detail: err.message });
  });
  return app;
}
