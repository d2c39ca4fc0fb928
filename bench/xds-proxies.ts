import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { loadCa } from '../webhook/pki/mesh-ca.js';
import { issueSvid } from '../webhook/pki/issue-svid.js';
import { ADS_SERVICE, ADS_SERVICE_NAME, type DiscoveryRequest, type DiscoveryResponse } from '../webhook/xds/ads-service.js';
import { TYPE_URLS } from '../webhook/xds/envoy-types.js';
import { hrMs, type ProxiesReply, type ProxiesRequest, type ProxyReport } from './xds-protocol.js';
import type { ProxyIdentity } from './xds-mesh.js';

// Simulated proxies for the control-plane bench, in a process of their own (forked by
// control-plane-bench.ts, driven over IPC: xds-protocol.ts). Each behaves toward meshward like an
// Envoy sidecar on ADS: its own real SVID for its pod's namespace and ServiceAccount, mTLS with the
// server's SPIFFE ID required (URI SAN, as the bootstrap's SDS validation context does), node id
// sidecar~<ns>~<pod>, one stream: wildcard CDS; on each CDS response the EDS subscription follows
// the EDS clusters' names, and LDS is asked for after the first; every response is ACKed
// (version_info + response_nonce, with the type's resource names) and the ACK's time recorded.
//
// Cluster names and types are read with a protobufjs Reader over the Cluster's top-level fields
// only (name = 1, type = 2; nested messages skipped by length), not decodeResource: Envoy needs
// the names to subscribe, and decoding every cluster to proto3 JSON in a process that plays
// thousands of proxies would make the clients, not meshward, the bench's bottleneck.

const AdsClient = grpc.makeGenericClientConstructor(ADS_SERVICE, ADS_SERVICE_NAME);
const EDS_TYPE = 3; // envoy.config.cluster.v3.Cluster.DiscoveryType.EDS

type Call = grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse>;

interface Proxy {
  readonly index: number;
  readonly identity: ProxyIdentity;
  client?: grpc.Client;
  call?: Call;
  edsNames: string[];
  edsKey: string;
  edsNonce: string;
  edsVersion: string;
  ldsAsked: boolean;
  readonly acked: Set<string>;
  startedAt: number;
  syncedAt?: number;
  failed?: string;
  /** The stream ended or broke after the initial sync (a real proxy would reconnect; here it is a failure). */
  broken: boolean;
  // Since the last mark:
  responses: number;
  bytes: number;
  lastAckAt: number;
}

/** Name and discovery type of an encoded Cluster, from its top-level fields alone. */
export function clusterNameAndType(bytes: Uint8Array): { name: string; eds: boolean } {
  const r = protobuf.Reader.create(bytes);
  let name = '';
  let type = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) name = r.string();
    else if (field === 2) type = r.int32();
    else r.skipType(tag & 7);
  }
  return { name, eds: type === EDS_TYPE };
}

const send = (reply: ProxiesReply): void => void process.send!(reply);
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

let proxies: Proxy[] = [];
let markAt = 0;
let stopping = false;

function request(p: Proxy, typeUrl: string, fields: Partial<DiscoveryRequest> = {}): void {
  p.call!.write({ version_info: '', resource_names: [], type_url: typeUrl, response_nonce: '', ...fields });
}

function onResponse(p: Proxy, res: DiscoveryResponse, onSynced: (p: Proxy) => void): void {
  p.responses++;
  for (const r of res.resources) p.bytes += r.value.length;
  const ack = { version_info: res.version_info, response_nonce: res.nonce };
  if (res.type_url === TYPE_URLS.cluster) {
    const names = res.resources
      .map((r) => clusterNameAndType(r.value))
      .filter((c) => c.eds)
      .map((c) => c.name)
      .sort();
    const key = names.join('\0');
    // Envoy updates the EDS subscription when the set of EDS clusters changes, carrying the last EDS nonce.
    if (key !== p.edsKey) {
      p.edsNames = names;
      p.edsKey = key;
      request(p, TYPE_URLS.endpoint, { resource_names: names, version_info: p.edsVersion, response_nonce: p.edsNonce });
    }
    request(p, TYPE_URLS.cluster, ack);
    if (!p.ldsAsked) {
      p.ldsAsked = true;
      request(p, TYPE_URLS.listener);
    }
  } else if (res.type_url === TYPE_URLS.endpoint) {
    p.edsNonce = res.nonce;
    p.edsVersion = res.version_info;
    request(p, TYPE_URLS.endpoint, { ...ack, resource_names: p.edsNames });
  } else {
    request(p, res.type_url, ack);
  }
  p.lastAckAt = hrMs();
  p.acked.add(res.type_url);
  if (
    p.syncedAt === undefined &&
    p.acked.has(TYPE_URLS.cluster) &&
    p.acked.has(TYPE_URLS.listener) &&
    (p.edsKey === '' || p.acked.has(TYPE_URLS.endpoint))
  ) {
    p.syncedAt = p.lastAckAt;
    onSynced(p);
  }
}

function connect(p: Proxy, port: number, creds: grpc.ChannelCredentials, onSynced: (p: Proxy) => void): void {
  p.startedAt = hrMs();
  p.client = new AdsClient(`127.0.0.1:${port}`, creds, {
    // A full CDS answer for 1,000 Services is under 1 MB; Envoy sets no such cap either.
    'grpc.max_receive_message_length': 64 << 20,
    // The name a proxy dials (controlPlane.address); the server's identity is checked by SPIFFE ID, not by this name.
    'grpc.ssl_target_name_override': 'meshward.meshward-system.svc',
    // Its own connection per proxy, as each sidecar has, never one shared by credentials.
    'grpc.use_local_subchannel_pool': 1,
  });
  const call = (p.client as unknown as { StreamAggregatedResources(): Call }).StreamAggregatedResources();
  p.call = call;
  call.on('data', (res: DiscoveryResponse) => onResponse(p, res, onSynced));
  call.on('error', (err: Error) => {
    if (stopping) return;
    if (p.syncedAt === undefined && p.failed === undefined) {
      p.failed = err.message;
      onSynced(p);
    } else p.broken = true;
  });
  call.on('end', () => void (p.broken ||= !stopping));
  request(p, TYPE_URLS.cluster, { node: { id: `sidecar~${p.identity.namespace}~${p.identity.pod}`, cluster: p.identity.serviceAccount } });
}

let creds: grpc.ChannelCredentials[] = [];

function prepare(msg: Extract<ProxiesRequest, { cmd: 'prepare' }>): ProxiesReply {
  const ca = loadCa({ certPem: readFileSync(msg.caCertFile, 'utf8'), keyPem: readFileSync(msg.caKeyFile, 'utf8') });
  const issueStart = hrMs();
  creds = msg.proxies.map((id) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const svid = issueSvid({
      ca,
      subjectPublicKey: publicKey,
      trustDomain: msg.trustDomain,
      namespace: id.namespace,
      serviceAccount: id.serviceAccount,
      now: new Date(),
    });
    return grpc.credentials.createSsl(
      Buffer.from(ca.trustBundlePem),
      Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
      Buffer.from(svid.certificateChainPem),
      {
        // Like Envoy's validation context for the xDS cluster: the server must be meshward's SPIFFE ID (URI SAN), whatever the host name.
        checkServerIdentity: (_host, cert) =>
          (cert.subjectaltname ?? '').split(', ').includes(`URI:${msg.serverId}`)
            ? undefined
            : new Error(`server is not ${msg.serverId}: ${cert.subjectaltname}`),
      },
    );
  });
  proxies = msg.proxies.map((identity, i) => ({
    index: msg.firstIndex + i,
    identity,
    edsNames: [],
    edsKey: '',
    edsNonce: '',
    edsVersion: '',
    ldsAsked: false,
    broken: false,
    acked: new Set(),
    startedAt: 0,
    responses: 0,
    bytes: 0,
    lastAckAt: 0,
  }));
  return { event: 'prepared', issueMs: hrMs() - issueStart };
}

async function connectAll(msg: Extract<ProxiesRequest, { cmd: 'connect' }>): Promise<ProxiesReply> {
  const startedAt = hrMs();
  const limit = msg.concurrency > 0 ? msg.concurrency : proxies.length;
  await new Promise<void>((resolve) => {
    let next = 0;
    let done = 0;
    const launch = (): void => {
      while (next < proxies.length && next - done < limit) {
        const i = next++;
        connect(proxies[i]!, msg.port, creds[i]!, finished);
      }
    };
    const finished = (): void => {
      done++;
      if (done === proxies.length) resolve();
      else launch();
    };
    if (proxies.length === 0) resolve();
    launch();
  });
  return {
    event: 'synced',
    startedAt,
    syncedAt: Math.max(startedAt, ...proxies.map((p) => p.syncedAt ?? 0)),
    perProxyMs: proxies.filter((p) => p.syncedAt !== undefined).map((p) => p.syncedAt! - p.startedAt),
    bytes: proxies.reduce((n, p) => n + p.bytes, 0),
    failed: proxies.filter((p) => p.failed !== undefined).map((p) => `${p.identity.namespace}/${p.identity.pod}: ${p.failed}`),
    cpuSeconds: cpuSeconds(),
  };
}

function report(): ProxyReport {
  const pushed = proxies.filter((p) => p.responses > 0);
  return {
    event: 'report',
    markAt,
    responses: pushed.reduce((n, p) => n + p.responses, 0),
    bytes: pushed.reduce((n, p) => n + p.bytes, 0),
    pushed: pushed.map((p) => p.index),
    lastAckAt: pushed.reduce((m, p) => Math.max(m, p.lastAckAt), 0),
    broken: proxies.filter((p) => p.broken).length,
    cpuSeconds: cpuSeconds(),
  };
}

process.on('message', (msg: ProxiesRequest & { id: number }) => {
  const reply = (r: ProxiesReply): void => send({ ...r, id: msg.id });
  const fail = (err: Error): void => reply({ event: 'error', message: err.stack ?? err.message });
  if (msg.cmd === 'prepare') {
    try {
      reply(prepare(msg));
    } catch (err) {
      fail(err as Error);
    }
  } else if (msg.cmd === 'connect') {
    connectAll(msg).then(reply, fail);
  } else if (msg.cmd === 'mark') {
    markAt = hrMs();
    for (const p of proxies) ((p.responses = 0), (p.bytes = 0), (p.lastAckAt = 0));
    reply({ event: 'marked', markAt, cpuSeconds: cpuSeconds() });
  } else if (msg.cmd === 'report') {
    reply(report());
  } else if (msg.cmd === 'stop') {
    stopping = true;
    for (const p of proxies) (p.call?.cancel(), p.client?.close());
    reply({ event: 'stopped' });
    setImmediate(() => process.exit(0));
  }
});
