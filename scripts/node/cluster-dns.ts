// A test stand-in for the cluster's DNS (CoreDNS's kubernetes plugin is not built here): answers
// A queries for <service>.<namespace>.svc.<cluster domain> with the Service's ClusterIP, read from
// the API server, and NXDOMAIN for every other name (the node has no uplink). Pods reach it at the
// node IP, the kubelet's clusterDNS.
import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export type ServiceLookup = (namespace: string, name: string) => Promise<string | undefined>;

export interface ClusterDns {
  close(): Promise<void>;
}

/** The Service a name means, or undefined when it is not <svc>.<ns>.svc.<domain>. */
export function serviceOfName(name: string, clusterDomain: string): { namespace: string; name: string } | undefined {
  const suffix = `.svc.${clusterDomain}`;
  const lower = name.toLowerCase().replace(/\.$/, '');
  if (!lower.endsWith(suffix)) return undefined;
  const labels = lower.slice(0, -suffix.length).split('.');
  return labels.length === 2 && labels.every((l) => l.length > 0) ? { name: labels[0]!, namespace: labels[1]! } : undefined;
}

export async function startClusterDns(address: string, clusterDomain: string, lookup: ServiceLookup): Promise<ClusterDns> {
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    void answer(message, clusterDomain, lookup).then(
      (reply) => reply && socket.send(reply, remote.port, remote.address),
      () => undefined,
    );
  });
  await new Promise<void>((resolveBind, reject) => {
    socket.once('error', reject);
    socket.bind(53, address, () => resolveBind());
  });
  return { close: () => new Promise((resolveClose) => socket.close(() => resolveClose())) };
}

async function answer(message: Buffer, clusterDomain: string, lookup: ServiceLookup): Promise<Buffer | undefined> {
  let query: dnsPacket.Packet;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return undefined; // not DNS: drop, as a resolver would
  }
  const question = query.questions?.[0];
  if (!question) return undefined;
  const service = serviceOfName(question.name, clusterDomain);
  const ip = service ? await lookup(service.namespace, service.name).catch(() => undefined) : undefined;
  const answers: dnsPacket.Answer[] =
    ip && question.type === 'A' ? [{ type: 'A', name: question.name, class: 'IN', ttl: 5, data: ip }] : [];
  // NOERROR with no answers for other types of a known name, so resolvers fall back to its A record;
  // the low four bits of the flags are the response code (3 = NXDOMAIN).
  const rcode = ip ? 0 : 3;
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | rcode,
    questions: [question],
    answers,
  });
}
