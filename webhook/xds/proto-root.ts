// The protobufjs Root holding Envoy's v3 API: every message the control plane sends or reads, parsed
// from the .proto files @grpc/grpc-js-xds ships (Envoy, xDS, googleapis, protoc-gen-validate) plus
// protobufjs' own google/protobuf/*. Loaded once, lazily: parsing takes about a tenth of a second,
// which only the process that actually serves xDS (or a test) should pay.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf, { type Root, type Type } from 'protobufjs';

/**
 * The files to parse (their imports come along). Every "@type" the renderers write must be a
 * message of one of these: webhook/proxy/envoy-fragments.ts TYPES and templates/envoy-bootstrap.yaml.
 */
export const ENVOY_PROTO_FILES: readonly string[] = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/health_check/v3/health_check.proto',
  'envoy/extensions/filters/http/buffer/v3/buffer.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'google/rpc/status.proto',
];

/** Where imports are looked up, in order. Found through module resolution, never relative to cwd. */
export function protoIncludeDirs(): string[] {
  const require = createRequire(import.meta.url);
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  return [
    ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d)),
    // google/protobuf/descriptor.proto (validate.proto imports it); the other well-known types are
    // bundled inside protobufjs and never reach resolvePath.
    dirname(require.resolve('protobufjs/package.json')),
  ];
}

let loaded: { root: Root; millis: number } | undefined;

/** The Root, parsed on first use. A missing import is an error here, not a hole found at encode time. */
export function envoyRoot(): Root {
  loaded ??= load();
  return loaded.root;
}

/** How long the one load took (ms); undefined before the first envoyRoot(). */
export function envoyRootLoadMillis(): number | undefined {
  return loaded?.millis;
}

function load(): { root: Root; millis: number } {
  const started = performance.now();
  const dirs = protoIncludeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string): string => {
    for (const dir of dirs) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    // protobufjs silently skips an import resolvePath cannot find; a half-loaded API is worse.
    throw new Error(`proto import ${target} not found under ${dirs.join(', ')}`);
  };
  root.loadSync([...ENVOY_PROTO_FILES], { keepCase: true });
  root.resolveAll();
  return { root, millis: performance.now() - started };
}

/** The message type a type URL names (type.googleapis.com/<full name>), or undefined. */
export function messageType(typeUrl: string): Type | undefined {
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  if (name === '' || !/^[A-Za-z_][\w.]*$/.test(name)) return undefined;
  const found = envoyRoot().lookup(`.${name}`);
  return found instanceof protobuf.Type ? found : undefined;
}
