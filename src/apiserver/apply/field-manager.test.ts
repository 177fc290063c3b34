/**
 * The kube-apiserver layer of field management (FieldManager) over the shipped apps/v1 and v1
 * schemas: Update entries on create/update, untracked objects, resets, subresources, the cap
 * of Update entries, conflict messages, last-applied upgrade and before-first-apply.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../api/json.ts';
import { ApplyConflictError } from './conflicts.ts';
import { FieldManager } from './field-manager.ts';
import { resetFieldsFilter } from './endpoint-field-manager.ts';
import { LAST_APPLIED_ANNOTATION } from './last-applied.ts';
import { shippedSmdSchemas } from './schema-registry.ts';
import { builtinResources } from '../../api/builtin-resources.ts';

type Json = Record<string, unknown>;

function clock(start = Date.UTC(2024, 0, 1)): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}

async function manager(kind: 'Deployment' | 'ConfigMap', subresource = ''): Promise<FieldManager> {
  const def = builtinResources().find((d) => d.kind === kind && d.group !== 'events.k8s.io');
  assert.ok(def);
  const root = await shippedSmdSchemas.forKind(def);
  const ignore = resetFieldsFilter(def, subresource);
  return new FieldManager({
    root,
    apiVersion: def.group === '' ? def.version : `${def.group}/${def.version}`,
    subresource,
    now: clock(),
    ...(ignore === undefined ? {} : { ignore }),
  });
}

const entries = (obj: JsonObject): Json[] =>
  ((obj['metadata'] as Json | undefined)?.['managedFields'] as Json[] | undefined) ?? [];

const deployment = (image: string, extra: Json = {}): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image }] },
    },
  },
  ...extra,
});

/** The object as stored after a create (uid set). */
function stored(obj: JsonObject): JsonObject {
  const copy = structuredClone(obj);
  (copy['metadata'] as Json)['uid'] = 'u-1';
  return copy;
}

describe('FieldManager.update', () => {
  it('records an Update entry on create, with "." on maps and items that did not exist', async () => {
    const fm = await manager('Deployment');
    const obj = deployment('nginx:1');
    fm.update(undefined, obj, 'kubectl-client-side-apply');
    assert.deepEqual(entries(obj), [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2024-01-01T00:00:01Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:resources': {} },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('changes nothing when the write changes nothing; takes changed fields from others', async () => {
    const fm = await manager('Deployment');
    const live = deployment('nginx:1');
    fm.update(undefined, live, 'creator');
    const same = structuredClone(live);
    fm.update(stored(live), same, 'other');
    assert.deepEqual(entries(same), entries(live));
    const changed = deployment('nginx:2', { metadata: structuredClone(live['metadata']) });
    fm.update(stored(live), changed, 'kubectl-set');
    const got = entries(changed);
    assert.deepEqual(
      got.map((e) => [e['manager'], e['time']]),
      [
        ['creator', '2024-01-01T00:00:01Z'],
        ['kubectl-set', '2024-01-01T00:00:02Z'],
      ],
    );
    assert.deepEqual(got[1]?.['fieldsV1'], {
      'f:spec': {
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } },
      },
    });
    assert.equal(JSON.stringify(got[0]?.['fieldsV1']).includes('f:image'), false);
  });

  it('leaves objects stored without managedFields untracked, and [] or [{}] clears them', async () => {
    const fm = await manager('ConfigMap');
    const live: JsonObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', uid: 'u' },
      data: { a: '1' },
    };
    const next = structuredClone(live);
    (next['data'] as Json)['b'] = '2';
    fm.update(live, next, 'kubectl-edit');
    assert.equal((next['metadata'] as Json)['managedFields'], undefined);
    const tracked = structuredClone(live);
    fm.update(undefined, tracked, 'creator');
    for (const reset of [[], [{}]]) {
      const cleared = structuredClone(tracked);
      (cleared['metadata'] as Json)['managedFields'] = reset;
      fm.update(tracked, cleared, 'kubectl-edit');
      assert.equal((cleared['metadata'] as Json)['managedFields'], undefined);
    }
  });

  it('status: records subresource status and only status fields; main ignores status', async () => {
    const fm = await manager('Deployment', 'status');
    const created = deployment('nginx:1');
    (await manager('Deployment')).update(undefined, created, 'creator');
    const live = stored(created);
    const next = { ...structuredClone(live), status: { replicas: 2 } };
    fm.update(live, next, 'kube-controller-manager');
    assert.deepEqual(entries(next)[1], {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: '2024-01-01T00:00:01Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:replicas': {} } },
      subresource: 'status',
    });
    const main = await manager('Deployment');
    const withStatus = { ...deployment('nginx:1'), status: { replicas: 2 } };
    main.update(undefined, withStatus, 'creator');
    assert.equal(JSON.stringify(entries(withStatus)).includes('f:status'), false);
  });

  it('caps Update entries at 10, merging the oldest into ancient-changes', async () => {
    const fm = await manager('ConfigMap');
    let obj: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    fm.update(undefined, obj, 'creator');
    for (let i = 0; i < 11; i++) {
      const next = structuredClone(obj);
      (next['metadata'] as Json)['uid'] = 'u';
      next['data'] = {
        ...((obj['data'] as Json | undefined) ?? {}),
        [`k${String(i)}`]: 'v',
      } as JsonObject;
      fm.update(obj, next, `m${String(i)}`);
      obj = next;
    }
    const got = entries(obj);
    assert.equal(got.length, 10);
    assert.deepEqual(got[0]?.['manager'], 'ancient-changes');
    assert.deepEqual(got[0]['fieldsV1'], { 'f:data': { '.': {}, 'f:k0': {}, 'f:k1': {} } });
    assert.equal(got[0]['time'], '2024-01-01T00:00:02Z');
    assert.deepEqual(
      got.slice(1).map((e) => e['manager']),
      ['m2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10'],
    );
  });
});

describe('FieldManager.apply', () => {
  it('creates with an Apply entry and reports conflicts as upstream words them', async () => {
    const fm = await manager('Deployment');
    const created = fm.apply(undefined, deployment('nginx:1'), 'kubectl', false).object;
    assert.deepEqual(
      entries(created).map((e) => [e['manager'], e['operation'], e['time']]),
      [['kubectl', 'Apply', '2024-01-01T00:00:01Z']],
    );
    const live = stored(created);
    const next = deployment('nginx:3', { metadata: structuredClone(live['metadata']) });
    (next['spec'] as Json)['replicas'] = 5;
    fm.update(live, next, 'kubectl-set');
    assert.throws(
      () => fm.apply(stored(next), deployment('nginx:2'), 'kubectl', false),
      (err: unknown) => {
        assert.ok(err instanceof ApplyConflictError);
        assert.equal(
          err.message,
          'Apply failed with 2 conflicts: conflicts with "kubectl-set" using apps/v1:\n' +
            '- .spec.replicas\n' +
            '- .spec.template.spec.containers[name="web"].image',
        );
        const status = err.toApiError().toStatus();
        assert.deepEqual((status['details'] as Json)['causes'], [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-set" using apps/v1',
            field: '.spec.replicas',
          },
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-set" using apps/v1',
            field: '.spec.template.spec.containers[name="web"].image',
          },
        ]);
        return true;
      },
    );
    const other = fm.apply(stored(created), deployment('nginx:1'), 'other', false).object;
    assert.throws(
      () => fm.apply(stored(other), deployment('nginx:9'), 'kubectl', false),
      /Apply failed with 1 conflict: conflict with "other": \.spec\.template\.spec\.containers\[name="web"\]\.image/,
    );
  });

  it('kubectl takes over fields recorded in the last-applied annotation and keeps it current', async () => {
    const fm = await manager('Deployment');
    const csa = deployment('nginx:1');
    const lastApplied = JSON.stringify(csa);
    (csa['metadata'] as Json)['annotations'] = { [LAST_APPLIED_ANNOTATION]: lastApplied };
    fm.update(undefined, csa, 'kubectl-client-side-apply');
    const live = stored(csa);
    assert.throws(
      () => fm.apply(live, deployment('nginx:2'), 'someone-else', false),
      ApplyConflictError,
    );
    const applied = fm.apply(live, deployment('nginx:2'), 'kubectl', false).object;
    const annotations = (applied['metadata'] as Json)['annotations'] as Json;
    const annotation = annotations[LAST_APPLIED_ANNOTATION] as string;
    assert.ok(annotation.endsWith('\n'));
    assert.deepEqual(JSON.parse(annotation), deployment('nginx:2'));
    assert.ok(annotation.startsWith('{"apiVersion":"apps/v1","kind":"Deployment","metadata":'));
    const csaEntry = entries(applied).find((e) => e['manager'] === 'kubectl-client-side-apply');
    assert.equal(JSON.stringify(csaEntry?.['fieldsV1']).includes('f:image'), false);
  });

  it('gives existing untracked fields to before-first-apply; a no-op apply stamps no time', async () => {
    const fm = await manager('ConfigMap');
    const live: JsonObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', uid: 'u' },
      data: { a: '1', b: '2' },
    };
    const out = fm.apply(
      live,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } },
      'x',
      false,
    ).object;
    assert.deepEqual(out['data'], { a: '1', b: '2' });
    assert.deepEqual(entries(out), [
      {
        manager: 'x',
        operation: 'Apply',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:a': {} } },
      },
      {
        manager: 'before-first-apply',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2024-01-01T00:00:01Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } },
      },
    ]);
  });
});
