import type { KubeObject } from '../admission/types.js';
import { ANNOTATION_PREFIX, LABEL_INJECT, PROXY_CONTAINER_NAME } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { optedIn, parseInjectValue } from '../inject/decide.js';
import { namespaceInjection } from '../policy/namespace-label.js';
import { proxyImageFindings } from './meshward-containers.js';
import { listContainers, readTrue } from './pod-fields.js';
import type { PodView } from './pod-template.js';
import { finding, type Finding } from './rules.js';

// A pod (template) that asks not to be captured or would not be: opt-out (MW-INJECT-001), a
// namespace the injector never sees (MW-INJECT-002), the node's namespaces (MW-HOST*), inbound
// exclusions (MW-CAPTURE-001), a proxy image off the allow-list (MW-IMAGE-001). The inject value
// is read as the injector reads it: anything but "true" is refused in a STRICT namespace.

export const ANNOTATION_EXCLUDE_INBOUND = `${ANNOTATION_PREFIX}exclude-inbound-ports`;

function injectFindings(view: PodView): Finding[] {
  const out: Finding[] = [];
  for (const [where, values] of [
    ['labels', view.labels],
    ['annotations', view.annotations],
  ] as const) {
    if (!(LABEL_INJECT in values)) continue;
    const value = values[LABEL_INJECT];
    const verdict = parseInjectValue(value);
    if (verdict === true) continue;
    const problem =
      verdict === false
        ? `${JSON.stringify(value)} opts the pod out of the mesh`
        : `${JSON.stringify(value)} is not a recognised value (true or false)`;
    out.push(finding('MW-INJECT-001', `${view.prefix}metadata.${where}["${LABEL_INJECT}"]`, problem));
  }
  return out;
}

/** MW-INJECT-002: the API server would never send this pod to the injector (not already injected). */
function notSentFindings(view: PodView, namespace: KubeObject): Finding[] {
  if (optedIn(namespace, view.labels) || listContainers(view).some((c) => c.name === PROXY_CONTAINER_NAME)) return [];
  const name = namespace.metadata?.name ?? '';
  const disabled = namespaceInjection(namespace) === 'disabled';
  const why = disabled
    ? `namespace ${name} opts out of injection (meshward.io/inject=disabled)`
    : `namespace ${name} is not opted in (meshward.io/inject=enabled) and the pod is not labelled meshward.io/inject: "true"`;
  return [
    finding(
      'MW-INJECT-002',
      `${view.prefix}metadata.labels["${LABEL_INJECT}"]`,
      `${why}, so its pods would be created without the proxy`,
      disabled ? `remove meshward.io/inject=disabled from namespace ${name}` : undefined,
    ),
  ];
}

const HOST_NAMESPACES = [
  ['hostNetwork', 'MW-HOSTNET-001', 'the pod shares the node network, where meshward cannot capture its traffic'],
  ['hostPID', 'MW-HOSTPID-001', "the pod sees every process on the node, every proxy's included, and can read their keys"],
  ['hostIPC', 'MW-HOSTIPC-001', "the pod shares the node's IPC namespace with every process on it"],
] as const;

/**
 * The metadata and pod-level rules for one pod or pod template. With the namespace object, also
 * whether the pod would be injected at all.
 */
export function metadataFindings(view: PodView, config: Pick<MeshwardConfig, 'proxy'>, namespace?: KubeObject): Finding[] {
  const out = [...injectFindings(view), ...(namespace ? notSentFindings(view, namespace) : []), ...proxyImageFindings(view, config)];
  for (const [key, rule, problem] of HOST_NAMESPACES)
    if (readTrue(view.spec, key)) out.push(finding(rule, `${view.prefix}spec.${key}`, problem));
  const exclusions = view.annotations[ANNOTATION_EXCLUDE_INBOUND];
  if (exclusions !== undefined && exclusions !== null && String(exclusions).trim() !== '') {
    out.push(
      finding(
        'MW-CAPTURE-001',
        `${view.prefix}metadata.annotations["${ANNOTATION_EXCLUDE_INBOUND}"]`,
        `ports ${JSON.stringify(exclusions)} would accept plaintext, bypassing the proxy`,
        `remove the annotation; health probes keep working through probe rewriting (meshward.io/rewrite-probes)`,
      ),
    );
  }
  return out;
}
