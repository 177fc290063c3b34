import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from './builtin-resources.ts';
import { ResourceRegistry } from './resource-registry.ts';

describe('ResourceRegistry', () => {
  const registry = new ResourceRegistry(builtinResources());

  it('finds kinds by URL path and by apiVersion/kind', () => {
    assert.equal(registry.byPath('', 'v1', 'pods')?.kind, 'Pod');
    assert.equal(registry.byPath('apps', 'v1', 'deployments')?.kind, 'Deployment');
    assert.equal(registry.byPath('apps', 'v1', 'pods'), undefined);
    assert.equal(registry.byKind('v1', 'Namespace')?.namespaced, false);
    assert.equal(registry.byKind('events.k8s.io/v1', 'Event')?.group, 'events.k8s.io');
  });

  it('lists group versions with the core group first', () => {
    const gvs = registry.groupVersions();
    assert.deepEqual(gvs[0], { group: '', version: 'v1' });
    assert.ok(gvs.some((gv) => gv.group === 'rbac.authorization.k8s.io'));
    assert.equal(new Set(gvs.map((gv) => `${gv.group}/${gv.version}`)).size, gvs.length);
  });

  it('refuses duplicate definitions', () => {
    const defs = builtinResources();
    assert.throws(
      () => new ResourceRegistry([...defs, defs[0]!]),
      /duplicate resource v1\/namespaces/,
    );
  });
});
