import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computeSvidValidity } from '../../webhook/pki/svid-validity.js';

const S = 1000;

describe('pki: computeSvidValidity (pure lifetime arithmetic)', () => {
  it('refreshPercent moves beginRefreshAt through the lifetime, monotonically, always inside the allowed window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3600, max: 200_000 }), fc.integer({ min: 0, max: 99 }), (ttl, percent) => {
        const now = new Date('2026-06-01T00:00:00Z');
        const at = (p: number): number => computeSvidValidity({ now, ttlSeconds: ttl, refreshPercent: p }).beginRefreshAt.getTime();
        const v = computeSvidValidity({ now, ttlSeconds: ttl, refreshPercent: percent });
        assert.ok(at(percent) <= at(percent + 1));
        assert.ok(v.beginRefreshAt.getTime() >= v.notBefore.getTime() + 600 * S);
        assert.ok(v.beginRefreshAt.getTime() <= v.notAfter.getTime() - 600 * S);
      }),
    );
    const now = new Date('2026-06-01T00:00:00Z');
    const soonest = computeSvidValidity({ now, ttlSeconds: 3900, backdateSeconds: 60, refreshPercent: 0 });
    assert.equal(soonest.beginRefreshAt.getTime() - soonest.notBefore.getTime(), 600 * S, '0%: the earliest the API allows');
    assert.throws(() => computeSvidValidity({ now, refreshPercent: 101 }), /refreshPercent.*0 to 100/);
  });

  it('for any clock, ttl, maxExpiration and backdate: never beyond max, ≥1h left, refresh inside the window', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2045-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 3600, max: 7_862_400 }),
        fc.integer({ min: 3600, max: 7_862_400 }),
        fc.integer({ min: 0, max: 3600 }),
        (now, ttl, max, backdate) => {
          const v = computeSvidValidity({ now, ttlSeconds: ttl, maxExpirationSeconds: max, backdateSeconds: backdate });
          const life = (v.notAfter.getTime() - v.notBefore.getTime()) / S;
          const nowS = Math.floor(now.getTime() / S) * S;
          assert.equal(life, Math.min(ttl, max));
          assert.ok(life <= max && life >= 3600);
          assert.ok(v.notAfter.getTime() - nowS >= 3600 * S, 'at least 1h of validity left from now');
          assert.ok(v.notBefore.getTime() <= nowS && v.notBefore.getTime() >= nowS - backdate * S);
          assert.ok(v.beginRefreshAt.getTime() >= v.notBefore.getTime() + 600 * S);
          assert.ok(v.beginRefreshAt.getTime() <= v.notAfter.getTime() - 600 * S);
          [v.notBefore, v.notAfter, v.beginRefreshAt].forEach((d) => assert.equal(d.getTime() % S, 0, 'whole seconds'));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('shrinks the backdate for a 1h lifetime so the certificate still has a full hour ahead', () => {
    const now = new Date('2030-05-01T12:00:00Z');
    const v = computeSvidValidity({ now, ttlSeconds: 3600, backdateSeconds: 300 });
    assert.equal(v.notBefore.toISOString(), '2030-05-01T12:00:00.000Z');
    assert.equal(v.notAfter.toISOString(), '2030-05-01T13:00:00.000Z');
    assert.equal(v.beginRefreshAt.toISOString(), '2030-05-01T12:30:00.000Z');
  });

  it('defaults: 24h lifetime, 300s backdate, refresh at half-life', () => {
    const v = computeSvidValidity({ now: new Date('2030-05-01T12:00:00.750Z') });
    assert.equal(v.notBefore.toISOString(), '2030-05-01T11:55:00.000Z');
    assert.equal(v.notAfter.toISOString(), '2030-05-02T11:55:00.000Z');
    assert.equal(v.beginRefreshAt.toISOString(), '2030-05-01T23:55:00.000Z');
  });

  it('cuts the lifetime short at the CA chain notAfter, and refuses when less than 1h remains', () => {
    const now = new Date('2030-05-01T12:00:00Z');
    const v = computeSvidValidity({ now, caNotAfter: new Date('2030-05-01T18:00:00Z') });
    assert.equal(v.notAfter.toISOString(), '2030-05-01T18:00:00.000Z');
    assert.throws(() => computeSvidValidity({ now, caNotAfter: new Date('2030-05-01T12:59:59Z') }), /^PkiInputError: ca: .*rotate the CA/);
  });

  it('names the field when the lifetime would be under an hour', () => {
    assert.throws(
      () => computeSvidValidity({ now: new Date(), ttlSeconds: 1800 }),
      /ttlSeconds: certificate lifetime would be 1800s; it must be at least 3600s/,
    );
    assert.throws(
      () => computeSvidValidity({ now: new Date(), maxExpirationSeconds: 600 }),
      /maxExpirationSeconds: certificate lifetime would be 600s/,
    );
    assert.throws(
      () => computeSvidValidity({ now: new Date(), backdateSeconds: -1 }),
      /backdateSeconds: must be a non-negative whole number/,
    );
  });
});
