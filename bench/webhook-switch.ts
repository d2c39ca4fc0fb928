import type { ControlPlane } from '../scripts/control-plane/control-plane.js';
import { readAdmissionsTotal, registerMeshwardWebhooks, unregisterMeshwardWebhooks } from '../scripts/control-plane/register-webhooks.js';
import type { KubeObject } from '../webhook/admission/types.js';

/** A webhook server the configurations can point at; it counts its answers on /metrics like meshward. */
export interface WebhookTarget {
  readonly url: string;
  readonly ca: string;
}

export interface WebhookSwitch {
  /** Points meshward's webhook configurations at a target (by name), or deletes them (undefined). */
  pointAt(target: string | undefined): Promise<void>;
}

/** /mutate and /validate calls a target has answered so far. */
export async function answeredCalls(t: WebhookTarget): Promise<readonly [number, number]> {
  const metrics = `${t.url}/metrics`;
  return [await readAdmissionsTotal(metrics, t.ca, 'mutate'), await readAdmissionsTotal(metrics, t.ca, 'validate')];
}

/**
 * A switch between webhook targets behind one API server. A switch returns once `probe` (a create
 * in the STRICT namespace, where both webhooks are called) reaches the chosen target's /mutate and
 * /validate and no other target: configurations take effect a moment after they are written, the
 * mutating and the validating one each on its own, and a phase must not measure a mix.
 */
export function webhookSwitch(
  controlPlane: ControlPlane,
  manifests: readonly KubeObject[],
  targets: Readonly<Record<string, WebhookTarget>>,
  probe: () => Promise<void>,
): WebhookSwitch {
  const names = Object.keys(targets);
  const settledOn = (target: string | undefined) => async (): Promise<boolean> => {
    const before = await Promise.all(names.map((n) => answeredCalls(targets[n]!)));
    try {
      await probe();
    } catch {
      return false;
    }
    const after = await Promise.all(names.map((n) => answeredCalls(targets[n]!)));
    return names.every((n, i) => {
      const [m, v] = [after[i]![0] - before[i]![0], after[i]![1] - before[i]![1]];
      return n === target ? m > 0 && v > 0 : m === 0 && v === 0;
    });
  };
  return {
    async pointAt(target) {
      const settled = settledOn(target);
      if (target !== undefined) {
        const t = targets[target]!;
        await registerMeshwardWebhooks({ controlPlane, meshwardUrl: t.url, caBundlePem: t.ca, manifests, canary: settled });
        return;
      }
      await unregisterMeshwardWebhooks({ controlPlane, manifests });
      for (const deadline = Date.now() + 60_000; !(await settled());) {
        if (Date.now() > deadline) throw new Error('webhook configurations deleted, but the API server still calls a webhook after 60 s');
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}
