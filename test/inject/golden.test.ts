import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as toYaml } from 'yaml';
import type { KubeObject } from '../../webhook/admission/types.js';
import { buildCaptureRules } from '../../webhook/capture/rules.js';
import { captureSettingsFromAnnotations } from '../../webhook/capture/annotations.js';
import { captureRulesFromPodSpec } from '../../webhook/capture/pod-spec.js';
import { injectObject } from '../../webhook/inject/inject-objects.js';
import { proxyConfigFromPodSpec } from '../../webhook/inject/proxy-config-env.js';
import { podTemplateOf } from '../../webhook/inject/workloads.js';
import { parseManifests } from '../../webhook/kube/manifests.js';
import { validateEnvoyJson, type EnvoyDoc } from '../proxy/envoy-validator.js';
import { config, offlineDeps } from './inject-fixtures.js';

// Golden fixtures: testdata/<case>/input.yaml → expected.yaml (the injected objects) and
// expected-proxy.yaml (each injected pod's proxy files, decoded from meshward-init's env, so a
// bootstrap change reads as a diff). Regenerate with UPDATE_GOLDEN=1 and review the diff.
const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const cases = readdirSync(TESTDATA).sort();

function podSpecOf(object: KubeObject): { metadata?: any; spec?: any } | undefined {
  return object.kind === 'Pod' ? (object as any) : podTemplateOf(object)?.template;
}

/** The proxy files meshward-init would write, for each injected object (in order). */
function proxyFilesOf(outputs: readonly KubeObject[]): Array<{ index: number; files: Record<string, string> }> {
  return outputs.flatMap((object, index) => {
    const pod = podSpecOf(object);
    const injected = pod?.spec?.initContainers?.some(
      (c: any) => c.name === 'meshward-init' && c.env?.some((e: any) => e.name === 'MESHWARD_PROXY_CONFIG'),
    );
    return injected ? [{ index, files: proxyConfigFromPodSpec(pod!.spec) }] : [];
  });
}

describe('injector golden fixtures', () => {
  const rendered = new Map<string, KubeObject[]>();

  before(async () => {
    for (const name of cases) {
      const inputs = parseManifests(readFileSync(join(TESTDATA, name, 'input.yaml'), 'utf8'), name).map((s) => s.object);
      const deps = offlineDeps();
      const outputs: KubeObject[] = [];
      for (const object of inputs) outputs.push((await injectObject(object, deps)).object);
      rendered.set(name, outputs);
    }
  });

  const matchGolden = (name: string, fileName: string, text: string): void => {
    const file = join(TESTDATA, name, fileName);
    if (UPDATE || !existsSync(file)) {
      if (!UPDATE && process.env.CI === 'true') assert.fail(`${file} is missing; run UPDATE_GOLDEN=1 npm test and review it`);
      writeFileSync(file, text);
    }
    assert.equal(text, readFileSync(file, 'utf8'), `${name} differs from ${fileName} (UPDATE_GOLDEN=1 regenerates it)`);
  };

  for (const name of cases) {
    it(`${name}: matches expected.yaml and expected-proxy.yaml`, () => {
      const outputs = rendered.get(name)!;
      matchGolden(name, 'expected.yaml', outputs.map((o) => toYaml(o, { lineWidth: 0 })).join('---\n'));
      const proxies = proxyFilesOf(outputs).map(({ files }) =>
        Object.fromEntries(Object.entries(files).map(([file, text]) => [file, JSON.parse(text)])),
      );
      matchGolden(name, 'expected-proxy.yaml', proxies.map((p) => toYaml(p, { lineWidth: 0 })).join('---\n') || '# no injected pod\n');
    });
  }

  it('puts in meshward-init exactly the rules the capture generator produces for the pod', () => {
    let checked = 0;
    for (const outputs of rendered.values()) {
      for (const object of outputs) {
        const pod = podSpecOf(object);
        if (
          !pod?.metadata?.labels?.['meshward.io/injected'] ||
          !pod.spec.initContainers?.some((c: any) => c.name === 'meshward-init' && c.env)
        )
          continue;
        const fromSpec = captureRulesFromPodSpec(pod.spec);
        assert.ok(fromSpec.found, JSON.stringify(fromSpec));
        const settings = captureSettingsFromAnnotations(pod.metadata.annotations, config);
        assert.ok('settings' in settings);
        assert.deepEqual(fromSpec.rules, buildCaptureRules(settings.settings));
        checked++;
      }
    }
    assert.ok(checked >= 12, `checked ${checked} injected pods`);
  });

  it("passes every rendered bootstrap and SDS file through Envoy's own API validation", async function () {
    this.timeout(15 * 60_000); // the validator's first build compiles go-control-plane
    const docs: EnvoyDoc[] = [];
    for (const [name, outputs] of rendered) {
      for (const { index, files } of proxyFilesOf(outputs)) {
        for (const [file, json] of Object.entries(files)) docs.push({ name: `${name}#${index} ${file}`, json });
      }
    }
    assert.ok(docs.length >= 36, `${docs.length} documents`);
    const result = await validateEnvoyJson(docs);
    assert.deepEqual(result.errors, []);
    assert.ok(result.ok);
  });
});
