import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type PeerCertificate } from 'node:tls';
import { verifyPeerSpiffeId, type PeerIdentity } from '../../webhook/pki/peer-spiffe-id.js';

export interface Endpoint {
  readonly certPem: string;
  readonly keyPem: string;
  /** Roots this side trusts. */
  readonly caPem: string;
}

export interface HandshakeResult {
  /** What the server's SPIFFE check said about the client (undefined if TLS never completed). */
  readonly serverSaw?: PeerIdentity;
  /** What the client's SPIFFE check said about the server. */
  readonly clientSaw?: PeerIdentity;
  readonly serverTlsError?: Error;
  /** OpenSSL's verdict on the client chain when the server refused it (e.g. CERT_HAS_EXPIRED). */
  readonly serverAuthorizationError?: string;
  readonly clientError?: Error;
  /** What the server wrote back to an authorised client ('' when refused). */
  readonly reply: string;
}

/**
 * One mutual-TLS exchange on 127.0.0.1 with real node:tls endpoints: the server requires and
 * verifies a client certificate against its roots, then checks the client's SPIFFE ID; the
 * client verifies the server chain and checks the server's SPIFFE ID in checkServerIdentity.
 */
export async function mtlsExchange(server: Endpoint, client: Endpoint, trustDomain: string): Promise<HandshakeResult> {
  let serverSaw: PeerIdentity | undefined;
  let clientSaw: PeerIdentity | undefined;
  let serverTlsError: Error | undefined;
  let serverAuthorizationError: string | undefined;
  let clientError: Error | undefined;
  const srv = createServer(
    { key: server.keyPem, cert: server.certPem, ca: server.caPem, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
    (socket) => {
      serverSaw = verifyPeerSpiffeId(socket.getPeerX509Certificate(), trustDomain);
      if (!serverSaw.ok) {
        socket.destroy();
        return;
      }
      socket.end(`hello ${serverSaw.spiffeId}`);
    },
  );
  srv.on('tlsClientError', (err, tlsSocket) => {
    serverTlsError = err;
    serverAuthorizationError = tlsSocket.authorizationError === undefined ? undefined : String(tlsSocket.authorizationError);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  const chunks: Buffer[] = [];
  const sock = connect({
    host: '127.0.0.1',
    port,
    key: client.keyPem,
    cert: client.certPem,
    ca: client.caPem,
    checkServerIdentity: (_host: string, cert: PeerCertificate) => {
      clientSaw = verifyPeerSpiffeId(cert, trustDomain);
      return clientSaw.ok ? undefined : new Error(clientSaw.reason);
    },
  });
  sock.on('data', (c: Buffer) => chunks.push(c));
  sock.on('error', (err) => {
    clientError = err;
  });
  const timer = setTimeout(() => sock.destroy(new Error('test timeout')), 5000);
  await new Promise<void>((resolve) => sock.on('close', () => resolve()));
  clearTimeout(timer);
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return { serverSaw, clientSaw, serverTlsError, serverAuthorizationError, clientError, reply: Buffer.concat(chunks).toString() };
}
