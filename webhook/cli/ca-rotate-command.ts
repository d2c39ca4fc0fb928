import { parseArgs } from 'node:util';
import { isConflict } from '../kube/errors.js';
import { PkiInputError } from '../pki/index.js';
import { parseDurationSeconds } from '../pki/parse-duration.js';
import {
  CLUSTER_FLAGS,
  clusterContext,
  NEW_CA_FLAGS,
  newCaFiles,
  type ClusterCaContext,
  type ClusterCaDeps,
} from './ca-cluster-context.js';
import type { CommandIo } from './io.js';
import { publishBundles } from './ca-init-cluster.js';
import {
  certificateFingerprints,
  decodeCaSecret,
  encodeCaSecret,
  rootsOf,
  signingCaOf,
  type CaSecretState,
  type RotationPhase,
} from '../identity/ca/ca-secret.js';
import { identitySettings } from '../identity/identity-settings.js';
import { advanceRotation, nextAction, type RotationAction, type RotationTimings } from '../identity/ca/rotation.js';
import { desiredTrustBundles, planTrustBundles } from '../identity/trust-bundles/trust-bundle-plan.js';
import { listTrustBundles } from '../identity/trust-bundles/trust-bundle-sync.js';
import { SECRETS } from '../kube/resources.js';
import type { Secret } from '../kube/types.js';

/** Exit code when the rotation is waiting (nothing more could be done this run). */
export const EXIT_PENDING = 3;

const TARGETS: Readonly<Record<string, RotationAction>> = { published: 'publish', signing: 'sign', retired: 'retire' };
const PHASE_AFTER: Readonly<Record<RotationAction, RotationPhase>> = { publish: 'published', sign: 'signing', retire: 'idle' };

function inWords(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m` : `${Math.floor(s / 60)}m${s % 60}s`;
}

function seconds(value: unknown, flag: string, fallback: number): number {
  return typeof value === 'string' ? parseDurationSeconds(value, flag) : fallback;
}

/** Before signing with the new root, every trusted root must really be in a ClusterTrustBundle. */
async function unpublishedRoots(ctx: ClusterCaContext, state: CaSecretState): Promise<string[]> {
  const plan = planTrustBundles(desiredTrustBundles(ctx.signerName, state.trustBundlePem), await listTrustBundles(ctx.api, ctx.signerName));
  return [...plan.create, ...plan.update].map((b) => b.metadata.name);
}

function describe(state: CaSecretState, timings: RotationTimings): string {
  const r = state.rotation;
  const roots = certificateFingerprints(state.trustBundlePem)
    .map((f) => f.slice(0, 16))
    .join(', ');
  const signing = certificateFingerprints(rootsOf(state.current, state.trustBundlePem))[0]?.slice(0, 16);
  const since = r.since ? ` since ${r.since}` : r.completedAt ? ` (last rotation completed ${r.completedAt})` : '';
  return `phase ${r.phase}${since}; signing under root ${signing}; trusted roots: ${roots}; next step: ${nextAction(r.phase)} (waits: publish→sign ${timings.propagationSeconds}s, sign→retire ${timings.retireAfterSeconds}s)\n`;
}

async function write(ctx: ClusterCaContext, state: CaSecretState, base: Secret): Promise<Secret> {
  try {
    return await ctx.api.replace(SECRETS, encodeCaSecret(ctx.ref, state, base));
  } catch (err) {
    if (isConflict(err))
      throw new Error(`Secret ${ctx.ref.namespace}/${ctx.ref.name} changed while rotating (another "ca rotate"?); run the command again`);
    throw err;
  }
}

/**
 * `meshward ca rotate`: advances the root rotation recorded in the CA Secret by one phase (or up to
 * `--to`), printing what it did, what it waits for and what comes next. Exit 0 advanced, 3 waiting.
 */
export async function runRotate(args: string[], io: CommandIo, deps: ClusterCaDeps): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      ...CLUSTER_FLAGS,
      ...NEW_CA_FLAGS,
      to: { type: 'string' },
      wait: { type: 'string' },
      'retire-wait': { type: 'string' },
      status: { type: 'boolean', default: false },
    },
  });
  const target = values.to === undefined ? undefined : TARGETS[values.to];
  if (values.to !== undefined && target === undefined)
    throw new PkiInputError('--to', `"${values.to}" is not one of ${Object.keys(TARGETS).join(', ')}`);
  const ctx = clusterContext(values, deps);
  const defaults = identitySettings(ctx.config).rotation;
  const timings: RotationTimings = {
    propagationSeconds: seconds(values.wait, '--wait', defaults.propagationSeconds),
    retireAfterSeconds: seconds(values['retire-wait'], '--retire-wait', defaults.retireAfterSeconds),
  };
  let secret = await ctx.api.get(SECRETS, ctx.ref.namespace, ctx.ref.name);
  if (!secret)
    throw new Error(
      `Secret ${ctx.ref.namespace}/${ctx.ref.name} does not exist; create the CA first with "meshward ca init --kubeconfig …"`,
    );
  let state = decodeCaSecret(secret);
  io.stdout.write(describe(state, timings));
  if (values.status) return 0;
  if (values['retire-wait'] !== undefined && timings.retireAfterSeconds < defaults.retireAfterSeconds) {
    io.stderr.write(
      `warning: --retire-wait ${timings.retireAfterSeconds}s is shorter than the longest certificate lifetime; certificates the old CA signed fail verification once its root is retired\n`,
    );
  }
  if (target !== undefined && state.rotation.phase === PHASE_AFTER[target] && target !== 'retire') {
    io.stdout.write(`already in phase ${state.rotation.phase}; nothing to do\n`);
    return 0;
  }
  for (let i = 0; i < 3; i++) {
    // Only publishing needs a new CA; it is made (or read from --from) just then.
    const next =
      state.rotation.phase === 'idle'
        ? await newCaFiles(values, signingCaOf(state).trustDomain ?? ctx.config.mesh.trustDomain, ctx.now)
        : undefined;
    let step = advanceRotation(state, ctx.now, timings, () => next!.files);
    if (step.kind === 'advanced' && step.action === 'sign') {
      const missing = await unpublishedRoots(ctx, state);
      if (missing.length > 0)
        step = {
          kind: 'pending',
          action: 'sign',
          until: ctx.now,
          summary: `ClusterTrustBundle(s) ${missing.join(', ')} are not published yet (is meshward running?)`,
        };
    }
    const s = step;
    if (s.kind === 'pending') {
      const when = s.until > ctx.now ? ` until ${s.until.toISOString()} (in ${inWords(s.until.getTime() - ctx.now.getTime())})` : '';
      const skip = s.action === 'sign' ? '--wait 0s' : '--retire-wait 0s';
      io.stdout.write(
        `pending: ${s.action} waits${when}: ${s.summary}\nrun "meshward ca rotate" again then${s.until > ctx.now ? `, or pass ${skip} to skip the wait` : ''}\n`,
      );
      return EXIT_PENDING;
    }
    secret = await write(ctx, s.state, secret);
    const from = state.rotation.phase;
    state = s.state;
    io.stdout.write(`${s.action}: ${from} → ${s.to}: ${s.summary}${next ? ` (next CA: ${next.source})` : ''}\n`);
    await publishBundles(ctx, state, io);
    if (target === undefined || s.action === target) break;
  }
  io.stdout.write(
    `next: ${nextAction(state.rotation.phase)} — run "meshward ca rotate" again${state.rotation.phase === 'idle' ? ' only to start another rotation' : ''}\n`,
  );
  return 0;
}
