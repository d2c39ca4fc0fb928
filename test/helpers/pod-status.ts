// The kubelet's part where no kubelet runs: a pod's status as a kubelet would report it once the
// pod got an IP and every container is running and ready.

interface ContainerLike {
  readonly name: string;
  readonly image: string;
}

export function runningPodStatus(
  spec: { containers: readonly ContainerLike[]; initContainers?: readonly ContainerLike[] },
  ip: string,
): object {
  const ready = (c: ContainerLike): object => ({
    name: c.name,
    ready: true,
    restartCount: 0,
    image: c.image,
    imageID: '',
    started: true,
    state: { running: {} },
  });
  const now = new Date().toISOString();
  return {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    hostIP: '172.30.0.1',
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
      type,
      status: 'True',
      lastTransitionTime: now,
    })),
    containerStatuses: spec.containers.map(ready),
    initContainerStatuses: (spec.initContainers ?? []).map(ready),
  };
}
