import type { Logger } from 'pino';
import { fingerprint, type MeshCa } from '../../pki/index.js';
import type { KubeApi } from '../../kube/api.js';
import { SECRETS } from '../../kube/resources.js';
import { Informer } from '../../kube/runtime/informer.js';
import type { Secret } from '../../kube/types.js';
import { decodeCaSecret, signingCaOf, type CaSecretState, type SecretRef } from './ca-secret.js';

export interface CaStoreOptions {
  readonly api: Pick<KubeApi, 'list' | 'watch'>;
  readonly ref: SecretRef;
  readonly now: () => Date;
  readonly logger: Logger;
  /** Called after every successful load (rotation phases change the trust bundle). */
  readonly onChange?: (state: CaSecretState) => void;
}

/**
 * The CA as the Secret holds it now, kept current by a watch on that one Secret. A Secret that is
 * deleted or turns unreadable does not stop signing: the last good CA stays until a good one comes.
 */
export class CaStore {
  private loaded: { state: CaSecretState; ca: MeshCa; fingerprint: string; resourceVersion?: string } | undefined;
  private informer: Informer<Secret> | undefined;
  private resolveReady!: () => void;
  private absentLogged = false;
  /** Resolves when a CA has been loaded for the first time. */
  readonly ready: Promise<void> = new Promise((resolve) => (this.resolveReady = resolve));

  constructor(private readonly opts: CaStoreOptions) {}

  start(): void {
    const { namespace, name } = this.opts.ref;
    // One Secret, by field selector: RBAC can then limit list/watch to that name.
    this.informer = new Informer({
      api: this.opts.api,
      resource: SECRETS,
      selector: { namespace, fieldSelector: `metadata.name=${name}` },
      onUpsert: (s) => this.apply(s),
      onDelete: () => this.apply(undefined),
      // An empty list emits nothing: the Secret is absent.
      onSynced: (items) => (items.length === 0 ? this.apply(undefined) : undefined),
      onError: (err) => this.opts.logger.warn({ err, secret: name }, 'CA Secret watch failed; restarting'),
    }).start();
  }

  async stop(): Promise<void> {
    await this.informer?.stop();
    this.informer = undefined;
  }

  current(): MeshCa | undefined {
    return this.loaded?.ca;
  }

  state(): CaSecretState | undefined {
    return this.loaded?.state;
  }

  /** sha256 of the root the signer signs under (what injected pods record). */
  trustRootFingerprint(): string | undefined {
    return this.loaded?.fingerprint;
  }

  /** Loads a Secret as the watch delivers it; public so tests feed it directly. */
  apply(secret: Secret | undefined): void {
    const { namespace, name } = this.opts.ref;
    if (!secret) {
      if (!this.absentLogged)
        this.opts.logger.warn(
          { secret: `${namespace}/${name}` },
          this.loaded
            ? 'CA Secret is gone; still signing with the CA loaded before'
            : 'CA Secret does not exist yet; run "meshward ca init --kubeconfig …" or enable identity.createCa',
        );
      this.absentLogged = true;
      return;
    }
    this.absentLogged = false;
    if (secret.metadata.resourceVersion !== undefined && secret.metadata.resourceVersion === this.loaded?.resourceVersion) return;
    try {
      const state = decodeCaSecret(secret);
      const ca = signingCaOf(state, this.opts.now());
      const fp = fingerprint(ca.trustBundlePem);
      const changed = fp !== this.loaded?.fingerprint || state.rotation.phase !== this.loaded?.state.rotation.phase;
      this.loaded = { state, ca, fingerprint: fp, resourceVersion: secret.metadata.resourceVersion };
      if (changed)
        this.opts.logger.info({ secret: `${namespace}/${name}`, trustRoot: fp, rotation: state.rotation.phase }, 'mesh CA loaded');
      this.resolveReady();
      this.opts.onChange?.(state);
    } catch (err) {
      // PkiInputError messages name Secret keys and certificates, never key material.
      this.opts.logger.error(
        { secret: `${namespace}/${name}`, error: (err as Error).message },
        'CA Secret is unusable; keeping the CA loaded before',
      );
    }
  }
}
