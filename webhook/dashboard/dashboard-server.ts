import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboardApp, type DashboardDeps, type DashboardOptions } from './dashboard-app.js';

// The dashboard on its own port: plain HTTP, on 127.0.0.1 unless told otherwise. It is reached
// through `kubectl port-forward` (which connects to the pod's loopback), so it is never exposed
// on the pod network and needs no authentication of its own.

export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';

export interface DashboardServerOptions extends DashboardOptions {
  readonly deps: DashboardDeps;
  readonly port: number;
  readonly host?: string;
}

export interface DashboardServer {
  /** http://host:port/ */
  readonly url: string;
  readonly address: AddressInfo;
  close(): Promise<void>;
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}/`;
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const app = createDashboardApp(options.deps, options);
  const server: Server = createServer(app);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? DEFAULT_DASHBOARD_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: urlOf(address),
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
