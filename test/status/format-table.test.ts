import assert from 'node:assert/strict';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { buildStatus } from '../../webhook/status/build-status.js';
import { formatStatusTable, TABLE_WIDTH } from '../../webhook/status/format-table.js';
import { CONFIG_HASH, config, mixedCluster, NOW, templates } from './fixtures.js';

describe('formatStatusTable', () => {
  it('wraps long names and messages within 100 columns', async () => {
    const objects = await mixedCluster();
    const long = structuredClone(objects.find((o) => o.metadata?.name === 'batch')!);
    long.metadata!.name = `batch-${'x'.repeat(120)}`;
    const report = await buildStatus({
      config,
      cluster: new StaticClusterState([...objects, long]),
      currentTemplateHash: templates.hash,
      currentConfigHash: CONFIG_HASH,
      now: NOW,
    });
    const text = formatStatusTable(report);
    assert.ok(
      text.split('\n').every((l) => [...l].length <= TABLE_WIDTH),
      text,
    );
    assert.match(text, /trust root unknown \(not checked\)/);
  });
});
