import type { KubeObject } from '../../webhook/admission/types.js';
import type { PortCounters } from '../../webhook/status/proxy-counters.js';
import type { ControlPlaneStates, ProxyTelemetry, ReplicaProxy } from '../../webhook/status/telemetry.js';
import { authorizationPolicy, mixedCluster, NOW } from './fixtures.js';

// A fake ProxyTelemetry (what the replicas and the proxies would answer) and the mixed cluster
// with its injected pods running, for the status tests of proxy state and counters.

/** `seconds` before NOW, as the replicas write times. */
export function ago(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString();
}

/** A proxy that ACKed everything it was sent (version v1 of Listener and Cluster). */
export function proxy(namespace: string, pod: string, changes: Partial<ReplicaProxy> = {}): ReplicaProxy {
  return {
    namespace,
    pod,
    connectedAt: ago(3600),
    upToDate: true,
    types: {
      Cluster: { sent: 'c1', sentAt: ago(3500), acked: 'c1' },
      Listener: { sent: 'l1', sentAt: ago(3500), acked: 'l1' },
    },
    ...changes,
  };
}

export function counters(
  port: string,
  mtls: number,
  plaintext: number,
  tlsPassthrough = 0,
  denials: { denied?: number; auditDenied?: number } = {},
): PortCounters {
  return { port, mtls, plaintext, tlsPassthrough, denied: denials.denied ?? 0, auditDenied: denials.auditDenied ?? 0 };
}

export class FakeTelemetry implements ProxyTelemetry {
  readonly counterReads: string[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    readonly states: ControlPlaneStates | Error,
    readonly podCounters: Readonly<Record<string, readonly PortCounters[] | Error>> = {},
  ) {}

  async controlPlaneStates(): Promise<ControlPlaneStates> {
    if (this.states instanceof Error) throw this.states;
    return this.states;
  }

  async inboundCounters(namespace: string, pod: string): Promise<PortCounters[]> {
    const key = `${namespace}/${pod}`;
    this.counterReads.push(key);
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 2));
      const answer = this.podCounters[key];
      if (answer instanceof Error) throw answer;
      if (!answer) throw new Error(`error trying to reach service: dial tcp: ${pod}:15090: connect: connection refused`);
      return [...answer];
    } finally {
      this.inFlight--;
    }
  }
}

/** Running and ready, as the kubelet reports a started pod. */
export function running(object: KubeObject): KubeObject {
  return { ...object, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
}

const LIVE = new Set(['web-5d8f7c-aaaaa', 'web-5d8f7c-bbbbb', 'db-0', 'cache-0']);

/** The mixed cluster with shop's web pods and payments' db-0 and cache-0 running (api stays Pending). */
export async function liveCluster(): Promise<KubeObject[]> {
  return (await mixedCluster()).map((o) => (LIVE.has(o.metadata?.name ?? '') ? running(o) : o));
}

export const NACK = "Error adding/updating listener(s) inbound: no certificate named 'meshward-certificate'";

/**
 * Two replicas: a serves web-aaaaa (current) and db-0 (rejected its Listener), b web-bbbbb (a
 * Listener sent 42 s ago, not ACKed). cache-0 runs, but no replica serves it.
 */
export function liveTelemetry(): FakeTelemetry {
  return new FakeTelemetry(
    {
      replicas: [
        {
          replica: 'meshward-7c9-a',
          proxies: [
            proxy('shop', 'web-5d8f7c-aaaaa'),
            proxy('payments', 'db-0', {
              upToDate: false,
              types: {
                Cluster: { sent: 'c1', sentAt: ago(60), acked: 'c1' },
                Listener: { sent: 'l2', sentAt: ago(60), acked: 'l1', nack: NACK, nackedVersion: 'l2' },
              },
            }),
          ],
        },
        {
          replica: 'meshward-7c9-b',
          proxies: [
            proxy('shop', 'web-5d8f7c-bbbbb', {
              upToDate: false,
              types: { Cluster: { sent: 'c1', sentAt: ago(600), acked: 'c1' }, Listener: { sent: 'l2', sentAt: ago(42), acked: 'l1' } },
            }),
          ],
        },
      ],
    },
    {
      'shop/web-5d8f7c-aaaaa': [counters('8080', 120, 3)],
      'shop/web-5d8f7c-bbbbb': new Error('no answer in 3s'),
      'payments/db-0': [counters('5432', 7, 0), counters('undeclared', 0, 1)],
      'payments/cache-0': [counters('6379', 40, 0, 2)],
    },
  );
}

/**
 * The live cluster with two MeshAuthorizationPolicies: shop/web-callers (Enforce) selects web's
 * 8080, payments/db-audit (Audit) selects db.
 */
export async function authorizationCluster(): Promise<KubeObject[]> {
  return [
    ...(await liveCluster()),
    authorizationPolicy('shop', 'web-callers', {
      selector: { matchLabels: { app: 'web' } },
      ports: [8080],
      allow: [
        { serviceAccounts: ['shop/frontend'] },
        { namespaces: ['pay'] },
        { identities: ['spiffe://partner.example/ns/etl/sa/loader'] },
      ],
    }),
    authorizationPolicy('payments', 'db-audit', {
      selector: { matchLabels: { app: 'db' } },
      allow: [{ serviceAccounts: ['payments/api'] }],
      enforcement: 'Audit',
    }),
  ];
}

/** liveTelemetry, with web-aaaaa's 8080 having refused 3 callers and db-0's 5432 letting 5 through under Audit. */
export function authorizationTelemetry(): FakeTelemetry {
  const live = liveTelemetry();
  return new FakeTelemetry(live.states, {
    ...live.podCounters,
    'shop/web-5d8f7c-aaaaa': [counters('8080', 120, 3, 0, { denied: 3 })],
    'payments/db-0': [counters('5432', 7, 0, 0, { auditDenied: 5 }), counters('undeclared', 0, 1)],
  });
}
