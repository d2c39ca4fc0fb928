// Traffic capture: the public surface the injector and the gate use.

export { captureSettingsFromAnnotations } from './annotations.js';
export type { AnnotationError, CaptureSettingsResult, IpFamilies } from './annotations.js';
export { parseCidr, CIDR_FORM } from './cidr.js';
export type { Cidr, IpFamily } from './cidr.js';
export { captureRulesFromPodSpec, initContainerEnv, ipv6FromShared } from './pod-spec.js';
export type { EnvVar, PodSpecLike, RulesFromSpec } from './pod-spec.js';
export { buildCaptureRules, CaptureSettingsError } from './rules.js';
export { CHAIN_PREFIX, CHAINS, INIT_COMMAND, LOOPBACK, RULES_ENV } from './settings.js';
export type { CaptureRules, CaptureSettings } from './settings.js';
