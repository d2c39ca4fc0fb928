import { pino } from 'pino';
import type { ClusterState } from './cluster-state.js';
import { InformerClusterState } from './informer-state.js';
import { loadKubeConfig } from './kube-client.js';

/**
 * A synced, read-only view of a live cluster for one-shot CLI commands (check, status,
 * generate); `close()` stops the watches so the process can exit.
 */
export async function openLiveClusterState(kubeconfigPath: string): Promise<ClusterState & { close(): Promise<void> }> {
  const state = new InformerClusterState(loadKubeConfig(kubeconfigPath), pino({ level: 'silent' }));
  try {
    await state.synced;
  } catch (err) {
    await state.stop();
    throw new Error(`cannot read namespaces and MeshTLSPolicies with ${kubeconfigPath || 'the default kubeconfig'}: ${(err as Error).message}`);
  }
  return Object.assign(state, { close: () => state.stop() });
}
