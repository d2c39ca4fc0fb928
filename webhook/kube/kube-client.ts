import { KubeConfig } from './client.js';

/**
 * In-cluster config, else the given kubeconfig, else $KUBECONFIG / ~/.kube/config. In a pod
 * (KUBERNETES_SERVICE_HOST/PORT set by the kubelet) the user is client-node's tokenFile provider
 * over the projected ServiceAccount token: it re-reads the file when its copy is a minute old, so
 * the kubelet's rotation of the bound token (hourly) is picked up without a restart.
 * `serviceAccountRoot` prefixes /var/run/secrets/kubernetes.io/serviceaccount (tests).
 */
export function loadKubeConfig(kubeconfigPath: string, serviceAccountRoot = ''): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster(serviceAccountRoot);
  else kc.loadFromDefault();
  return kc;
}
