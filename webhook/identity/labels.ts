// The label every object the identity controllers create carries, and that they check before
// writing over an object: nothing without it is ever replaced (config/names.ts, shared with the
// proxy bootstrap's ConfigMaps).
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../config/names.js';

export { MANAGED_BY_LABEL, MANAGED_BY_VALUE };
export const MANAGED_BY = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } as const;
