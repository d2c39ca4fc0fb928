import { X509Certificate } from 'node:crypto';
import { inspectCertificate } from './cert-inspect.js';
import { KeyUsageFlags } from './extensions.js';
import { parseSpiffeId } from './spiffe-id.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** What TLS gives us for the peer: socket.getPeerX509Certificate(), getPeerCertificate() (has .raw) or DER. */
export type PeerCertificateInput = X509Certificate | { readonly raw: Buffer } | Uint8Array;

export type PeerIdentity =
  | { readonly ok: true; readonly spiffeId: string; readonly trustDomain: string; readonly path: string }
  | { readonly ok: false; readonly reason: string };

function derOf(peer: PeerCertificateInput | undefined | null): Buffer | undefined {
  if (!peer) return undefined;
  if (peer instanceof Uint8Array) return Buffer.from(peer);
  return Buffer.isBuffer(peer.raw) ? peer.raw : undefined;
}

function fail(reason: string): PeerIdentity {
  return { ok: false, reason };
}

/**
 * X509-SVID §5 leaf checks after TLS has validated the chain: not a CA, no keyCertSign/cRLSign,
 * exactly one URI SAN, which is a SPIFFE ID with a non-root path in `trustDomain`.
 */
export function verifyPeerSpiffeId(peer: PeerCertificateInput | undefined | null, trustDomain: string): PeerIdentity {
  const der = derOf(peer);
  if (!der || der.length === 0) return fail('peer presented no certificate');
  let facts;
  try {
    facts = inspectCertificate(der);
  } catch {
    return fail('peer certificate is not valid X.509');
  }
  if (facts.isCa) return fail('peer certificate is a CA certificate (cA=true); SVID leaves must be cA=false');
  if (facts.keyUsage !== undefined && (facts.keyUsage & (KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)) !== 0) {
    return fail('peer certificate has keyCertSign or cRLSign key usage');
  }
  if (facts.extKeyUsage && !(facts.extKeyUsage.includes(SERVER_AUTH) && facts.extKeyUsage.includes(CLIENT_AUTH))) {
    return fail('peer certificate EKU lacks serverAuth or clientAuth');
  }
  if (facts.uris.length !== 1) return fail(`peer certificate has ${facts.uris.length} URI SANs; an SVID has exactly one`);
  const uri = facts.uris[0] as string;
  let id;
  try {
    id = parseSpiffeId(uri, 'peer URI SAN');
  } catch (err) {
    return fail((err as Error).message);
  }
  if (id.path === '') return fail(`peer SPIFFE ID ${uri} has no path; trust-domain IDs identify CAs, not workloads`);
  if (id.trustDomain !== trustDomain) return fail(`peer SPIFFE ID ${uri} is not in trust domain "${trustDomain}"`);
  return { ok: true, spiffeId: uri, trustDomain: id.trustDomain, path: id.path };
}
