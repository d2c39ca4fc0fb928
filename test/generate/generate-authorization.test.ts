import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { KubeObject } from '../../webhook/admission/types.js';
import { checkObjects } from '../../webhook/gate/check-objects.js';
import { buildAuthorizationRequest, type AuthorizationRequest } from '../../webhook/generate/authorization-request.js';
import { generateAuthorization, type AuthorizationGenerateResult } from '../../webhook/generate/generate-authorization.js';
import { GenerateInputError } from '../../webhook/generate/request.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { authzObject } from '../policy/authorization-fixtures.js';
import { config } from '../status/fixtures.js';
import { cluster } from './fixtures.js';

// `meshward generate --allow-*`: plans the MeshAuthorizationPolicy over the namespace's current
// ones, asks the real gate, explains the effect. shop: PERMISSIVE namespace-wide, app=web STRICT.

function request(input: Partial<Parameters<typeof buildAuthorizationRequest>[0]>): AuthorizationRequest {
  return buildAuthorizationRequest({ selector: [], ports: [], allowNs: [], allowSa: [], allowId: [], audit: false, ...input });
}

async function generate(objects: KubeObject[], req: AuthorizationRequest): Promise<AuthorizationGenerateResult> {
  return generateAuthorization(req, { config, cluster: new StaticClusterState(objects) });
}

const WEB_8080 = { namespace: 'shop', selector: ['app=web'], ports: ['8080'] };
const existing = authzObject(
  'web-8080-authz',
  { selector: { matchLabels: { app: 'web' } }, ports: [8080], allow: [{ serviceAccounts: ['frontend/web'] }], enforcement: 'Enforce' },
  'shop',
  '2026-01-01T00:00:00Z',
);

describe('meshward generate --allow-* (generateAuthorization)', () => {
  it('creates a policy for a STRICT workload port, explains it, and check and the gate accept it', async () => {
    const objects = await cluster();
    const result = await generate(objects, request({ ...WEB_8080, allowSa: ['frontend/web'] }));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.plan.action, 'create');
    const object = parse(result.yaml) as KubeObject;
    assert.deepEqual(object, {
      apiVersion: 'meshward.io/v1alpha1',
      kind: 'MeshAuthorizationPolicy',
      metadata: { name: 'web-8080-authz', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        ports: [8080],
        allow: [{ serviceAccounts: ['frontend/web'] }],
        enforcement: 'Enforce',
      },
    });
    assert.match(result.yaml, /# +Deployment\/web \(2 pods\) port 8080: any identity of the mesh \(allow-mesh\) → 1 identity \(Enforce\)/);
    assert.match(result.yaml, /# Who may call port 8080 after this.*\n# {3}spiffe:\/\/cluster\.local\/ns\/frontend\/sa\/web\n/);
    assert.doesNotMatch(result.yaml, /port 9090:/, '9090 is not selected');
    assert.deepEqual(await checkObjects([object], { config, cluster: new StaticClusterState(objects) }), []);
  });

  it('adds callers to the policy that selects exactly that workload and port set, and changes nothing twice', async () => {
    const objects = [...(await cluster()), existing];
    const result = await generate(objects, request({ ...WEB_8080, allowNs: ['batch'], allowSa: ['frontend/web'] }));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.plan.action, 'update');
    assert.deepEqual((parse(result.yaml) as { spec: unknown }).spec, {
      selector: { matchLabels: { app: 'web' } },
      ports: [8080],
      allow: [{ serviceAccounts: ['frontend/web'] }, { namespaces: ['batch'] }],
      enforcement: 'Enforce',
    });
    const again = await generate(objects, request({ ...WEB_8080, allowSa: ['frontend/web'] }));
    assert.ok(again.ok);
    assert.equal(again.plan.action, 'unchanged');
    assert.match(again.yaml, /already admits these callers: nothing\s+(#\s+)?to change/);
  });

  it('switches the existing policy to Audit with --audit (same selection: no ambiguity)', async () => {
    const result = await generate([...(await cluster()), existing], request({ ...WEB_8080, allowSa: ['frontend/web'], audit: true }));
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual([result.plan.action, result.plan.policy.enforcement], ['update', 'Audit']);
  });

  it('refuses with the gate’s rule IDs: a PERMISSIVE namespace (MW-AUTHZ-002), an overlapping port set (MW-AUTHZ-003)', async () => {
    const permissive = await generate(await cluster(), request({ namespace: 'shop', allowSa: ['frontend/web'] }));
    assert.ok(!permissive.ok);
    assert.deepEqual(permissive.rules, ['MW-AUTHZ-002']);
    const overlap = await generate([...(await cluster()), existing], request({ ...WEB_8080, ports: ['8080', '9090'], allowNs: ['batch'] }));
    assert.ok(!overlap.ok);
    assert.deepEqual([overlap.rules, overlap.plan.action], [['MW-AUTHZ-003'], 'create']);
    assert.match(overlap.message, /shop\/web-8080-authz already selects app=web/);
  });

  it('a STRICT-labelled namespace needs no MeshTLSPolicy', async () => {
    const result = await generate(await cluster(), request({ namespace: 'payments', allowNs: ['shop'] }));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.plan.policy.name, 'default');
    assert.match(result.yaml, /no pods are selected yet: new pods get these callers/);
  });

  it('refuses callers the CRD would refuse, naming the flag; and a request without callers', () => {
    assert.throws(
      () => request({ namespace: 'shop', allowSa: ['web'] }),
      (err: unknown) => err instanceof GenerateInputError && /^--allow-sa: "web" is not "<namespace>\/<serviceaccount>"/.test(err.message),
    );
    assert.throws(() => request({ namespace: 'shop', allowId: ['web.frontend'] }), /--allow-id: "web.frontend" is not an exact SPIFFE ID/);
    assert.throws(() => request({ namespace: 'shop' }), /name the callers: --allow-sa/);
    assert.throws(() => request({ namespace: 'shop', allowNs: ['a'], ports: ['0'] }), /--port "0"/);
  });
});
