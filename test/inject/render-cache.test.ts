import assert from 'node:assert/strict';
import { RenderCache } from '../../webhook/inject/render-cache.js';

describe('RenderCache', () => {
  const owner = {};

  it('renders once per owner and key; an undefined render is not kept', () => {
    const cache = new RenderCache<string>(4);
    let renders = 0;
    const render = (): string => `r${++renders}`;
    assert.equal(cache.get(owner, 'a', render), 'r1');
    assert.equal(cache.get(owner, 'a', render), 'r1');
    assert.equal(cache.get({}, 'a', render), 'r2', 'another owner renders its own');
    assert.equal(
      cache.get(owner, 'u', () => undefined),
      undefined,
    );
    assert.equal(cache.get(owner, 'u', render), 'r3');
  });

  it('keeps at most max entries per owner, dropping the oldest', () => {
    const cache = new RenderCache<string>(4);
    for (const key of ['a', 'b', 'c', 'd', 'e']) cache.get(owner, key, () => key);
    let rendered = false;
    cache.get(owner, 'a', () => ((rendered = true), 'a'));
    assert.ok(rendered, 'a was evicted');
    rendered = false;
    cache.get(owner, 'e', () => ((rendered = true), 'e'));
    assert.ok(!rendered, 'e is still there');
  });

  it('keeps an entry that is used while many others come and go', () => {
    const cache = new RenderCache<string>(8);
    cache.get(owner, 'hot', () => 'hot');
    for (let i = 0; i < 100; i++) {
      cache.get(owner, `cold-${i}`, () => 'cold');
      assert.equal(
        cache.get(owner, 'hot', () => 'rendered again'),
        'hot',
      );
    }
  });
});
