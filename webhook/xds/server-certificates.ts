// The xDS server's own identity: an SVID for meshward's ServiceAccount, issued in process by the
// mesh CA meshward already holds, renewed at half-life and whenever the CA changes, and the mesh
// trust bundle it checks proxies' certificates against. gRPC reads both through certificate
// providers, so a renewal or a CA rotation never restarts the server or drops a stream.

import { generateKeyPairSync } from 'node:crypto';
import type { experimental } from '@grpc/grpc-js';
import type { MeshwardConfig } from '../config/types.js';
import { issueSvid } from '../pki/issue-svid.js';
import type { MeshCa } from '../pki/mesh-ca.js';

type Provider = experimental.CertificateProvider;
type IdentityListener = experimental.IdentityCertificateUpdateListener;
type CaListener = experimental.CaCertificateUpdateListener;

// Cheap when nothing is due; short so a CA loaded after start-up is picked up at once.
const CHECK_EVERY_MS = 1_000;
const TTL_SECONDS = 24 * 3600;

export function serverSpiffeId(config: MeshwardConfig): string {
  return `spiffe://${config.mesh.trustDomain}/ns/${config.mesh.namespace}/sa/${config.controlPlane.serviceAccount}`;
}

export class ServerCertificates implements Provider {
  private identity?: experimental.IdentityCertificateUpdate;
  private ca?: experimental.CaCertificateUpdate;
  private issuedUnder?: MeshCa;
  private renewAt = 0;
  private readonly identityListeners = new Set<IdentityListener>();
  private readonly caListeners = new Set<CaListener>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly config: MeshwardConfig,
    private readonly currentCa: () => MeshCa | undefined,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.refresh();
    this.timer = setInterval(() => this.refresh(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  /** True once a certificate could be issued (the CA is loaded). */
  get ready(): boolean {
    return this.identity !== undefined;
  }

  /** Issues a new SVID when there is none, it is past half-life, or the CA changed. */
  refresh(): void {
    const ca = this.currentCa();
    if (!ca) return;
    const now = this.now();
    if (ca === this.issuedUnder && now.getTime() < this.renewAt) return;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const svid = issueSvid({
      ca,
      subjectPublicKey: publicKey,
      trustDomain: this.config.mesh.trustDomain,
      namespace: this.config.mesh.namespace,
      serviceAccount: this.config.controlPlane.serviceAccount,
      ttlSeconds: TTL_SECONDS,
      now,
    });
    this.issuedUnder = ca;
    this.renewAt = svid.beginRefreshAt.getTime();
    this.identity = {
      certificate: Buffer.from(svid.certificateChainPem),
      privateKey: Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
    };
    this.ca = { caCertificate: Buffer.from(ca.trustBundlePem) };
    for (const l of this.identityListeners) l(this.identity);
    for (const l of this.caListeners) l(this.ca);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    // Later, not now: grpc-js registers the watcher that applies an update only after adding this listener.
    setImmediate(() => this.identity && this.identityListeners.has(listener) && listener(this.identity));
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    setImmediate(() => this.ca && this.caListeners.has(listener) && listener(this.ca));
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }
}
