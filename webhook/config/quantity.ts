// Kubernetes resource quantities, in the one module that reads them: what meshward accepts for its
// own settings (config and meshward.io/proxy-* annotations) and the value of any quantity the API
// server stores, so a gate comparison treats "0.5" and "500m" alike.

/** What meshward accepts from a user: e.g. 100m, 0.5, 128Mi, 1G. */
export const QUANTITY = /^([0-9]+(\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
export const QUANTITY_FORM = 'a Kubernetes quantity such as 100m, 0.5, 128Mi or 1Gi';

/** Any quantity the API server accepts: signs, exponents and the n and u suffixes too. */
const STORED_QUANTITY = /^([+-]?[0-9.]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;
const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity as a number, so "0.5" and "500m" compare equal; anything else as it is. */
export function quantityValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const m = STORED_QUANTITY.exec(value.trim());
  if (!m) return value;
  const base = Number(m[1]);
  return m[2] ? base * 10 ** Number(m[2].slice(1)) : base * (m[3] ? SUFFIX[m[3]]! : 1);
}
