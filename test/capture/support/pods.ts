// The pods of the capture netns suites, and their rules produced the production way:
// annotations → settings → generator → the meshward-init env the injector writes.

import { captureSettingsFromAnnotations } from '../../../webhook/capture/annotations.js';
import { initContainerEnv } from '../../../webhook/capture/pod-spec.js';
import { buildCaptureRules } from '../../../webhook/capture/rules.js';
import type { CaptureRules } from '../../../webhook/capture/settings.js';
import type { PodDef } from './netns-lab.js';

export interface CapturePod extends PodDef {
  readonly annotations: Readonly<Record<string, string>>;
}

export const APP_UID = 1000;
export const PROXY_UID = 1337;

/** A client pod: its app's port 5432 and B's second address are excluded from capture. */
export const POD_A: CapturePod = {
  name: 'a',
  v4: ['10.250.0.1'],
  v6: ['fd00:250::1'],
  listeners: { 'a-outbound': 15001, 'a-inbound': 15006, 'a-app': 8080 },
  annotations: {
    'meshward.io/exclude-outbound-ports': '5432',
    'meshward.io/exclude-outbound-cidrs': '10.250.0.3/32, fd00:250::3/128',
  },
};

/** A server pod with two addresses per family; port 9000 is excluded from inbound capture. */
export const POD_B: CapturePod = {
  name: 'b',
  v4: ['10.250.0.2', '10.250.0.3'],
  v6: ['fd00:250::2', 'fd00:250::3'],
  listeners: {
    'b-outbound': 15001,
    'b-inbound': 15006,
    'b-app': 8080,
    'b-app9000': 9000,
    'b-status': 15020,
    'b-ready': 15021,
    'b-metrics': 15090,
    'b-db': 5432,
  },
  annotations: { 'meshward.io/exclude-inbound-ports': '9000' },
};

/** A client pod that captures only traffic to B's first address. */
export const POD_C: CapturePod = {
  name: 'c',
  v4: ['10.250.0.4'],
  v6: ['fd00:250::4'],
  listeners: { 'c-outbound': 15001, 'c-app': 8080 },
  annotations: { 'meshward.io/include-outbound-cidrs': '10.250.0.2/32,fd00:250::2/128' },
};

export function rulesFor(pod: CapturePod): CaptureRules {
  const result = captureSettingsFromAnnotations(pod.annotations, { proxy: { uid: PROXY_UID, gid: PROXY_UID } });
  if ('errors' in result) throw new Error(`bad test annotations: ${JSON.stringify(result.errors)}`);
  return buildCaptureRules(result.settings);
}

/** The env meshward-init gets: exactly what the injector puts into its container spec. */
export function initEnvFor(pod: CapturePod): Record<string, string> {
  return Object.fromEntries(initContainerEnv(rulesFor(pod)).map((e) => [e.name, e.value]));
}
