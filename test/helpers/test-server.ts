import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { AdmissionHandler } from '../../webhook/admission/types.js';
import { buildConfig } from '../../webhook/config/load.js';
import type { MeshwardConfig } from '../../webhook/config/types.js';
import { startMeshward, type RunningMeshward } from '../../webhook/server/start.js';

/** Log lines captured as objects (pino's own test pattern), so tests assert on structured output. */
export function captureLogger(): { logger: Logger; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb): void {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: pino({ level: 'debug', serializers: { err: pino.stdSerializers.err } }, sink), lines };
}

export interface TestServer {
  running: RunningMeshward;
  url: string;
  ca: string;
  config: MeshwardConfig;
  lines: Array<Record<string, any>>;
}

export async function startTestServer(
  handlers: { mutate: AdmissionHandler; validate: AdmissionHandler },
  flags: Record<string, string | boolean> = {},
): Promise<TestServer> {
  const config = buildConfig({ flags: { 'self-signed': true, host: '127.0.0.1', port: '0', ...flags } });
  const { logger, lines } = captureLogger();
  const running = await startMeshward(config, logger, () => handlers);
  const ca = running.caBundlePath ? readFileSync(running.caBundlePath, 'utf8') : '';
  return { running, url: `https://127.0.0.1:${running.address.port}`, ca, config, lines };
}
