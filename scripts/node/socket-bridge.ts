// The node's API server listens inside the node's network namespace; tests and kubectl run outside
// it. A Unix socket in the node's directory (a file both sides see) joins the two: inside, it
// forwards to the API server's address; outside, a loopback TCP port forwards to the socket. TLS
// passes through untouched, end to end.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Bridge {
  /** The TCP port (outside) or 0 (a Unix socket). */
  readonly port: number;
  close(): Promise<void>;
}

function serve(server: Server, dial: () => Socket): Set<Socket> {
  const open = new Set<Socket>();
  server.on('connection', (client) => {
    const upstream = dial();
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  return open;
}

function closing(server: Server, open: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise((resolveClose) => {
      for (const s of open) s.destroy();
      server.close(() => resolveClose());
    });
}

/** Inside: a Unix socket at socketPath forwarding to host:port. */
export async function bridgeSocketToTcp(socketPath: string, host: string, port: number): Promise<Bridge> {
  const server = createServer();
  const open = serve(server, () => connect({ host, port }));
  await new Promise<void>((resolveListen, reject) => server.once('error', reject).listen(socketPath, () => resolveListen()));
  return { port: 0, close: closing(server, open) };
}

/** Outside: a loopback TCP port forwarding to the Unix socket at socketPath. */
export async function bridgeTcpToSocket(socketPath: string): Promise<Bridge> {
  const server = createServer();
  server.unref();
  const open = serve(server, () => connect({ path: socketPath }));
  await new Promise<void>((resolveListen, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolveListen()));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, close: closing(server, open) };
}
