import type { KubeConfig } from '@kubernetes/client-node';

/** A KubeConfig for a plain-HTTP API server stand-in on loopback, bearer token "t". */
export function localKubeConfig(kc: KubeConfig, url: string): KubeConfig {
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}
