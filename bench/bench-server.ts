import type { Server } from 'node:https';
import { applyServerTimeouts } from '../webhook/server/https-server.js';

/** The comparison servers listen like meshward (same timeouts) and exit on SIGTERM. */
export function listenUntilSigterm(server: Server, port: number): void {
  applyServerTimeouts(server);
  server.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
