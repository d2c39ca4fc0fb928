import { stringify } from 'yaml';
import type { KubeObject } from '../admission/types.js';
import { describeLevel } from '../gate/policy-rules.js';
import { formatWorkload } from '../status/workload-owner.js';
import { wrap } from '../status/text.js';
import type { PolicyEffects } from './effects.js';
import type { PolicyPlan } from './plan.js';
import { describeRequest, type GenerateRequest } from './request.js';

// The YAML generate prints: comments that say what the policy is, why this one, what it changes
// (workload by workload, port by port, from what to what), what still differs and which running proxies it reaches;
// then the manifest, ready for `kubectl apply -f -`.

const WIDTH = 100;

function comment(text: string, indent = ''): string[] {
  return wrap(text, WIDTH, `# ${indent}`, `# ${indent}  `);
}

function portText(port: number | undefined): string {
  return port === undefined ? 'all ports' : `port ${port}`;
}

export interface RenderInput {
  readonly request: GenerateRequest;
  readonly plan: PolicyPlan;
  readonly effects: PolicyEffects;
  readonly advisories: readonly string[];
  readonly meshNamespace: string;
}

function effectLines(effects: PolicyEffects, request: GenerateRequest, meshNamespace: string): string[] {
  const lines: string[] = ['# Effect, by the resolver (before → after):'];
  const { namespaceBefore: nb, namespaceAfter: na } = effects;
  lines.push(
    ...comment(
      nb.mode === na.mode && nb.source === na.source && nb.policy === na.policy
        ? `namespace level: ${na.mode} (${describeLevel(na)}), unchanged`
        : `namespace level: ${nb.mode} (${describeLevel(nb)}) → ${na.mode} (${describeLevel(na)})`,
      '  ',
    ),
  );
  if (request.namespace === meshNamespace && !request.selector)
    lines.push(...comment('a mesh-wide policy also sets the level of every namespace without a namespace-wide policy of its own', '  '));
  for (const c of effects.changes)
    lines.push(
      ...comment(
        `${formatWorkload(c.workload)} (${c.pods} pod${c.pods === 1 ? '' : 's'}) ${portText(c.port)}: ${c.before} → ${c.after}`,
        '  ',
      ),
    );
  if (effects.changes.length === 0) {
    lines.push(
      ...comment(
        effects.targetedPods === 0
          ? `no pods ${request.selector ? 'match the selector' : 'in the namespace'} yet: new pods get ${request.mode}`
          : 'no pod changes mode',
        '  ',
      ),
    );
  }
  return lines;
}

export function renderGenerated(input: RenderInput): string {
  const { request, plan, effects } = input;
  const lines: string[] = [
    ...comment(`meshward generate: ${describeRequest(request)}`),
    ...comment(`${plan.action === 'create' ? 'New policy' : plan.action === 'update' ? 'Update' : 'No change'}: ${plan.reason}.`),
    ...comment('Checked by the gate, as kubectl apply will be: allowed.'),
    ...effectLines(effects, request, input.meshNamespace),
  ];
  if (effects.holdouts.length > 0) {
    lines.push('# Still not ' + request.mode + ' (a more specific level decides):');
    for (const h of effects.holdouts)
      lines.push(...comment(`${formatWorkload(h.workload)} ${portText(h.port)} stays ${h.mode}: ${h.decidedBy}`, '  '));
  }
  if (effects.pushedTo.length > 0) {
    lines.push('# Running proxies get the change live, no restart (meshward status shows when each ACKed it):');
    for (const w of effects.pushedTo) lines.push(...comment(formatWorkload(w), '  '));
  }
  if (input.advisories.length > 0) {
    lines.push('# Gate advisories:');
    for (const a of input.advisories) lines.push(...comment(a, '  '));
  }
  return `${lines.join('\n')}\n${stringify(plan.object as KubeObject, { lineWidth: 0 })}`;
}
