// The label every object the identity controllers create carries, and that they check before
// writing over an object: nothing without it is ever replaced.
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'meshward';
export const MANAGED_BY = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } as const;
