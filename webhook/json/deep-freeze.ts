// Values shared between admissions (the config, the injector's renders) are frozen all the way
// down, so no caller can change what another one is handed, and the response encoder may keep
// their encoding by identity (admission/patch-base64.ts).

/** Freezes `value` and everything reachable from it, children first; returns `value`. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Whether `value` and everything reachable from it is frozen (a primitive is). */
export function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (!Object.isFrozen(value)) return false;
  for (const child of Object.values(value)) if (!isDeepFrozen(child)) return false;
  return true;
}
