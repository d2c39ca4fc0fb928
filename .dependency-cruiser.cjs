// Import boundaries between the folders under webhook/ (and of scripts/images), checked by `npm test`
// (npm run deps:check).
// Each folder's README.md (or its main file's header) says what it owns and what it may import;
// these rules are the checked part of that.

const DOMAIN = '(identity|gate|inject|status|policy|pki|generate|dashboard|proxy|proxy-bootstrap|capture|xds)';

module.exports = {
  forbidden: [
    {
      name: 'pki-imports-only-config-admission',
      comment: 'pki is pure PKI: besides itself it imports only config and admission (types).',
      severity: 'error',
      from: { path: '^webhook/pki/' },
      to: { path: '^webhook/', pathNot: '^webhook/(pki|config|admission)/' },
    },
    {
      name: 'policy-imports-only-config-admission',
      comment: 'policy is the one mode resolver: besides itself it imports only config and admission (types).',
      severity: 'error',
      from: { path: '^webhook/policy/' },
      to: { path: '^webhook/', pathNot: '^webhook/(policy|config|admission)/' },
    },
    {
      name: 'kube-imports-no-domain',
      comment: 'kube reads and writes the cluster; it knows no domain folder (config is fine).',
      severity: 'error',
      from: { path: '^webhook/kube/' },
      to: { path: `^webhook/${DOMAIN}/` },
    },
    {
      name: 'identity-imports-kube-pki-config-metrics',
      comment: 'identity runs the controllers over kube and pki; besides itself: kube, pki, config, metrics (and server types).',
      severity: 'error',
      from: { path: '^webhook/identity/' },
      to: { path: '^webhook/', pathNot: '^webhook/(identity|kube|pki|config|metrics|server)/' },
    },
    {
      name: 'identity-imports-server-types-only',
      comment: 'identity may name server types, never run server code.',
      severity: 'error',
      from: { path: '^webhook/identity/' },
      to: { path: '^webhook/server/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'xds-imports',
      comment:
        'xds builds and serves proxy configuration: config, json, kube, kube runtime, policy, inject (pod facts), proxy, pki, metrics.',
      severity: 'error',
      from: { path: '^webhook/xds/' },
      to: { path: '^webhook/', pathNot: '^webhook/(xds|config|json|kube|policy|inject|proxy|pki|metrics|admission|capture)/' },
    },
    {
      name: 'proxy-imports',
      comment:
        "proxy renders Envoy configuration: besides itself, config, capture, template, and the authorization shapes' types (policy/authorization-types).",
      severity: 'error',
      from: { path: '^webhook/proxy/' },
      to: { path: '^webhook/', pathNot: '^webhook/(proxy|config|capture|template)/|^webhook/policy/authorization-types\\.ts$' },
    },
    {
      name: 'proxy-types-only-from-policy',
      comment: "proxy may name the policy resolver's output types, never run policy code.",
      severity: 'error',
      from: { path: '^webhook/proxy/' },
      to: { path: '^webhook/policy/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'proxy-bootstrap-imports',
      comment: "proxy-bootstrap publishes the proxy's static bootstrap: besides itself, config, kube (and kube runtime), proxy, metrics.",
      severity: 'error',
      from: { path: '^webhook/proxy-bootstrap/' },
      to: { path: '^webhook/', pathNot: '^webhook/(proxy-bootstrap|config|kube|proxy|metrics)/' },
    },
    {
      name: 'inject-not-gate-handlers',
      comment: "The injector never imports the gate's handler modules (rules and helpers are fine).",
      severity: 'error',
      from: { path: '^webhook/inject/' },
      to: { path: '^webhook/gate/(gate-handler|handle-[^/]+)\\.ts$' },
    },
    {
      name: 'gate-not-inject-handler',
      comment: "The gate never imports the injector's handler module (it re-renders through inject-pod.ts).",
      severity: 'error',
      from: { path: '^webhook/gate/' },
      to: { path: '^webhook/inject/handler\\.ts$' },
    },
    {
      name: 'images-imports',
      comment:
        'scripts/images builds the container images: besides itself only repoRoot (scripts/control-plane/ensure-binaries.ts) and the command entry helper; no webhook code.',
      severity: 'error',
      from: { path: '^scripts/images/' },
      to: {
        path: '^(webhook|scripts|test|bench)/',
        pathNot: '^scripts/images/|^scripts/control-plane/ensure-binaries\\.ts$|^scripts/cli-entry\\.ts$',
      },
    },
    {
      name: 'node-imports',
      comment:
        'scripts/node runs a kubelet node: besides itself the control-plane harness, the images and the Go tool builder; no webhook or test code.',
      severity: 'error',
      from: { path: '^scripts/node/' },
      to: { path: '^(webhook|scripts|test|bench)/', pathNot: '^scripts/(node|control-plane|images)/|^scripts/go-tool\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'No module imports itself through others.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-test-imports-in-webhook',
      comment: 'Production code never imports from test/.',
      severity: 'error',
      from: { path: '^webhook/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
