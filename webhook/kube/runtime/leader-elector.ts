// Leader election over a coordination.k8s.io/v1 Lease: the loop that reads, writes and keeps time
// around decideLease, and runs the leadership callbacks. The signer, the trust bundles, the serving
// certificate and the Secret fallback write only while this replica leads.
import type { Logger } from 'pino';
import type { KubeApi } from '../api.js';
import { isConflict } from '../errors.js';
import { LEASES } from '../resources.js';
import type { Lease } from '../types.js';
import { decideLease, releasedLeaseSpec, type LeaseObservation } from './lease-decision.js';

export interface LeaderElectorOptions {
  readonly api: Pick<KubeApi, 'get' | 'create' | 'replace'>;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  /** The leader gives up when it has not renewed for this long (before others may take over). */
  readonly renewDeadlineSeconds: number;
  /** Every replica, leader or not, tries this often. */
  readonly retryPeriodSeconds: number;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly onStartedLeading: () => void | Promise<void>;
  readonly onStoppedLeading: () => void | Promise<void>;
}

/**
 * A coordination.k8s.io/v1 Lease loop: acquire/renew/standby is decided by decideLease (pure);
 * this class only reads, writes and keeps time. Leadership callbacks run one after another on
 * their own chain, so a slow start of the signer never delays a renewal.
 */
export class LeaderElector {
  private leader = false;
  private lastRenew = 0;
  private observed: LeaseObservation | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private transitions: Promise<void> = Promise.resolve();

  constructor(private readonly opts: LeaderElectorOptions) {}

  isLeader(): boolean {
    return this.leader;
  }

  /** Resolves when every leadership callback queued so far has finished. */
  settled(): Promise<void> {
    return this.transitions;
  }

  start(): void {
    const loop = (): void => {
      if (this.stopped) return;
      this.running = this.tick().finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(loop, this.opts.retryPeriodSeconds * 1000);
        this.timer.unref();
      });
    };
    loop();
  }

  /** One attempt to acquire or renew. Public so tests drive the loop step by step. */
  async tick(): Promise<void> {
    const { api, namespace, name, identity, logger } = this.opts;
    const now = this.opts.now();
    let lease: Lease | undefined;
    try {
      lease = await api.get(LEASES, namespace, name);
    } catch (err) {
      return this.failed(err, now);
    }
    const d = decideLease({ lease, identity, now, leaseDurationSeconds: this.opts.leaseDurationSeconds, observed: this.observed });
    this.observed = d.observed;
    if (d.action === 'standby') {
      if (this.leader) this.lose(`lease is held by ${d.holder}`);
      return;
    }
    try {
      if (d.action === 'create')
        await api.create(LEASES, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: d.spec });
      else await api.replace(LEASES, { ...(lease as Lease), spec: d.spec });
    } catch (err) {
      return this.failed(err, now);
    }
    this.lastRenew = now.getTime();
    if (!this.leader) {
      this.leader = true;
      const how =
        d.action === 'acquire' ? `${d.reason.toLowerCase()} lease${d.previousHolder ? ` from ${d.previousHolder}` : ''}` : d.action;
      logger.info({ lease: `${namespace}/${name}`, identity }, `became the signer leader (${how})`);
      this.queue(this.opts.onStartedLeading);
    }
  }

  private failed(err: unknown, now: Date): void {
    // 409: another replica wrote the lease between our read and write; it is the leader now.
    const conflict = isConflict(err);
    this.opts.logger[conflict ? 'debug' : 'warn']({ err: conflict ? undefined : err, lease: this.opts.name }, 'lease write failed');
    if (this.leader && now.getTime() - this.lastRenew >= this.opts.renewDeadlineSeconds * 1000) {
      this.lose(`could not renew for ${this.opts.renewDeadlineSeconds}s`);
    }
  }

  private lose(why: string): void {
    this.leader = false;
    this.opts.logger.warn({ lease: this.opts.name, identity: this.opts.identity }, `lost signer leadership: ${why}`);
    this.queue(this.opts.onStoppedLeading);
  }

  private queue(cb: () => void | Promise<void>): void {
    this.transitions = this.transitions.then(cb).catch((err: unknown) => this.opts.logger.error({ err }, 'leadership callback failed'));
  }

  /** Stops the loop; a leader stops its work first, then releases the lease so failover is quick. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (!this.leader) return this.transitions;
    this.leader = false;
    this.queue(this.opts.onStoppedLeading);
    await this.transitions;
    const { api, namespace, name, identity } = this.opts;
    try {
      const lease = await api.get(LEASES, namespace, name);
      if (lease?.spec?.holderIdentity === identity)
        await api.replace(LEASES, { ...lease, spec: releasedLeaseSpec(lease.spec, this.opts.now()) });
      this.opts.logger.info({ lease: `${namespace}/${name}`, identity }, 'released the signer lease');
    } catch (err) {
      // The lease expires by itself; only failover gets slower.
      this.opts.logger.warn({ err, lease: name }, 'could not release the signer lease');
    }
  }
}
