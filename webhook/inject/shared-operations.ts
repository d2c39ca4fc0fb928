import type { PatchOperation } from '../admission/types.js';
import { deepFreeze } from '../json/deep-freeze.js';
import { sameJson } from '../json/same-json.js';

// Operations equal to one made before for the same workload (a probe rewrite in another replica):
// the earlier, frozen one is handed out, so the response encoder finds its encoding by identity
// (admission/patch-base64.ts). Kept per caller-chosen scope (the workload), so workloads do not
// crowd each other out; both levels are bounded. The scope only groups: a hit is the same op and
// path with the same JSON value, compared in full, so an operation depends on nothing else.

const SHARED = new Map<string, Map<string, PatchOperation>>();
const SHARED_SCOPES = 512;
const SHARED_PATHS_PER_SCOPE = 64;

/** {op, path, value}, deep-frozen: the one made before in `scope` if it had the same JSON. */
export function sharedOperation(scope: string, op: PatchOperation['op'], path: string, value: object): PatchOperation {
  let byPath = SHARED.get(scope);
  if (!byPath) {
    if (SHARED.size >= SHARED_SCOPES) SHARED.delete(SHARED.keys().next().value!);
    SHARED.set(scope, (byPath = new Map()));
  }
  const made = byPath.get(path);
  if (made && made.op === op && sameJson(made.value, value)) return made;
  const operation = deepFreeze({ op, path, value });
  if (made || byPath.size < SHARED_PATHS_PER_SCOPE) byPath.set(path, operation);
  return operation;
}
