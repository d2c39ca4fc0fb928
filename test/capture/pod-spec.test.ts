import assert from 'node:assert/strict';
import { captureRulesFromPodSpec, initContainerEnv, ipv6FromShared, type PodSpecLike } from '../../webhook/capture/pod-spec.js';
import { buildCaptureRules } from '../../webhook/capture/rules.js';
import type { CaptureSettings } from '../../webhook/capture/settings.js';

const SETTINGS: CaptureSettings = {
  proxyUid: 1337,
  proxyGid: 1337,
  inboundPorts: 'all',
  excludeInboundPorts: [9000],
  excludeOutboundPorts: [],
  excludeOutboundCidrs: ['10.96.0.0/12'],
  includeOutboundCidrs: '*',
  ipv4: true,
  ipv6: true,
};

type EnvList = NonNullable<NonNullable<PodSpecLike['initContainers']>[number]['env']>;
const podSpec = (env: EnvList, name = 'meshward-init'): PodSpecLike => ({
  initContainers: [
    { name: 'other-init', env: [] },
    { name, env },
  ],
});

describe('capture rules in the pod spec', () => {
  it('carries one rule set for both families when the IPv6 rules are the IPv4 ones with IPv6 loopback addresses', () => {
    const rules = buildCaptureRules({ ...SETTINGS, excludeOutboundCidrs: [] });
    assert.equal(ipv6FromShared(rules.ipv4), rules.ipv6);
    assert.deepEqual(initContainerEnv(rules), [{ name: 'MESHWARD_IPTABLES', value: rules.ipv4 }]);
    const spec = JSON.parse(JSON.stringify(podSpec(initContainerEnv(rules))));
    assert.deepEqual(captureRulesFromPodSpec(spec), { found: true, rules });
    const both = captureRulesFromPodSpec(podSpec([...initContainerEnv(rules), { name: 'MESHWARD_IPTABLES_V6', value: rules.ipv6 }]));
    assert.deepEqual(both, { found: false, reason: 'meshward-init env: MESHWARD_IPTABLES is set together with per-family rules' });
  });

  it('puts each family in its own env var of meshward-init, as literal values, when CIDRs make them differ', () => {
    const rules = buildCaptureRules(SETTINGS);
    assert.deepEqual(initContainerEnv(rules), [
      { name: 'MESHWARD_IPTABLES_V4', value: rules.ipv4 },
      { name: 'MESHWARD_IPTABLES_V6', value: rules.ipv6 },
    ]);
  });

  it('leaves out a family with no rules', () => {
    const env = initContainerEnv(buildCaptureRules({ ...SETTINGS, ipv6: false }));
    assert.deepEqual(
      env.map((e) => e.name),
      ['MESHWARD_IPTABLES_V4'],
    );
  });

  it('reads back exactly what the generator produced (round trip through JSON, as via the API server)', () => {
    for (const settings of [SETTINGS, { ...SETTINGS, ipv4: false }, { ...SETTINGS, ipv6: false }]) {
      const rules = buildCaptureRules(settings);
      const spec = JSON.parse(JSON.stringify(podSpec([{ name: 'UNRELATED', value: 'x' }, ...initContainerEnv(rules)])));
      assert.deepEqual(captureRulesFromPodSpec(spec), { found: true, rules });
    }
  });

  it('detects a spec whose rules differ from the generator', () => {
    const rules = buildCaptureRules(SETTINGS);
    const tampered = initContainerEnv(rules).map((e) => ({ ...e, value: e.value.replace('--dport 9000 -j RETURN\n', '') }));
    const back = captureRulesFromPodSpec(podSpec(tampered));
    assert.ok(back.found);
    assert.notDeepEqual(back.rules, rules);
  });

  it('reports no rules when meshward-init is missing, or when a rule var is duplicated or uses valueFrom', () => {
    assert.deepEqual(captureRulesFromPodSpec(undefined), { found: false, reason: 'no meshward-init in spec.initContainers' });
    assert.equal(captureRulesFromPodSpec(podSpec([], 'istio-init')).found, false);
    const dup = captureRulesFromPodSpec(
      podSpec([
        { name: 'MESHWARD_IPTABLES_V4', value: 'a' },
        { name: 'MESHWARD_IPTABLES_V4', value: 'b' },
      ]),
    );
    assert.deepEqual(dup, { found: false, reason: 'meshward-init env: MESHWARD_IPTABLES_V4 is set 2 times' });
    const ref = captureRulesFromPodSpec(
      podSpec([{ name: 'MESHWARD_IPTABLES_V6', valueFrom: { configMapKeyRef: { name: 'x', key: 'y' } } }]),
    );
    assert.deepEqual(ref, { found: false, reason: 'meshward-init env: MESHWARD_IPTABLES_V6 uses valueFrom; it must be a literal value' });
  });
});
