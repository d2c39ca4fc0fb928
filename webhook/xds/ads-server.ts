// The ADS server (xDS v3, state of the world) every `meshward serve` replica runs: gRPC over mTLS
// on controlPlane.port. A stream is accepted only for the proxy of the pod its certificate and
// node id name (authenticate.ts); it then gets that pod's configuration from the current snapshot,
// and every later snapshot's differences. Snapshots are rebuilt from the caches after a debounce.

import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { MeshwardConfig } from '../config/types.js';
import { AdsSession, type AdsRequest, type AdsResponse } from './ads-session.js';
import { authenticateProxy } from './authenticate.js';
import { ADS_SERVICE } from './ads-service.js';
import { encodeResource } from './envoy-types.js';
import type { MeshView } from './mesh-view.js';
import { MeshSnapshot } from './mesh-snapshot.js';
import { PushScheduler } from './push-scheduler.js';
import { ResourceEncoder } from './resource-encoder.js';
import type { ServerCertificates } from './server-certificates.js';
import { xdsMetrics, type XdsMetrics } from './xds-metrics.js';

export interface XdsServerOptions {
  readonly config: MeshwardConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly view: MeshView;
  /** Resolves once the view's caches are filled: no proxy is answered from empty caches. */
  readonly synced: Promise<void>;
  readonly certificates: ServerCertificates;
}

export interface ProxyState {
  readonly namespace: string;
  readonly pod: string;
  readonly connectedAt: string;
  readonly upToDate: boolean;
  /** Per type (Listener, Cluster, ClusterLoadAssignment): `sentAt` dates the latest push, `nackedVersion` the version `nack` refused. */
  readonly types: Record<string, { sent?: string; sentAt?: string; acked?: string; nack?: string; nackedVersion?: string }>;
}

type Stream = grpc.ServerDuplexStream<AdsRequest, AdsResponse>;

// How long stop() lets ended streams close before it cuts the connections.
const STOP_GRACE_MS = 2_000;

export class XdsServer {
  private readonly server = new grpc.Server({ 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_timeout_ms': 10_000 });
  private readonly sessions = new Map<Stream, { session: AdsSession; connectedAt: Date }>();
  /** Every open stream, with a session or not yet (no request, or caches not synced). */
  private readonly streams = new Set<Stream>();
  private stopped = false;
  private readonly encoder = new ResourceEncoder(encodeResource);
  private readonly scheduler: PushScheduler;
  private readonly metrics: XdsMetrics;
  private snapshot: MeshSnapshot | undefined;
  private readonly ready: Promise<void>;
  port = 0;

  constructor(private readonly opts: XdsServerOptions) {
    const { config } = opts;
    this.metrics = xdsMetrics(opts.registry);
    this.scheduler = new PushScheduler(config.controlPlane.debounceMs, config.controlPlane.maxDebounceMs, () => this.rebuild());
    this.ready = opts.synced.then(() => this.rebuild());
    this.server.addService(ADS_SERVICE, { StreamAggregatedResources: (call: Stream) => this.accept(call) });
  }

  async start(): Promise<number> {
    const credentials = grpc.experimental.createCertificateProviderServerCredentials(this.opts.certificates, this.opts.certificates, true);
    const { host, port } = this.opts.config.controlPlane;
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, credentials, (err, bound) =>
        err ? reject(err) : resolve(bound),
      ),
    );
    return this.port;
  }

  /** The cluster changed: rebuild and push after the debounce. */
  changed(): void {
    this.scheduler.changed();
  }

  proxies(): ProxyState[] {
    return [...this.sessions.values()].map(({ session, connectedAt }) => ({
      namespace: session.namespace,
      pod: session.pod,
      connectedAt: connectedAt.toISOString(),
      upToDate: session.upToDate,
      types: Object.fromEntries(
        [...session.types].map(([url, st]) => [
          url.slice(url.lastIndexOf('.') + 1),
          {
            sent: st.sentVersion,
            sentAt: st.sentAt === undefined ? undefined : new Date(st.sentAt).toISOString(),
            acked: st.ackedVersion,
            nack: st.nack?.message,
            nackedVersion: st.nack?.version,
          },
        ]),
      ),
    }));
  }

  /**
   * Ends every stream (a proxy takes that as its cue to reconnect, through the Service, to another
   * replica) and stops accepting. tryShutdown waits for calls to finish, so it gets a bound: a call
   * whose end never reached the client must not hold the replica past its grace period.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.scheduler.stop();
    const streams = this.streams.size;
    for (const stream of this.streams) stream.end();
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const bound = setTimeout(resolve, STOP_GRACE_MS);
      this.server.tryShutdown(() => (clearTimeout(bound), resolve()));
    });
    this.server.forceShutdown();
    this.opts.logger.info({ streams, ms: Math.round(performance.now() - started) }, 'xds: streams ended, ADS server stopped');
  }

  private rebuild(): void {
    const started = performance.now();
    this.snapshot = new MeshSnapshot(this.opts.view, this.opts.config, this.encoder, this.snapshot);
    let pushed = 0;
    for (const [stream, { session }] of this.sessions) pushed += this.write(stream, session, () => session.push(this.snapshot!));
    this.metrics.rebuildSeconds.observe((performance.now() - started) / 1000);
    this.opts.logger.debug({ proxies: this.sessions.size, pushed, ms: Math.round(performance.now() - started) }, 'xds snapshot built');
  }

  private accept(stream: Stream): void {
    let session: AdsSession | undefined;
    let refused = false;
    if (this.stopped) {
      stream.end();
      return;
    }
    this.streams.add(stream);
    const peer = stream.getAuthContext()?.sslPeerCertificate;
    stream.on('data', (req: AdsRequest) => {
      void this.ready.then(() => {
        if (refused || this.stopped) return;
        const snapshot = this.snapshot!;
        if (!session) {
          const auth = authenticateProxy(peer, req.node?.id ?? undefined, this.opts.config.mesh.trustDomain, (ns, name) =>
            snapshot.podOf(ns, name),
          );
          if (!auth.ok) {
            refused = true;
            this.metrics.denied.inc({ reason: auth.reason });
            this.opts.logger.warn({ reason: auth.reason, nodeId: req.node?.id }, `xds: refused a proxy: ${auth.message}`);
            // grpc-js turns an 'error' event on a server stream into the call's status.
            stream.emit('error', { code: grpc.status.PERMISSION_DENIED, details: auth.message });
            return;
          }
          const pod = `${auth.namespace}/${auth.pod}`;
          session = new AdsSession(auth.namespace, auth.pod, Date.now, (e) => {
            this.metrics.record(e);
            if (e.kind === 'nack')
              this.opts.logger.warn(
                { pod, type: e.type, version: e.version, error: e.message },
                'xds: proxy refused a configuration; it keeps its last good one',
              );
          });
          this.sessions.set(stream, { session, connectedAt: new Date() });
          this.metrics.proxies.set(this.sessions.size);
        }
        const s = session;
        this.write(stream, s, () => s.handle(req, snapshot));
      });
    });
    const close = (): void => {
      this.streams.delete(stream);
      this.sessions.delete(stream);
      this.metrics.proxies.set(this.sessions.size);
    };
    stream.on('end', () => (close(), stream.end()));
    stream.on('error', close);
    stream.on('close', close);
  }

  /** Writes what `produce` owes; a configuration that cannot be built is logged and the proxy keeps what it has. */
  private write(stream: Stream, session: AdsSession, produce: () => AdsResponse[]): number {
    let responses: AdsResponse[];
    try {
      responses = produce();
    } catch (err) {
      this.metrics.buildErrors.inc();
      this.opts.logger.error(
        { err, pod: `${session.namespace}/${session.pod}` },
        'xds: cannot build the proxy configuration; it keeps its last one',
      );
      return 0;
    }
    for (const r of responses) stream.write(r);
    return responses.length;
  }
}
