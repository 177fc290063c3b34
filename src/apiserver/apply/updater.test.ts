/**
 * Updater table cases ported from structured-merge-diff's merge tests (leaf_test.go,
 * set_test.go, key_test.go, multiple_appliers_test.go): a sequence of applies and updates by
 * named managers, then the live object and every manager's field set (in FieldsV1 form).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../api/json.ts';
import { ApplyConflictError } from './conflicts.ts';
import { toFieldsV1 } from './fields-v1.ts';
import type { Atom } from './schema.ts';
import { OpenApiSmdSchema } from './schema.ts';
import type { ManagedSets } from './updater.ts';
import { Updater } from './updater.ts';

const REF = (name: string): JsonObject => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });

const schemas: JsonObject = {
  leafFields: {
    type: 'object',
    properties: {
      numeric: { type: 'integer' },
      string: { type: 'string' },
      bool: { type: 'boolean' },
    },
  },
  sets: {
    type: 'object',
    properties: {
      list: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
    },
  },
  assoc: {
    type: 'object',
    properties: {
      list: {
        type: 'array',
        items: REF('myElement'),
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      },
    },
  },
  myElement: {
    type: 'object',
    properties: { name: { type: 'string' }, value: { type: 'integer' } },
  },
  // A Deployment-shaped schema: containers keyed by name, env keyed by name, atomic args.
  deploy: {
    type: 'object',
    properties: { spec: { ...REF('podSpec'), default: {} } },
  },
  podSpec: {
    type: 'object',
    required: ['containers'],
    properties: {
      replicas: { type: 'integer' },
      containers: {
        type: 'array',
        items: REF('container'),
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      },
    },
  },
  container: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      image: { type: 'string' },
      args: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' },
      env: {
        type: 'array',
        items: REF('env'),
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      },
    },
  },
  env: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } },
};

const smd = new OpenApiSmdSchema({ components: { schemas } });
const root = (name: string): Atom => smd.named(name);

type Op =
  | { apply: string; object: JsonObject; force?: boolean; conflicts?: readonly string[] }
  | { update: string; object: JsonObject };

interface Case {
  readonly name: string;
  readonly type: string;
  readonly ops: readonly Op[];
  readonly object: JsonObject;
  /** Expected field sets by manager, in FieldsV1 form. */
  readonly managed: Record<string, JsonObject>;
}

function run(c: Case): void {
  const updater = new Updater({ root: root(c.type), apiVersion: 'v1' });
  let live: JsonObject = {};
  let managers: ManagedSets = new Map();
  for (const op of c.ops) {
    if ('update' in op) {
      managers = updater.update(live, op.object, managers, op.update);
      live = op.object;
      continue;
    }
    try {
      const out = updater.apply(live, op.object, managers, op.apply, op.force ?? false);
      assert.equal(op.conflicts, undefined, 'expected conflicts');
      managers = out.managers;
      if (out.object !== undefined) live = out.object;
    } catch (err: unknown) {
      if (!(err instanceof ApplyConflictError) || op.conflicts === undefined) throw err;
      assert.deepEqual(
        err.conflicts.map((x) => `${x.manager}: ${x.path.map((p) => p.key).join(' ')}`),
        op.conflicts,
      );
    }
  }
  assert.deepEqual(live, c.object);
  const got: Record<string, JsonObject> = {};
  for (const [m, vs] of managers) got[m] = toFieldsV1(vs.set);
  assert.deepEqual(got, c.managed);
}

const cases: Case[] = [
  {
    name: 'leaf: apply_twice',
    type: 'leafFields',
    ops: [
      { apply: 'default', object: { numeric: 1, string: 'string' } },
      { apply: 'default', object: { numeric: 2, string: 'string', bool: false } },
    ],
    object: { numeric: 2, string: 'string', bool: false },
    managed: { default: { 'f:bool': {}, 'f:numeric': {}, 'f:string': {} } },
  },
  {
    name: 'leaf: apply_update_apply_no_conflict',
    type: 'leafFields',
    ops: [
      { apply: 'default', object: { numeric: 1, string: 'string' } },
      { update: 'controller', object: { numeric: 1, string: 'string', bool: true } },
      { apply: 'default', object: { numeric: 2, string: 'string' } },
    ],
    object: { numeric: 2, string: 'string', bool: true },
    managed: {
      default: { 'f:numeric': {}, 'f:string': {} },
      controller: { 'f:bool': {} },
    },
  },
  {
    name: 'leaf: apply_update_apply_with_conflict, then force',
    type: 'leafFields',
    ops: [
      { apply: 'default', object: { numeric: 1, string: 'string' } },
      { update: 'controller', object: { numeric: 1, string: 'controller string', bool: true } },
      {
        apply: 'default',
        object: { numeric: 2, string: 'user string' },
        conflicts: ['controller: f:string'],
      },
      { apply: 'default', object: { numeric: 2, string: 'user string' }, force: true },
    ],
    object: { numeric: 2, string: 'user string', bool: true },
    managed: {
      default: { 'f:numeric': {}, 'f:string': {} },
      controller: { 'f:bool': {} },
    },
  },
  {
    name: 'set: apply_update_apply_no_overlap (merge order)',
    type: 'sets',
    ops: [
      { apply: 'default', object: { list: ['a', 'c'] } },
      { update: 'controller', object: { list: ['a', 'b', 'c', 'd'] } },
      { apply: 'default', object: { list: ['a', 'aprime', 'c', 'cprime'] } },
    ],
    object: { list: ['a', 'b', 'aprime', 'c', 'd', 'cprime'] },
    managed: {
      default: { 'f:list': { 'v:"a"': {}, 'v:"aprime"': {}, 'v:"c"': {}, 'v:"cprime"': {} } },
      controller: { 'f:list': { 'v:"b"': {}, 'v:"d"': {} } },
    },
  },
  {
    name: 'associative: removing_obsolete_applied_structs',
    type: 'assoc',
    ops: [
      { apply: 'default', object: { list: [{ name: 'a', value: 1 }] } },
      { apply: 'default', object: { list: [{ name: 'b', value: 2 }] } },
    ],
    object: { list: [{ name: 'b', value: 2 }] },
    managed: {
      default: { 'f:list': { 'k:{"name":"b"}': { '.': {}, 'f:name': {}, 'f:value': {} } } },
    },
  },
  {
    name: 'multiple appliers: remove_one_keep_one',
    type: 'assoc',
    ops: [
      { apply: 'apply-one', object: { list: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } },
      { apply: 'apply-two', object: { list: [{ name: 'c' }, { name: 'd' }] } },
      { apply: 'apply-one', object: { list: [{ name: 'a' }] } },
    ],
    object: { list: [{ name: 'a' }, { name: 'c' }, { name: 'd' }] },
    managed: {
      'apply-one': { 'f:list': { 'k:{"name":"a"}': { '.': {}, 'f:name': {} } } },
      'apply-two': {
        'f:list': {
          'k:{"name":"c"}': { '.': {}, 'f:name': {} },
          'k:{"name":"d"}': { '.': {}, 'f:name': {} },
        },
      },
    },
  },
  {
    name: 'multiple appliers: same_value_no_conflict (two managers share a field)',
    type: 'assoc',
    ops: [
      { apply: 'apply-one', object: { list: [{ name: 'a', value: 0 }] } },
      { apply: 'apply-two', object: { list: [{ name: 'a', value: 0 }] } },
      // apply-one stops applying the value: apply-two still owns it, so it stays.
      { apply: 'apply-one', object: { list: [{ name: 'a' }] } },
    ],
    object: { list: [{ name: 'a', value: 0 }] },
    managed: {
      'apply-one': { 'f:list': { 'k:{"name":"a"}': { '.': {}, 'f:name': {} } } },
      'apply-two': {
        'f:list': { 'k:{"name":"a"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
      },
    },
  },
  {
    name: 'multiple appliers: change_value_yes_conflict',
    type: 'assoc',
    ops: [
      { apply: 'apply-one', object: { list: [{ name: 'a', value: 0 }] } },
      {
        apply: 'apply-two',
        object: { list: [{ name: 'a', value: 1 }] },
        conflicts: ['apply-one: f:list k:{"name":"a"} f:value'],
      },
    ],
    object: { list: [{ name: 'a', value: 0 }] },
    managed: {
      'apply-one': {
        'f:list': { 'k:{"name":"a"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
      },
    },
  },
  {
    name: 'containers merge by name; the other manager keeps its container',
    type: 'deploy',
    ops: [
      { apply: 'kubectl', object: { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
      {
        update: 'controller',
        object: {
          spec: {
            containers: [
              { name: 'web', image: 'nginx:1' },
              { name: 'sidecar', image: 'envoy' },
            ],
          },
        },
      },
      {
        apply: 'kubectl',
        object: { spec: { containers: [{ name: 'web', image: 'nginx:2', args: ['-v'] }] } },
      },
    ],
    object: {
      spec: {
        containers: [
          { name: 'web', image: 'nginx:2', args: ['-v'] },
          { name: 'sidecar', image: 'envoy' },
        ],
      },
    },
    managed: {
      kubectl: {
        'f:spec': {
          'f:containers': {
            'k:{"name":"web"}': { '.': {}, 'f:args': {}, 'f:image': {}, 'f:name': {} },
          },
        },
      },
      controller: {
        'f:spec': {
          'f:containers': { 'k:{"name":"sidecar"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
        },
      },
    },
  },
  {
    name: 'a field no longer applied is removed (env var)',
    type: 'deploy',
    ops: [
      {
        apply: 'kubectl',
        object: {
          spec: {
            replicas: 2,
            containers: [
              {
                name: 'web',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', value: '2' },
                ],
              },
            ],
          },
        },
      },
      {
        apply: 'kubectl',
        object: { spec: { containers: [{ name: 'web', env: [{ name: 'A', value: '1' }] }] } },
      },
    ],
    object: { spec: { containers: [{ name: 'web', env: [{ name: 'A', value: '1' }] }] } },
    managed: {
      kubectl: {
        'f:spec': {
          'f:containers': {
            'k:{"name":"web"}': {
              '.': {},
              'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
              'f:name': {},
            },
          },
        },
      },
    },
  },
  {
    name: 'an update takes the fields it changes; force takes them back',
    type: 'deploy',
    ops: [
      { apply: 'kubectl', object: { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } },
      {
        update: 'kubectl-set',
        object: { spec: { containers: [{ name: 'web', image: 'nginx:3' }] } },
      },
      {
        apply: 'kubectl',
        object: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } },
        conflicts: ['kubectl-set: f:spec f:containers k:{"name":"web"} f:image'],
      },
      {
        apply: 'kubectl',
        object: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } },
        force: true,
      },
    ],
    object: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } },
    managed: {
      kubectl: {
        'f:spec': {
          'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
        },
      },
    },
  },
];

describe('Updater (structured-merge-diff merge cases)', () => {
  for (const c of cases) {
    it(c.name, () => {
      run(c);
    });
  }
});
