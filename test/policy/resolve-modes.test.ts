import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildConfig } from '../../webhook/config/load.js';
import type { MeshwardConfig, MtlsMode, ResolvedMode } from '../../webhook/config/types.js';
import type { MeshTLSPolicy } from '../../webhook/policy/mesh-tls-policy.js';
import {
  modeForPort,
  resolveMeshLevel,
  resolveNamespaceLevel,
  resolveWorkloadModes,
  type ModeSource,
} from '../../webhook/policy/resolve-modes.js';

// The mesh default is PERMISSIVE out of the box; these cases resolve under a STRICT one unless they say otherwise.
const strictConfig: MeshwardConfig = buildConfig({ flags: { 'self-signed': true }, file: { mesh: { defaultMode: 'STRICT' } } });
const permissiveConfig: MeshwardConfig = buildConfig({ flags: { 'self-signed': true }, file: { mesh: { defaultMode: 'PERMISSIVE' } } });

function mesh(mode: MtlsMode, name = 'mesh', creationTimestamp?: string): MeshTLSPolicy {
  return { namespace: 'meshward-system', name, mode, portLevelMtls: [], ...(creationTimestamp ? { creationTimestamp } : {}) };
}
function nsWide(mode: MtlsMode, name = 'default', creationTimestamp?: string): MeshTLSPolicy {
  return { namespace: 'shop', name, mode, portLevelMtls: [], ...(creationTimestamp ? { creationTimestamp } : {}) };
}
function workload(
  mode: MtlsMode,
  selector: Record<string, string>,
  ports: Record<number, MtlsMode> = {},
  name = 'web',
  creationTimestamp?: string,
): MeshTLSPolicy {
  return {
    namespace: 'shop',
    name,
    mode,
    selector,
    portLevelMtls: Object.entries(ports).map(([port, m]) => ({ port: Number(port), mode: m })),
    ...(creationTimestamp ? { creationTimestamp } : {}),
  };
}

interface Case {
  name: string;
  config?: MeshwardConfig;
  meshPolicies?: MeshTLSPolicy[];
  namespacePolicies?: MeshTLSPolicy[];
  labels?: Record<string, string>;
  ports?: number[];
  workload: [ResolvedMode, ModeSource, string?];
  portModes?: Array<[number, ResolvedMode, ModeSource, string?]>;
}

const WEB = { app: 'web', tier: 'front' };

const cases: Case[] = [
  { name: 'no policies: the mesh default (STRICT)', workload: ['STRICT', 'mesh-default'] },
  { name: 'no policies: a PERMISSIVE mesh default', config: permissiveConfig, workload: ['PERMISSIVE', 'mesh-default'] },
  {
    name: 'mesh-wide policy overrides the default',
    meshPolicies: [mesh('PERMISSIVE')],
    workload: ['PERMISSIVE', 'mesh-wide', 'meshward-system/mesh'],
  },
  { name: 'mesh-wide UNSET inherits the default', meshPolicies: [mesh('UNSET')], workload: ['STRICT', 'mesh-default'] },
  {
    name: 'a selector policy in the mesh namespace is not mesh-wide',
    meshPolicies: [{ ...mesh('DISABLE'), selector: { app: 'web' } }],
    workload: ['STRICT', 'mesh-default'],
  },
  {
    name: 'namespace-wide overrides mesh-wide',
    meshPolicies: [mesh('PERMISSIVE')],
    namespacePolicies: [nsWide('STRICT')],
    workload: ['STRICT', 'namespace', 'shop/default'],
  },
  {
    name: 'namespace-wide DISABLE overrides a STRICT default',
    namespacePolicies: [nsWide('DISABLE')],
    workload: ['DISABLE', 'namespace', 'shop/default'],
  },
  {
    name: 'namespace-wide UNSET inherits mesh-wide',
    meshPolicies: [mesh('PERMISSIVE')],
    namespacePolicies: [nsWide('UNSET')],
    workload: ['PERMISSIVE', 'mesh-wide', 'meshward-system/mesh'],
  },
  {
    name: 'namespace-wide UNSET under no mesh-wide inherits the default',
    config: permissiveConfig,
    namespacePolicies: [nsWide('UNSET')],
    workload: ['PERMISSIVE', 'mesh-default'],
  },
  {
    name: 'workload policy overrides namespace-wide',
    namespacePolicies: [nsWide('PERMISSIVE'), workload('STRICT', { app: 'web' })],
    workload: ['STRICT', 'workload', 'shop/web'],
  },
  {
    name: 'workload UNSET inherits namespace-wide',
    namespacePolicies: [nsWide('PERMISSIVE'), workload('UNSET', { app: 'web' })],
    workload: ['PERMISSIVE', 'namespace', 'shop/default'],
  },
  {
    name: 'workload UNSET, namespace UNSET, mesh-wide DISABLE',
    meshPolicies: [mesh('DISABLE')],
    namespacePolicies: [nsWide('UNSET'), workload('UNSET', { app: 'web' })],
    workload: ['DISABLE', 'mesh-wide', 'meshward-system/mesh'],
  },
  {
    name: 'a non-matching selector does not apply',
    namespacePolicies: [workload('DISABLE', { app: 'api' })],
    workload: ['STRICT', 'mesh-default'],
  },
  {
    name: 'a selector needs every label',
    namespacePolicies: [workload('DISABLE', { app: 'web', version: 'v2' })],
    workload: ['STRICT', 'mesh-default'],
  },
  {
    name: 'port-level entries override the workload mode; other ports keep it',
    namespacePolicies: [workload('STRICT', { app: 'web' }, { 8080: 'PERMISSIVE', 9090: 'DISABLE' })],
    ports: [8080, 8443, 9090],
    workload: ['STRICT', 'workload', 'shop/web'],
    portModes: [
      [8080, 'PERMISSIVE', 'port', 'shop/web'],
      [8443, 'STRICT', 'workload', 'shop/web'],
      [9090, 'DISABLE', 'port', 'shop/web'],
    ],
  },
  {
    name: 'a port UNSET inherits the workload mode, which inherits the namespace',
    namespacePolicies: [nsWide('PERMISSIVE'), workload('UNSET', { app: 'web' }, { 8080: 'UNSET', 9090: 'STRICT' })],
    ports: [8080],
    workload: ['PERMISSIVE', 'namespace', 'shop/default'],
    portModes: [
      [8080, 'PERMISSIVE', 'namespace', 'shop/default'],
      [9090, 'STRICT', 'port', 'shop/web'],
    ],
  },
  {
    name: 'port entries for undeclared ports are still resolved (apps may listen undeclared)',
    namespacePolicies: [workload('STRICT', { app: 'web' }, { 9000: 'PERMISSIVE' })],
    ports: [],
    workload: ['STRICT', 'workload', 'shop/web'],
    portModes: [[9000, 'PERMISSIVE', 'port', 'shop/web']],
  },
  {
    name: 'ports without entries and without a workload policy take the namespace level',
    namespacePolicies: [nsWide('PERMISSIVE')],
    ports: [8080, 8080, 80],
    workload: ['PERMISSIVE', 'namespace', 'shop/default'],
    portModes: [
      [80, 'PERMISSIVE', 'namespace', 'shop/default'],
      [8080, 'PERMISSIVE', 'namespace', 'shop/default'],
    ],
  },
  {
    name: 'two namespace-wide policies: the oldest wins (deterministic)',
    namespacePolicies: [nsWide('DISABLE', 'young', '2026-03-01T00:00:00Z'), nsWide('PERMISSIVE', 'old', '2026-01-01T00:00:00Z')],
    workload: ['PERMISSIVE', 'namespace', 'shop/old'],
  },
  {
    name: 'two mesh-wide policies: the oldest wins',
    meshPolicies: [mesh('DISABLE', 'b', '2026-03-01T00:00:00Z'), mesh('PERMISSIVE', 'a', '2026-03-01T00:00:00Z')],
    workload: ['PERMISSIVE', 'mesh-wide', 'meshward-system/a'],
  },
  {
    name: 'two matching workload policies: the oldest wins and only its port entries count',
    namespacePolicies: [
      workload('PERMISSIVE', { app: 'web' }, { 8080: 'DISABLE' }, 'newer', '2026-02-01T00:00:00Z'),
      workload('STRICT', { tier: 'front' }, { 9090: 'PERMISSIVE' }, 'older', '2026-01-01T00:00:00Z'),
    ],
    ports: [8080],
    workload: ['STRICT', 'workload', 'shop/older'],
    portModes: [
      [8080, 'STRICT', 'workload', 'shop/older'],
      [9090, 'PERMISSIVE', 'port', 'shop/older'],
    ],
  },
];

describe('resolveWorkloadModes: mesh default → mesh-wide → namespace → workload → port', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = resolveWorkloadModes({
        config: c.config ?? strictConfig,
        meshPolicies: c.meshPolicies ?? [],
        namespacePolicies: c.namespacePolicies ?? [],
        podLabels: c.labels ?? WEB,
        ports: c.ports ?? [],
      });
      const [mode, source, policy] = c.workload;
      assert.equal(result.workloadMode, mode);
      assert.deepEqual(result.workload, { mode, source, ...(policy ? { policy } : {}) });
      assert.deepEqual(
        result.ports,
        (c.portModes ?? []).map(([port, m, s, pol]) => ({ port, mode: m, source: s, ...(pol ? { policy: pol } : {}) })),
      );
    });
  }

  it('modeForPort falls back to the workload level for unlisted ports', () => {
    const result = resolveWorkloadModes({
      config: strictConfig,
      meshPolicies: [],
      namespacePolicies: [workload('PERMISSIVE', { app: 'web' }, { 8080: 'STRICT' })],
      podLabels: WEB,
      ports: [],
    });
    assert.equal(modeForPort(result, 8080).mode, 'STRICT');
    assert.equal(modeForPort(result, 1234).mode, 'PERMISSIVE');
  });

  it('in the mesh namespace the selector-less policy counts once, as mesh-wide', () => {
    const meshPolicies = [mesh('PERMISSIVE')];
    const level = resolveNamespaceLevel({ config: strictConfig, meshPolicies, namespacePolicies: meshPolicies });
    assert.deepEqual(level, { mode: 'PERMISSIVE', source: 'mesh-wide', policy: 'meshward-system/mesh' });
    assert.deepEqual(
      resolveMeshLevel({ config: strictConfig, meshPolicies: [nsWide('DISABLE')] }),
      { mode: 'STRICT', source: 'mesh-default' },
      'policies of other namespaces are never mesh-wide',
    );
  });

  it('is independent of input order', () => {
    const policies = [
      nsWide('PERMISSIVE', 'a', '2026-01-01T00:00:00Z'),
      nsWide('DISABLE', 'b', '2026-01-01T00:00:00Z'),
      workload('STRICT', { app: 'web' }, { 80: 'DISABLE' }),
    ];
    const forward = resolveWorkloadModes({
      config: strictConfig,
      meshPolicies: [],
      namespacePolicies: policies,
      podLabels: { app: 'api' },
      ports: [80],
    });
    const backward = resolveWorkloadModes({
      config: strictConfig,
      meshPolicies: [],
      namespacePolicies: [...policies].reverse(),
      podLabels: { app: 'api' },
      ports: [80],
    });
    assert.deepEqual(forward, backward);
    assert.equal(forward.workloadMode, 'PERMISSIVE');
  });
});

describe('the STRICT namespace label is a floor under every level', () => {
  const modes: MtlsMode[] = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];
  const mode = fc.constantFrom(...modes);
  const portEntries = fc.dictionary(fc.constantFrom('80', '8080', '9090'), mode);
  const policies = fc.record({
    meshMode: fc.option(mode, { nil: undefined }),
    nsMode: fc.option(mode, { nil: undefined }),
    workload: fc.option(fc.record({ mode, ports: portEntries }), { nil: undefined }),
  });

  it('resolves every port of every pod STRICT, whatever the policies and the mesh default, and records what it overrode', () => {
    fc.assert(
      fc.property(policies, fc.boolean(), fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { maxLength: 4 }), (p, permissive, ports) => {
        const set = {
          config: permissive ? permissiveConfig : strictConfig,
          meshPolicies: p.meshMode ? [mesh(p.meshMode)] : [],
          namespacePolicies: [
            ...(p.nsMode ? [nsWide(p.nsMode)] : []),
            ...(p.workload
              ? [workload(p.workload.mode, WEB, Object.fromEntries(Object.entries(p.workload.ports).map(([k, v]) => [Number(k), v])))]
              : []),
          ],
          podLabels: WEB,
          ports,
        };
        const floored = resolveWorkloadModes({ ...set, namespaceStrict: true });
        const plain = resolveWorkloadModes(set);
        assert.equal(floored.workloadMode, 'STRICT');
        assert.deepEqual(
          floored.ports.map((x) => x.port),
          plain.ports.map((x) => x.port),
        );
        floored.ports.forEach((level, i) => {
          assert.equal(level.mode, 'STRICT');
          const before = plain.ports[i]!;
          if (before.mode === 'STRICT') assert.deepEqual(level, before, 'a STRICT port keeps its source');
          else
            assert.deepEqual(
              [level.source, level.overrides?.mode, level.overrides?.policy],
              ['namespace-label', before.mode, before.policy],
            );
        });
        assert.equal(resolveNamespaceLevel({ ...set, namespaceStrict: true }).mode, 'STRICT');
      }),
      { numRuns: 500 },
    );
  });
});
