import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newPodInfo } from './pod-info.ts';
import { SchedulerCache } from './scheduler-cache.ts';
import { makeNode, makePod, podInfo } from './test-builders.ts';

const requestedCpu = (cache: SchedulerCache, node: string): number =>
  cache.nodeInfo(node)?.requested.milliCpu ?? Number.NaN;

describe('SchedulerCache', () => {
  test('assume counts a pod at once; the informer’s bound pod confirms it; forget then does nothing', () => {
    const cache = new SchedulerCache();
    cache.upsertNode(makeNode('n1'));
    cache.assume(podInfo('p', { cpu: '500m' }), 'n1');
    assert.equal(cache.isAssumed('default/p'), true);
    assert.equal(requestedCpu(cache, 'n1'), 500);
    cache.upsertPod(makePod('p', { cpu: '500m', nodeName: 'n1' }));
    assert.equal(cache.isAssumed('default/p'), false);
    assert.equal(requestedCpu(cache, 'n1'), 500, 'counted once');
    cache.forget('default/p');
    assert.equal(requestedCpu(cache, 'n1'), 500, 'a confirmed pod is not forgotten');
  });

  test('forget gives an assumed pod’s room back', () => {
    const cache = new SchedulerCache();
    cache.upsertNode(makeNode('n1'));
    cache.assume(podInfo('p', { cpu: '500m' }), 'n1');
    cache.forget('default/p');
    assert.equal(requestedCpu(cache, 'n1'), 0);
    assert.equal(cache.podCount, 0);
  });

  test('the API’s node wins over the assumed one', () => {
    const cache = new SchedulerCache();
    cache.upsertNode(makeNode('n1'));
    cache.upsertNode(makeNode('n2'));
    cache.assume(podInfo('p', { cpu: '1' }), 'n1');
    cache.upsertPod(makePod('p', { cpu: '1', nodeName: 'n2' }));
    assert.equal(requestedCpu(cache, 'n1'), 0);
    assert.equal(requestedCpu(cache, 'n2'), 1000);
  });

  test('pods of a node not seen yet wait for it; a deleted node keeps its pods until they go', () => {
    const cache = new SchedulerCache();
    cache.upsertPod(makePod('p', { cpu: '1', nodeName: 'late' }));
    assert.equal(cache.nodeInfos().length, 0, 'not schedulable before the Node exists');
    cache.upsertNode(makeNode('late'));
    assert.deepEqual(
      cache.nodeInfos().map((n) => n.name),
      ['late'],
    );
    assert.equal(requestedCpu(cache, 'late'), 1000);
    cache.removeNode('late');
    assert.equal(cache.nodeInfos().length, 0);
    cache.upsertNode(makeNode('late'));
    assert.equal(requestedCpu(cache, 'late'), 1000, 'its pods were kept');
    cache.removePod('default/p');
    assert.equal(requestedCpu(cache, 'late'), 0);
  });

  test('an updated pod is re-accounted, not added twice', () => {
    const cache = new SchedulerCache();
    cache.upsertNode(makeNode('n1'));
    cache.upsertPod(makePod('p', { cpu: '1', nodeName: 'n1' }));
    cache.upsertPod(makePod('p', { cpu: '2', nodeName: 'n1' }));
    assert.equal(requestedCpu(cache, 'n1'), 2000);
    assert.equal(cache.nodeInfo('n1')?.pods.size, 1);
    assert.equal(newPodInfo(makePod('x')).key, 'default/x');
  });
});
