// What node-cluster.ts hands the node's first process (inside.ts) and what it reports back: the
// only two messages between the two sides, as files in the node's directory.
import type { ControlPlaneBinaries } from '../control-plane/ensure-binaries.js';
import type { NodeLayout } from './node-config.js';

export interface NodeLaunch {
  readonly layout: NodeLayout;
  readonly controlPlaneBinaries: ControlPlaneBinaries;
  /** OCI image archives imported before the kubelet starts (the sandbox image among them). */
  readonly images: readonly string[];
}

/** Written to <dir>/ready.json once the node is Ready. */
export interface NodeReady {
  /** kube-apiserver's port on the node IP (reached from outside through <dir>/apiserver.sock). */
  readonly apiserverPort: number;
  /** The control plane's PKI files (pkiFilePaths layout). */
  readonly pkiDir: string;
}
