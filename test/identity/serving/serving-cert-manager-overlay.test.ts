import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ensureControlPlaneBinaries, repoRoot } from '../../../scripts/control-plane/ensure-binaries.js';
import { CONFIG_FIELDS } from '../../../webhook/config/fields.js';
import { buildConfig } from '../../../webhook/config/load.js';
import { servingDnsNames } from '../../../webhook/identity/serving/serving-settings.js';

type Obj = Record<string, any>;
const root = repoRoot();

async function kustomize(dir: string): Promise<Obj[]> {
  const { kubectl } = await ensureControlPlaneBinaries();
  return parseAllDocuments(execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8' })).map((d) => d.toJS() as Obj);
}
function find(objects: Obj[], kind: string, name: string): Obj {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  assert.ok(found, `${kind}/${name} is in the build`);
  return found;
}
function hours(duration: string): number {
  const m = /^([0-9]+)h$/.exec(duration);
  assert.ok(m, `duration ${duration} in hours`);
  return Number(m[1]);
}
/** The container's args as `meshward serve` parses them (the same flag table), into the real config. */
function serveConfig(args: readonly string[]): ReturnType<typeof buildConfig> {
  assert.equal(args[0], 'serve');
  const options = Object.fromEntries(
    CONFIG_FIELDS.filter((f) => f.flag).map((f) => [
      f.flag!,
      { type: f.kind.type === 'bool' ? ('boolean' as const) : ('string' as const) },
    ]),
  );
  const { values } = parseArgs({ args: [...args.slice(1)], options, strict: true });
  return buildConfig({ flags: values });
}

describe('identity: cert-manager overlay (kubectl kustomize, structure)', function () {
  this.timeout(120_000);
  let objects: Obj[];
  let base: Obj[];
  before(async () => {
    objects = await kustomize(join(root, 'manifests/overlays/cert-manager'));
    base = await kustomize(join(root, 'manifests/base'));
  });

  it('builds on top of the base: every base object is there, plus two Issuers and two Certificates', () => {
    for (const o of base)
      assert.ok(
        objects.some((x) => x.kind === o.kind && x.metadata.name === o.metadata.name),
        `${o.kind}/${o.metadata.name}`,
      );
    const added = objects
      .filter((o) => o.apiVersion === 'cert-manager.io/v1')
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    assert.deepEqual(added, [
      'Certificate/meshward-webhook-ca',
      'Certificate/meshward-webhook-tls',
      'Issuer/meshward-selfsigned',
      'Issuer/meshward-webhook-ca',
    ]);
  });

  it('chains self-signed → CA Certificate (key never rotated) → CA Issuer → serving Certificate', () => {
    const selfSigned = find(objects, 'Issuer', 'meshward-selfsigned');
    assert.deepEqual(selfSigned.spec, { selfSigned: {} });
    const caCert = find(objects, 'Certificate', 'meshward-webhook-ca');
    assert.equal(caCert.spec.isCA, true);
    assert.deepEqual(caCert.spec.issuerRef, { group: 'cert-manager.io', kind: 'Issuer', name: 'meshward-selfsigned' });
    assert.equal(caCert.spec.privateKey.rotationPolicy, 'Never');
    const caIssuer = find(objects, 'Issuer', 'meshward-webhook-ca');
    assert.equal(caIssuer.spec.ca.secretName, caCert.spec.secretName);
    const serving = find(objects, 'Certificate', 'meshward-webhook-tls');
    assert.deepEqual(serving.spec.issuerRef, { group: 'cert-manager.io', kind: 'Issuer', name: 'meshward-webhook-ca' });
    assert.ok(hours(caCert.spec.duration) > hours(serving.spec.duration) * 10, 'the CA outlives many serving certificates');
    for (const o of [selfSigned, caCert, caIssuer, serving]) assert.equal(o.metadata.namespace, 'meshward-system');
  });

  it('the serving Certificate matches self-managed mode: the Service names, ECDSA P-256, renewed at 2/3 of its lifetime', () => {
    const service = find(objects, 'Service', 'meshward');
    const serving = find(objects, 'Certificate', 'meshward-webhook-tls').spec;
    assert.deepEqual(serving.dnsNames, servingDnsNames(service.metadata.name, service.metadata.namespace));
    assert.deepEqual(serving.privateKey, { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' });
    assert.equal(hours(serving.renewBefore) * 3, hours(serving.duration));
    assert.ok(serving.usages.includes('server auth'));
    assert.equal(serving.secretName, buildConfig({ flags: { 'self-signed': true } }).serving.secretName);
  });

  it('both webhook configurations get their caBundle injected from that Certificate, and call the Service it names', () => {
    const serving = find(objects, 'Certificate', 'meshward-webhook-tls');
    for (const [kind, name] of [
      ['MutatingWebhookConfiguration', 'meshward-injector'],
      ['ValidatingWebhookConfiguration', 'meshward-gate'],
    ]) {
      const config = find(objects, kind!, name!);
      assert.equal(config.metadata.annotations['cert-manager.io/inject-ca-from'], `${serving.metadata.namespace}/${serving.metadata.name}`);
      assert.ok(config.webhooks.length > 0);
      for (const w of config.webhooks) {
        assert.equal(w.clientConfig.caBundle, undefined, `${w.name}: no static caBundle`);
        assert.equal(`${w.clientConfig.service.name}.${w.clientConfig.service.namespace}.svc`, serving.spec.dnsNames[0]);
      }
    }
  });

  it('meshward runs with serving.mode=files, reading the Secret cert-manager writes from its mount', () => {
    const deployment = find(objects, 'Deployment', 'meshward');
    const pod = deployment.spec.template.spec;
    const container = pod.containers.find((c: Obj) => c.name === 'meshward');
    const config = serveConfig(container.args);
    assert.equal(config.serving.mode, 'files');
    const volume = pod.volumes.find(
      (v: Obj) => v.secret?.secretName === find(objects, 'Certificate', 'meshward-webhook-tls').spec.secretName,
    );
    assert.ok(volume, 'the Certificate Secret is mounted');
    const mount = container.volumeMounts.find((m: Obj) => m.name === volume.name);
    assert.equal(dirname(config.server.certFile), mount.mountPath);
    assert.equal(dirname(config.server.keyFile), mount.mountPath);
    const baseContainer = find(base, 'Deployment', 'meshward').spec.template.spec.containers[0];
    assert.equal(serveConfig(baseContainer.args).serving.mode, 'self-managed', 'the base keeps the default');
  });
});
