import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResourceRegistry } from '../../api/resource-registry.ts';
import { builtinResources } from '../../api/builtin-resources.ts';
import { builtinStrategies } from '../../api/strategies/index.ts';
import { MemoryStore } from '../../storage/memory/memory-store.ts';
import { admitObject } from './admit-object.ts';
import { ResourceStore } from './resource-store.ts';

describe('ResourceStore.create', () => {
  it('answers with exactly the object a read gives back (resourceVersion last in metadata)', async () => {
    const store = new MemoryStore();
    const registry = new ResourceRegistry(builtinResources(builtinStrategies()));
    const resources = new ResourceStore({ store, admit: admitObject });
    for (const [group, plural, obj] of [
      [
        '',
        'configmaps',
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'a', namespace: 'ns', labels: { x: 'y' }, resourceVersion: '7' },
          data: { k: 'v' },
        },
      ],
      // A view stored as another kind (events.k8s.io Event as a core Event) goes through decode.
      [
        'events.k8s.io',
        'events',
        {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          metadata: { name: 'e', namespace: 'ns' },
          eventTime: '2026-12-07T17:00:00.000000Z',
          reportingController: 'c',
          reportingInstance: 'i',
          action: 'A',
          reason: 'R',
          type: 'Normal',
          regarding: { kind: 'Pod', name: 'p', namespace: 'ns' },
        },
      ],
    ] as const) {
      const def = registry.byPath(group, 'v1', plural);
      assert.ok(def);
      const created = await resources.create(def, structuredClone(obj));
      const read = await resources.get(def, 'ns', obj.metadata.name);
      assert.equal(JSON.stringify(created), JSON.stringify(read));
      const meta = created['metadata'] as Record<string, unknown>;
      assert.equal(Object.keys(meta).at(-1), 'resourceVersion');
      assert.notEqual(meta['resourceVersion'], '7');
    }
  });
});
