import { PkiInputError } from './errors.js';

/** PodCertificateRequest status validation: lifetime ≥ 1h; beginRefreshAt ≥10m inside both ends. */
export const MIN_LIFETIME_SECONDS = 3600;
export const REFRESH_MARGIN_SECONDS = 600;
export const DEFAULT_TTL_SECONDS = 86_400;
export const DEFAULT_BACKDATE_SECONDS = 300;
/** Refresh at this share of the lifetime by default (then clamped into the allowed window). */
export const DEFAULT_REFRESH_PERCENT = 50;

export interface ValidityRequest {
  readonly now: Date;
  readonly ttlSeconds?: number;
  readonly maxExpirationSeconds?: number;
  readonly backdateSeconds?: number;
  /** Where in the lifetime the holder begins refreshing, 0–100 (default 50), before clamping. */
  readonly refreshPercent?: number;
  /** The issuing chain's earliest notAfter: the leaf is cut short rather than outlive it. */
  readonly caNotAfter?: Date;
}

export interface SvidValidity {
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly beginRefreshAt: Date;
  readonly lifetimeSeconds: number;
}

function wholeSeconds(value: number | undefined, fallback: number, field: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw new PkiInputError(field, `must be a non-negative whole number of seconds, got ${String(value)}`);
  return v;
}

/**
 * Pure validity arithmetic, in whole seconds:
 *   lifetime  = min(ttl, maxExpiration, caNotAfter − notBefore), never below 1h
 *   notBefore = now − backdate, the backdate shrunk so that notAfter − now stays ≥ 1h
 *   notAfter  = notBefore + lifetime (so notAfter − notBefore never exceeds maxExpiration)
 *   beginRefreshAt = notBefore + refreshPercent (50%) of lifetime, clamped to [notBefore+10m, notAfter−10m]
 */
export function computeSvidValidity(req: ValidityRequest): SvidValidity {
  const ttl = wholeSeconds(req.ttlSeconds, DEFAULT_TTL_SECONDS, 'ttlSeconds');
  const max = req.maxExpirationSeconds === undefined ? ttl : wholeSeconds(req.maxExpirationSeconds, ttl, 'maxExpirationSeconds');
  const backdate = wholeSeconds(req.backdateSeconds, DEFAULT_BACKDATE_SECONDS, 'backdateSeconds');
  const refreshPercent = req.refreshPercent ?? DEFAULT_REFRESH_PERCENT;
  if (!Number.isInteger(refreshPercent) || refreshPercent < 0 || refreshPercent > 100) {
    throw new PkiInputError('refreshPercent', `must be a whole number from 0 to 100, got ${String(req.refreshPercent)}`);
  }
  const nowS = Math.floor(req.now.getTime() / 1000);
  let lifetime = Math.min(ttl, max);
  if (lifetime < MIN_LIFETIME_SECONDS) {
    const field = max < ttl ? 'maxExpirationSeconds' : 'ttlSeconds';
    throw new PkiInputError(field, `certificate lifetime would be ${lifetime}s; it must be at least ${MIN_LIFETIME_SECONDS}s (1h)`);
  }
  const notBeforeS = nowS - Math.max(0, Math.min(backdate, lifetime - MIN_LIFETIME_SECONDS));
  if (req.caNotAfter) {
    const caEnd = Math.floor(req.caNotAfter.getTime() / 1000);
    if (caEnd - nowS < MIN_LIFETIME_SECONDS) {
      throw new PkiInputError('ca', `the CA chain expires at ${req.caNotAfter.toISOString()}, less than 1h from now; rotate the CA`);
    }
    lifetime = Math.min(lifetime, caEnd - notBeforeS);
  }
  const notAfterS = notBeforeS + lifetime;
  const earliest = notBeforeS + REFRESH_MARGIN_SECONDS;
  const latest = notAfterS - REFRESH_MARGIN_SECONDS;
  const refreshS = Math.min(latest, Math.max(earliest, notBeforeS + Math.floor((lifetime * refreshPercent) / 100)));
  return {
    notBefore: new Date(notBeforeS * 1000),
    notAfter: new Date(notAfterS * 1000),
    beginRefreshAt: new Date(refreshS * 1000),
    lifetimeSeconds: lifetime,
  };
}
