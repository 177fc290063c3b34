// After client-go's tools/cache index_test.go and thread_safe_store_test.go.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DeletedFinalStateUnknown,
  Indexer,
  NAMESPACE_INDEX,
  NODE_NAME_INDEX,
  byNamespace,
  byNodeName,
  deletionHandlingKey,
  metaNamespaceKey,
  splitMetaNamespaceKey,
} from './indexer.ts';
import type { IndexFunc } from './indexer.ts';

interface Pod {
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  spec?: { nodeName?: string };
}

const newPod = (
  namespace: string,
  name: string,
  nodeName?: string,
  labels?: Record<string, string>,
): Pod => ({
  metadata: { name, namespace, ...(labels === undefined ? {} : { labels }) },
  ...(nodeName === undefined ? {} : { spec: { nodeName } }),
});

/** client-go's testUsersIndexFunc-style multi-valued index. */
const byLabelValues: IndexFunc<Pod> = (p) => Object.values(p.metadata.labels ?? {});

const newIndexer = (): Indexer<Pod> =>
  new Indexer<Pod>({
    [NAMESPACE_INDEX]: byNamespace,
    [NODE_NAME_INDEX]: byNodeName,
    labels: byLabelValues,
  });

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name).sort();

describe('keys', () => {
  const cases = [
    { name: 'namespaced', obj: newPod('ns', 'a'), key: 'ns/a' },
    { name: 'cluster-scoped', obj: { metadata: { name: 'n1' } }, key: 'n1' },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.equal(metaNamespaceKey(c.obj), c.key);
      assert.equal(deletionHandlingKey(c.obj), c.key);
    });
  it('a tombstone keeps its key', () => {
    assert.equal(
      deletionHandlingKey(new DeletedFinalStateUnknown('ns/x', newPod('ns', 'y'))),
      'ns/x',
    );
  });
  it('splits keys', () => {
    assert.deepEqual(splitMetaNamespaceKey('ns/a'), { namespace: 'ns', name: 'a' });
    assert.deepEqual(splitMetaNamespaceKey('a'), { namespace: '', name: 'a' });
    assert.throws(() => splitMetaNamespaceKey('a/b/c'));
  });
  it('rejects objects without a name', () => {
    assert.throws(() => metaNamespaceKey({ metadata: {} }), TypeError);
  });
});

describe('Indexer', () => {
  it('adds, gets, updates and deletes by key', () => {
    const idx = newIndexer();
    idx.add(newPod('ns', 'a', 'n1'));
    idx.add(newPod('other', 'a', 'n2'));
    assert.equal(idx.size, 2);
    assert.equal(idx.getByKey('ns/a')?.spec?.nodeName, 'n1');
    idx.update(newPod('ns', 'a', 'n3'));
    assert.equal(idx.getByKey('ns/a')?.spec?.nodeName, 'n3');
    idx.delete(newPod('ns', 'a'));
    assert.equal(idx.getByKey('ns/a'), undefined);
    assert.deepEqual(idx.listKeys(), ['other/a']);
  });

  it('indexes by namespace and node, moving entries on update', () => {
    const idx = newIndexer();
    idx.add(newPod('ns1', 'a', 'n1'));
    idx.add(newPod('ns1', 'b', 'n2'));
    idx.add(newPod('ns2', 'c', 'n1'));
    idx.add(newPod('ns2', 'pending'));
    assert.deepEqual(names(idx.byIndex(NAMESPACE_INDEX, 'ns1')), ['a', 'b']);
    assert.deepEqual(names(idx.byIndex(NODE_NAME_INDEX, 'n1')), ['a', 'c']);
    assert.deepEqual(idx.listIndexFuncValues(NODE_NAME_INDEX).sort(), ['n1', 'n2']);
    // Rescheduled: leaves n1's entry, joins n2's.
    idx.update(newPod('ns1', 'a', 'n2'));
    assert.deepEqual(names(idx.byIndex(NODE_NAME_INDEX, 'n1')), ['c']);
    assert.deepEqual(names(idx.byIndex(NODE_NAME_INDEX, 'n2')), ['a', 'b']);
    idx.delete(newPod('ns2', 'c'));
    assert.deepEqual(idx.byIndex(NODE_NAME_INDEX, 'n1'), []);
    assert.deepEqual(idx.listIndexFuncValues(NODE_NAME_INDEX), ['n2']);
  });

  it('multi-valued indexes (index() matches any shared value)', () => {
    const idx = newIndexer();
    idx.add(newPod('ns', 'one', undefined, { a: 'ernie', b: 'bert' }));
    idx.add(newPod('ns', 'two', undefined, { a: 'bert', b: 'oscar' }));
    idx.add(newPod('ns', 'tre', undefined, { a: 'ernie', b: 'elmo' }));
    assert.deepEqual(names(idx.byIndex('labels', 'ernie')), ['one', 'tre']);
    assert.deepEqual(names(idx.byIndex('labels', 'bert')), ['one', 'two']);
    assert.deepEqual(
      names(idx.index('labels', newPod('ns', 'q', undefined, { x: 'elmo', y: 'oscar' }))),
      ['tre', 'two'],
    );
    idx.update(newPod('ns', 'one', undefined, { a: 'elmo' }));
    assert.deepEqual(names(idx.byIndex('labels', 'ernie')), ['tre']);
    assert.deepEqual(idx.indexKeys('labels', 'bert'), ['ns/two']);
  });

  it('replace swaps everything and rebuilds indexes', () => {
    const idx = newIndexer();
    idx.add(newPod('ns', 'old', 'n1'));
    idx.replace([newPod('ns', 'new', 'n2')]);
    assert.deepEqual(idx.listKeys(), ['ns/new']);
    assert.deepEqual(idx.byIndex(NODE_NAME_INDEX, 'n1'), []);
    assert.deepEqual(names(idx.byIndex(NODE_NAME_INDEX, 'n2')), ['new']);
  });

  it('addIndexers indexes what is already cached; unknown or duplicate names are errors', () => {
    const idx = new Indexer<Pod>();
    idx.add(newPod('ns', 'a', 'n1'));
    idx.addIndexers({ [NODE_NAME_INDEX]: byNodeName });
    assert.deepEqual(names(idx.byIndex(NODE_NAME_INDEX, 'n1')), ['a']);
    assert.throws(() => {
      idx.addIndexers({ [NODE_NAME_INDEX]: byNodeName });
    }, /conflict/);
    assert.throws(() => idx.byIndex('nope', 'x'), /does not exist/);
  });
});
