import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import express, { type Request, type Response } from 'express';
import { buildAdmissionReview, EnvelopeError, parseAdmissionReview } from '../webhook/admission/envelope.js';
import type { AdmissionHandler } from '../webhook/admission/types.js';
import { buildHandlers } from '../webhook/cli/wire-handlers.js';
import { buildConfig } from '../webhook/config/load.js';
import { createAdmissionMetrics } from '../webhook/metrics/admission-metrics.js';
import { createLogger } from '../webhook/server/logger.js';
import { TLS12_CIPHERS } from '../webhook/server/tls-files.js';
import { listenUntilSigterm } from './bench-server.js';

// The "express" variant: the SAME injector and gate handlers (wired like `meshward serve
// --offline`), the same envelope, metrics and log level, but served the conventional way, through
// express routing and express.json(). The benchmark compares it with meshward's node:https hot path.
//
//   node dist/bench/express-server.js PORT CERT_FILE KEY_FILE STATE_FILE

const [portArg, certFile, keyFile, stateFile] = process.argv.slice(2);
if (!portArg || !certFile || !keyFile || !stateFile) {
  process.stderr.write('usage: express-server PORT CERT KEY STATE_FILE\n');
  process.exit(2);
}
const config = buildConfig({ flags: { 'self-signed': true, offline: true, state: stateFile, 'log-level': 'warn' } });
const logger = createLogger(config.logLevel);
const handlers = buildHandlers(config, logger);
const metrics = createAdmissionMetrics();

function route(webhook: 'mutate' | 'validate', handler: AdmissionHandler): (req: Request, res: Response) => Promise<void> {
  const record = metrics.recorder(webhook);
  return async (req, res) => {
    const started = process.hrtime.bigint();
    try {
      const request = parseAdmissionReview(req.body);
      const decision = await handler(request);
      res.json(buildAdmissionReview(request.uid, decision));
      record.answered(
        request.operation,
        decision.allowed ? 'allowed' : 'denied',
        decision.reason,
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      logger.info({ webhook, uid: request.uid, decision: decision.reason }, 'admission');
    } catch (err) {
      const status = err instanceof EnvelopeError ? err.status : 400;
      res.status(status).json({ error: err instanceof EnvelopeError ? err.error : 'BadRequest', detail: (err as Error).message });
    }
  };
}

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(express.json({ limit: config.server.bodyLimitBytes }));
app.post('/mutate', route('mutate', handlers.mutate));
app.post('/validate', route('validate', handlers.validate));
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});

const server = createServer(
  {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    minVersion: 'TLSv1.2',
    ciphers: TLS12_CIPHERS,
    honorCipherOrder: true,
  },
  app,
);
listenUntilSigterm(server, Number(portArg));
