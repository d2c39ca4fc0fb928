// The one module through which meshward imports values from @kubernetes/client-node.
// Importing the package itself loads all 67 generated API classes and ~718 model modules
// (dist/config.js imports them statically): ~46 MB of RSS. The build replaces this module's
// output, dist/webhook/kube/client.js, with a tree-shaken esbuild bundle of exactly these exports
// (scripts/bundle-kube-client.mjs); tests run this source against the package itself. Add a value
// here before importing it anywhere else; `import type` from the package stays as it is (erased).
// meshward needs only KubeConfig (kubeconfig files, in-cluster tokens, exec plugins):
// kube/client-api.ts makes every call through it.
export { KubeConfig } from '@kubernetes/client-node';
