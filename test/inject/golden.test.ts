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
import { podTemplateOf } from '../../webhook/inject/workloads.js';
import { parseManifests } from '../../webhook/kube/manifests.js';
import { config, offlineDeps } from './inject-fixtures.js';

// Golden fixtures: testdata/<case>/input.yaml → expected.yaml (the injected objects). The proxy's
// configuration is not in the pod any more (a static bootstrap in a ConfigMap, the rest over xDS):
// its own golden file is test/proxy/testdata/static-bootstrap.yaml. Regenerate with UPDATE_GOLDEN=1
// and review the diff.
const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const cases = readdirSync(TESTDATA).sort();

function podSpecOf(object: KubeObject): { metadata?: any; spec?: any } | undefined {
  return object.kind === 'Pod' ? (object as any) : podTemplateOf(object)?.template;
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
    it(`${name}: matches expected.yaml`, () => {
      const outputs = rendered.get(name)!;
      matchGolden(name, 'expected.yaml', outputs.map((o) => toYaml(o, { lineWidth: 0 })).join('---\n'));
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
});
