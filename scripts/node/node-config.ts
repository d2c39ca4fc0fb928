// The node's configuration files, rendered from one NodeLayout (pure: paths and addresses in, text
// out). Each setting that differs from a stock node is one this machine needs: cgroup v1 without
// systemd, no CAP_SYS_RESOURCE, no uplink, and everything under the node's own directories.
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';

export interface NodeLayout {
  /** The node's working directory (state of containerd, the kubelet, CNI; logs; kubeconfigs). */
  readonly dir: string;
  /** The built node binaries (containerd, runc, CNI plugins...). */
  readonly binDir: string;
  readonly nodeName: string;
  /** The bridge's address: the node IP, the API server's address, cluster DNS. */
  readonly nodeIp: string;
  /** The pod network, on the bridge (e.g. 10.88.0.0/16). */
  readonly podCidr: string;
  /** A cgroup (in every v1 hierarchy) that holds every pod's cgroup, created and removed by the harness. */
  readonly cgroupRoot: string;
  readonly clientCaFile: string;
  readonly sandboxImage: string;
}

export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
export const CLUSTER_DOMAIN = 'cluster.local';

export function nodePaths(dir: string): {
  containerdConfig: string;
  containerdRoot: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeletConfig: string;
  kubeletRoot: string;
  kubeProxyConfig: string;
} {
  return {
    containerdConfig: join(dir, 'containerd.toml'),
    containerdRoot: join(dir, 'containerd'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    cniIpamDir: join(dir, 'cni', 'ipam'),
    kubeletConfig: join(dir, 'kubelet.yaml'),
    kubeletRoot: join(dir, 'kubelet'),
    kubeProxyConfig: join(dir, 'kube-proxy.yaml'),
  };
}

export function containerdConfig(layout: NodeLayout): string {
  const paths = nodePaths(layout.dir);
  const q = (s: string): string => JSON.stringify(s);
  return [
    'version = 4',
    `root = ${q(paths.containerdRoot)}`,
    `state = ${q('/run/containerd')}`,
    // The default also reads /etc/containerd/conf.d: nothing of the host's may configure this node.
    'imports = []',
    '',
    '[grpc]',
    `  address = ${q(CONTAINERD_SOCKET)}`,
    '',
    "[plugins.'io.containerd.cri.v1.runtime']",
    // Root here lacks CAP_SYS_RESOURCE: without this every sandbox fails to lower its oom_score_adj.
    '  restrict_oom_score_adj = true',
    "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]",
    "  runtime_type = 'io.containerd.runc.v2'",
    "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]",
    `  BinaryName = ${q(join(layout.binDir, 'runc'))}`,
    '  SystemdCgroup = false',
    "[plugins.'io.containerd.cri.v1.runtime'.cni]",
    `  bin_dirs = [${q(layout.binDir)}]`,
    `  conf_dir = ${q(paths.cniConfDir)}`,
    '',
    "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
    // Imported from a local archive: there is no registry to pull from.
    `  sandbox = ${q(layout.sandboxImage)}`,
    '',
  ].join('\n');
}

export function cniConfig(layout: NodeLayout): string {
  const paths = nodePaths(layout.dir);
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'meshward-node',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          // No uplink: pods reach only the node and each other.
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: paths.cniIpamDir,
            ranges: [[{ subnet: layout.podCidr, gateway: layout.nodeIp }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export function kubeletConfig(layout: NodeLayout): string {
  return toYaml({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: layout.nodeIp,
    // cgroup v1 is refused by default since 1.35; this machine has no cgroup v2-only mode.
    failCgroupV1: false,
    // PID 1 is not systemd.
    cgroupDriver: 'cgroupfs',
    cgroupRoot: layout.cgroupRoot,
    // The kubelet cannot lower its own oom_score_adj without CAP_SYS_RESOURCE.
    oomScoreAdj: 0,
    failSwapOn: false,
    resolvConf: '',
    clusterDNS: [layout.nodeIp],
    clusterDomain: CLUSTER_DOMAIN,
    readOnlyPort: 0,
    containerRuntimeEndpoint: `unix://${CONTAINERD_SOCKET}`,
    authentication: { x509: { clientCAFile: layout.clientCaFile }, webhook: { enabled: false }, anonymous: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    // A test machine's disk and memory are not the node's to guard; imported images must never be collected.
    evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    // ConfigMap and projected volumes refresh within seconds, not a minute.
    syncFrequency: '10s',
    nodeStatusUpdateFrequency: '4s',
    shutdownGracePeriod: '0s',
  });
}

export function kubeProxyConfig(layout: NodeLayout, kubeconfig: string): string {
  return toYaml({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig },
    hostnameOverride: layout.nodeName,
    bindAddress: layout.nodeIp,
    clusterCIDR: layout.podCidr,
    mode: 'iptables',
    // Pods share one bridge: without SNAT a reply from a Service's pod would bypass the node's NAT.
    iptables: { masqueradeAll: true },
    // conntrack limits are host-wide, not the node's to change.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    metricsBindAddress: '127.0.0.1:10249',
    healthzBindAddress: '127.0.0.1:10256',
  });
}
