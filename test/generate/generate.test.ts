import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { KubeObject } from '../../webhook/admission/types.js';
import { buildConfig } from '../../webhook/config/load.js';
import { checkObjects } from '../../webhook/gate/check-objects.js';
import { generatePolicy, type GenerateResult } from '../../webhook/generate/generate-policy.js';
import { buildRequest, GenerateInputError, type GenerateRequest } from '../../webhook/generate/request.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { parseMeshTLSPolicy, parseStoredPolicies } from '../../webhook/policy/parse-policy.js';
import { modeForPort, resolveWorkloadModes } from '../../webhook/policy/resolve-modes.js';
import { config, policy } from '../status/fixtures.js';
import { cluster } from './fixtures.js';

// `meshward generate`: plans over the current policies, asks the real gate, explains the effect.

function request(input: { namespace: string; selector?: string[]; ports?: string[]; mode: string; name?: string }): GenerateRequest {
  return buildRequest({ selector: [], ports: [], ...input });
}

async function generate(objects: KubeObject[], req: GenerateRequest): Promise<GenerateResult> {
  return generatePolicy(req, { config, cluster: new StaticClusterState(objects) });
}

function applied(objects: readonly KubeObject[], yaml: string): KubeObject[] {
  const object = parse(yaml) as KubeObject;
  return [
    ...objects.filter(
      (o) =>
        !(o.kind === 'MeshTLSPolicy' && o.metadata?.namespace === object.metadata?.namespace && o.metadata?.name === object.metadata?.name),
    ),
    object,
  ];
}

function resolvedPort(objects: readonly KubeObject[], ns: string, labels: Record<string, string>, port: number): string {
  const policies = parseStoredPolicies(objects.filter((o) => o.kind === 'MeshTLSPolicy')).policies;
  const modes = resolveWorkloadModes({
    config,
    meshPolicies: [],
    namespacePolicies: policies.filter((p) => p.namespace === ns),
    podLabels: labels,
    ports: [port],
  });
  return modeForPort(modes, port).mode;
}

describe('meshward generate (generatePolicy)', () => {
  it('updates the existing namespace-wide policy in place (same name) rather than adding a second one', async () => {
    const objects = await cluster();
    const result = await generate(objects, request({ namespace: 'shop', mode: 'STRICT' }));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.plan.action, 'update');
    const object = parse(result.yaml) as KubeObject;
    assert.deepEqual(object, {
      apiVersion: 'meshward.io/v1alpha1',
      kind: 'MeshTLSPolicy',
      metadata: { name: 'shop-wide', namespace: 'shop' },
      spec: { mode: 'STRICT' },
    });
    const after = applied(objects, result.yaml);
    assert.equal(
      after.filter((o) => o.kind === 'MeshTLSPolicy' && !(o.spec as { selector?: unknown }).selector).length,
      1,
      'still one namespace-wide policy',
    );
    assert.deepEqual(await checkObjects([object], { config, cluster: new StaticClusterState(objects) }), []);
    assert.equal(resolvedPort(after, 'shop', { app: 'legacy' }, 8080), 'STRICT');
  });

  it('reuses the policy with the identical selector for a port, keeping its own mode', async () => {
    const objects = await cluster();
    const result = await generate(objects, request({ namespace: 'shop', selector: ['app=web'], ports: ['8080'], mode: 'PERMISSIVE' }));
    assert.ok(result.ok, JSON.stringify(result));
    const object = parse(result.yaml) as KubeObject;
    assert.equal(object.metadata?.name, 'web-policy');
    assert.deepEqual(object.spec, {
      selector: { matchLabels: { app: 'web' } },
      mode: 'STRICT',
      portLevelMtls: { '8080': { mode: 'PERMISSIVE' } },
    });
    const after = applied(objects, result.yaml);
    assert.equal(resolvedPort(after, 'shop', { app: 'web' }, 8080), 'PERMISSIVE');
    assert.equal(resolvedPort(after, 'shop', { app: 'web' }, 9090), 'STRICT');
  });

  it('explains the effect in comments: workload, port, before → after, the proxies it reaches live, advisories', async () => {
    const result = await generate(
      await cluster(),
      request({ namespace: 'shop', selector: ['app=web'], ports: ['8080'], mode: 'PERMISSIVE' }),
    );
    assert.ok(result.ok);
    const comments = result.yaml
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join('\n');
    assert.match(comments, /^# meshward generate: namespace shop, selector app=web, port 8080 → PERMISSIVE$/m);
    assert.match(comments, /updates shop\/web-policy \(the policy with selector app=web\) in place/);
    assert.match(comments, /namespace level: PERMISSIVE \(namespace-wide policy shop\/shop-wide\), unchanged/);
    assert.match(comments, /^# {3}Deployment\/web \(2 pods\) port 8080: STRICT → PERMISSIVE$/m);
    assert.doesNotMatch(comments, /port 9090/, 'ports that do not change are not listed');
    assert.match(comments, /^# Running proxies get the change live, no restart/m);
    assert.doesNotMatch(comments, /rollout restart/);
    assert.match(comments, /\[MW-ADVISE-001\] shop\/web-policy spec\.portLevelMtls\["8080"\]\.mode: PERMISSIVE accepts plaintext/);
    assert.ok(result.yaml.split('\n').every((l) => l.length <= 100));
  });

  it('creates a workload policy with a derived name when none has the selector, and names what still differs', async () => {
    const objects = await cluster([policy('shop', 'legacy-mtls', { selector: { matchLabels: { app: 'other' } }, mode: 'STRICT' })]);
    const result = await generate(objects, request({ namespace: 'shop', selector: ['app=legacy'], mode: 'DISABLE' }));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.plan.action, 'create');
    assert.equal(result.plan.policy.name, 'legacy-mtls-2', 'a taken name is not reused');
    assert.match(result.yaml, /Pod\/legacy \(1 pod\) port 8080: PERMISSIVE → DISABLE/);
    const holdout = await generate(await cluster(), request({ namespace: 'shop', mode: 'DISABLE' }));
    assert.ok(holdout.ok);
    assert.match(holdout.yaml, /Still not DISABLE[\s\S]*Deployment\/web port 8080 stays STRICT: workload policy shop\/web-policy/);
  });

  it('says when nothing changes', async () => {
    const result = await generate(await cluster(), request({ namespace: 'shop', selector: ['app=web'], mode: 'STRICT' }));
    assert.ok(result.ok);
    assert.equal(result.plan.action, 'unchanged');
    assert.match(result.yaml, /No change: shop\/web-policy .* already says this/);
    assert.match(result.yaml, /no pod changes mode/);
  });

  it('refuses, with the gate rule ID, a non-STRICT mode in a STRICT namespace (MW-POLICY-001)', async () => {
    const result = await generate(
      await cluster(),
      request({ namespace: 'payments', selector: ['app=db'], ports: ['5432'], mode: 'PERMISSIVE' }),
    );
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.deepEqual(result.rules, ['MW-POLICY-001']);
    assert.match(
      result.message,
      /\[MW-POLICY-001\] spec\.portLevelMtls\["5432"\]\.mode: PERMISSIVE would accept plaintext in STRICT namespace payments/,
    );
  });

  it('refuses an overlapping selector with a different mode (MW-AMBIG-002), but not a disjoint one', async () => {
    const overlap = await generate(await cluster(), request({ namespace: 'shop', selector: ['tier=front'], mode: 'DISABLE' }));
    assert.ok(!overlap.ok);
    assert.deepEqual(overlap.rules, ['MW-AMBIG-002']);
    assert.match(overlap.message, /overlaps shop\/web-policy/);
    const disjoint = await generate(
      await cluster(),
      request({ namespace: 'shop', selector: ['app=batch', 'tier=front'], mode: 'DISABLE' }),
    );
    assert.ok(disjoint.ok, JSON.stringify(disjoint));
  });

  it('refuses a --name that would be a second namespace-wide policy (MW-AMBIG-001)', async () => {
    const result = await generate(await cluster(), request({ namespace: 'shop', mode: 'STRICT', name: 'another' }));
    assert.ok(!result.ok);
    assert.deepEqual(result.rules, ['MW-AMBIG-001']);
  });

  it('needs a selector for a port, a known mode and an existing namespace', async () => {
    assert.throws(
      () => request({ namespace: 'shop', ports: ['8080'], mode: 'STRICT' }),
      (err: Error) => err instanceof GenerateInputError && /--port needs --selector/.test(err.message),
    );
    assert.throws(() => request({ namespace: 'shop', mode: 'UNSET' }), /--mode "UNSET": use STRICT, PERMISSIVE, DISABLE/);
    assert.throws(() => request({ namespace: 'shop', selector: ['app'], mode: 'STRICT' }), /write key=value/);
    assert.throws(() => request({ namespace: 'shop', selector: ['app=web'], ports: ['0'], mode: 'STRICT' }), /from 1 to 65535/);
    assert.equal(request({ namespace: 'shop', mode: 'strict' }).mode, 'STRICT');
    await assert.rejects(generate(await cluster(), request({ namespace: 'ghost', mode: 'STRICT' })), /namespace ghost not found/);
  });

  it('prints YAML that parses as a MeshTLSPolicy the gate accepts as a manifest', async () => {
    // A port-only policy leaves spec.mode UNSET, which the gate accepts in a STRICT namespace only
    // when it inherits STRICT: the mesh default says so here.
    const strictMesh = buildConfig({ file: { mesh: { defaultMode: 'STRICT' } } });
    const objects = await cluster();
    const req = request({ namespace: 'payments', selector: ['app=db'], ports: ['5432'], mode: 'STRICT' });
    const result = await generatePolicy(req, { config: strictMesh, cluster: new StaticClusterState(objects) });
    assert.ok(result.ok);
    const object = parse(result.yaml) as KubeObject;
    const parsed = parseMeshTLSPolicy(object);
    assert.deepEqual([parsed.name, parsed.mode, parsed.portLevelMtls], ['db-mtls', 'UNSET', [{ port: 5432, mode: 'STRICT' }]]);
    assert.deepEqual(await checkObjects([object], { config: strictMesh, cluster: new StaticClusterState(objects) }), []);
  });
});
