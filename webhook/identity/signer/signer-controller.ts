// The PodCertificateRequest signer: an informer over requests for our signer, a keyed work queue,
// and per request decide (signer-decision.ts, pure) → PUT …/status guarded by resourceVersion.
import type { Logger } from 'pino';
import type { KubeApi } from '../../kube/api.js';
import { isConflict, isNotFound, statusOf } from '../../kube/errors.js';
import { POD_CERTIFICATE_REQUESTS } from '../../kube/resources.js';
import { backoffDelayMs } from '../../kube/runtime/backoff.js';
import { Informer } from '../../kube/runtime/informer.js';
import type { PodCertificateRequest } from '../../kube/types.js';
import type { MeshCa, PcrOutcome } from '../../pki/index.js';
import { isPendingFor, pcrKey } from './pcr-pending.js';
import { decideSafely, decisionLogFields, refusedIssue, withStatus, type SignerPolicy } from './signer-decision.js';
import type { SignerMetrics } from './signer-metrics.js';
import { KeyedWorkQueue } from '../../kube/runtime/work-queue.js';

export interface SignerControllerOptions {
  readonly api: Pick<KubeApi, 'list' | 'watch' | 'get' | 'replaceStatus'>;
  readonly policy: SignerPolicy;
  /** The CA to sign with now (undefined until the CA Secret is loaded). */
  readonly currentCa: () => MeshCa | undefined;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly concurrency: number;
  readonly metrics?: SignerMetrics;
  /** First retry delay after a failed write or a missing CA; doubles up to 30 s. Default 500 ms. */
  readonly retryDelayMs?: number;
}

/** What became of one request (for tests and the log). */
export type HandleResult = 'written' | 'decided-elsewhere' | 'gone' | 'ignored' | 'retry';

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Signs PodCertificateRequests while this replica leads: one list+watch from start() to stop(),
 * so every (re)gain of leadership begins with a full list and serves requests left pending by the
 * previous leader. Writes run through a bounded queue, one per request at a time.
 */
export class SignerController {
  private readonly queue: KeyedWorkQueue<PodCertificateRequest>;
  private readonly attempts = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private watch: Informer<PodCertificateRequest> | undefined;

  constructor(private readonly opts: SignerControllerOptions) {
    this.queue = new KeyedWorkQueue(opts.concurrency, (_key, pcr) => this.handle(pcr).then(() => undefined));
  }

  start(): void {
    const { policy, logger } = this.opts;
    this.watch = new Informer({
      api: this.opts.api,
      resource: POD_CERTIFICATE_REQUESTS,
      selector: { fieldSelector: `spec.signerName=${policy.signerName}` },
      onUpsert: (pcr) => {
        if (isPendingFor(pcr, policy.signerName)) this.queue.add(pcrKey(pcr), pcr);
      },
      onDelete: (pcr) => {
        this.queue.forget(pcrKey(pcr));
        this.attempts.delete(pcrKey(pcr)); // a pending retry sees this and drops the request
      },
      onError: (err) => logger.warn({ err }, 'PodCertificateRequest watch failed; restarting'),
    }).start();
  }

  /** Resolves when nothing is queued or being written (tests, benchmarks). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.watch?.stop();
    this.watch = undefined;
    await this.queue.close();
  }

  /** Decides one request and writes its status; on 409 re-reads it and tries once more. */
  async handle(pcr: PodCertificateRequest): Promise<HandleResult> {
    const ca = this.opts.currentCa();
    if (!ca) {
      this.opts.logger.debug({ pcr: pcrKey(pcr) }, 'no CA loaded yet; request waits');
      return this.retryLater(pcr);
    }
    try {
      let result = await this.decideAndWrite(pcr, ca);
      if (result === 'conflict') {
        const fresh = await this.opts.api.get(POD_CERTIFICATE_REQUESTS, pcr.metadata.namespace, pcr.metadata.name);
        if (!fresh) return this.done(pcr, 'gone');
        if (!isPendingFor(fresh, this.opts.policy.signerName)) return this.done(pcr, 'decided-elsewhere');
        result = await this.decideAndWrite(fresh, ca);
        if (result === 'conflict') return this.retryLater(fresh);
      }
      return this.done(pcr, result);
    } catch (err) {
      this.opts.metrics?.writeErrors.inc({ status: String(statusOf(err) ?? 0) });
      this.opts.logger.warn({ err, pcr: pcrKey(pcr) }, 'writing PodCertificateRequest status failed; will retry');
      return this.retryLater(pcr);
    }
  }

  private async decideAndWrite(pcr: PodCertificateRequest, ca: MeshCa): Promise<HandleResult | 'conflict'> {
    const started = Date.now();
    const now = this.opts.now();
    const decision = decideSafely(pcr, ca, this.opts.policy, now);
    if (decision.type === 'Ignored') return 'ignored';
    let outcome: PcrOutcome = decision;
    try {
      await this.opts.api.replaceStatus(POD_CERTIFICATE_REQUESTS, withStatus(pcr, outcome, now));
    } catch (err) {
      if (isConflict(err)) return 'conflict';
      if (isNotFound(err)) return 'gone';
      if (statusOf(err) !== 422 || outcome.type !== 'Issued') throw err;
      outcome = refusedIssue((err as Error).message);
      await this.opts.api.replaceStatus(POD_CERTIFICATE_REQUESTS, withStatus(pcr, outcome, now));
    }
    this.opts.metrics?.decisions.inc({ decision: outcome.type, reason: outcome.type === 'Issued' ? 'Issued' : outcome.reason });
    this.opts.logger.info({ ...decisionLogFields(pcr, outcome), ms: Date.now() - started }, 'PodCertificateRequest decided');
    return 'written';
  }

  private done(pcr: PodCertificateRequest, result: HandleResult): HandleResult {
    this.attempts.delete(pcrKey(pcr));
    return result;
  }

  private retryLater(pcr: PodCertificateRequest): HandleResult {
    const key = pcrKey(pcr);
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, n);
    const delay = backoffDelayMs({ baseMs: this.opts.retryDelayMs ?? 500, maxMs: MAX_RETRY_DELAY_MS }, n);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.watch && this.attempts.has(key)) this.queue.add(key, pcr);
    }, delay);
    timer.unref();
    this.timers.add(timer);
    return 'retry';
  }
}
