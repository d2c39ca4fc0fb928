// meshward selectors are matchLabels only (no matchExpressions), so matching and overlap are exact.

/** Whether a matchLabels selector selects a pod with these labels. No selector selects everything. */
export function selectorMatches(
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (!selector) return true;
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/**
 * Whether some pod could be selected by both selectors: true unless a key they share has different
 * values. ({app: web} and {tier: front} overlap: a pod labelled with both is selected by each.)
 */
export function selectorsOverlap(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  if (!a || !b) return true;
  return Object.entries(a).every(([key, value]) => !(key in b) || b[key] === value);
}

/** `app=web,tier=front` (sorted): how messages and printer columns show a selector. */
export function formatSelector(selector: Readonly<Record<string, string>> | undefined): string {
  if (!selector) return '<none>';
  return Object.keys(selector)
    .sort()
    .map((key) => `${key}=${selector[key]}`)
    .join(',');
}
