import { pino } from 'pino';
import { ClusterUnavailableError, type ClusterState } from './cluster-state.js';

const SYNC_TIMEOUT_MS = 15_000;
import { InformerClusterState } from './informer-state.js';
import { loadKubeConfig } from './kube-client.js';

/**
 * A synced, read-only view of a live cluster for one-shot CLI commands (check, status,
 * generate); `close()` stops the watches so the process can exit.
 */
export async function openLiveClusterState(kubeconfigPath: string): Promise<ClusterState & { close(): Promise<void> }> {
  const state = new InformerClusterState(loadKubeConfig(kubeconfigPath), pino({ level: 'silent' }));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(state.lastError ?? new Error(`no answer within ${SYNC_TIMEOUT_MS / 1000} s`)), SYNC_TIMEOUT_MS);
  });
  try {
    await Promise.race([state.synced, timeout]);
  } catch (err) {
    await state.stop();
    throw new ClusterUnavailableError(`namespaces and MeshTLSPolicies with ${kubeconfigPath || 'the default kubeconfig'}`, err);
  } finally {
    clearTimeout(timer);
  }
  return Object.assign(state, { close: () => state.stop() });
}
