import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFieldError } from './field-error.ts';
import { validateLabelSelector } from './labels.ts';
import { nameIsDNSSubdomain, nameIsUnconstrained, nameValidatorFor } from './name-validators.ts';
import type { ObjectMetaInput } from './object-meta.ts';
import { validateObjectMeta } from './object-meta.ts';
import type { ObjectMetaUpdateInput } from './object-meta-update.ts';
import { validateObjectMetaUpdate } from './object-meta-update.ts';

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const pod = { requiresNamespace: true, validateName: nameIsDNSSubdomain };
const node = { requiresNamespace: false, validateName: nameIsDNSSubdomain };

const messages = (meta: ObjectMetaInput, opts = pod): string[] =>
  validateObjectMeta(meta, opts).map(formatFieldError);

describe('validateObjectMeta (upstream ValidateObjectMetaAccessor)', () => {
  const cases: { name: string; meta: ObjectMetaInput; opts?: typeof pod; want: string[] }[] = [
    { name: 'valid', meta: { name: 'a.b-c', namespace: 'default' }, want: [] },
    {
      name: 'invalid name',
      meta: { name: 'A_b', namespace: 'default' },
      want: [`metadata.name: Invalid value: "A_b": ${SUBDOMAIN}`],
    },
    {
      name: 'missing name and generateName',
      meta: { namespace: 'default' },
      want: ['metadata.name: Required value: name or generateName is required'],
    },
    {
      name: 'invalid generateName, reported before the name',
      meta: { generateName: 'Web-', name: 'Web-x1', namespace: 'default' },
      want: [
        `metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN}`,
        `metadata.name: Invalid value: "Web-x1": ${SUBDOMAIN}`,
      ],
    },
    {
      name: 'generateName may end with a dash',
      meta: { generateName: 'web-', name: 'web-x1', namespace: 'd' },
      want: [],
    },
    {
      name: 'namespace required',
      meta: { name: 'a' },
      want: ['metadata.namespace: Required value'],
    },
    {
      name: 'namespace must be a DNS label',
      meta: { name: 'a', namespace: 'foo.bar' },
      want: ['metadata.namespace: Invalid value: "foo.bar": must not contain dots'],
    },
    {
      name: 'namespace forbidden on cluster-scoped kinds',
      meta: { name: 'n1', namespace: 'default' },
      opts: node,
      want: ['metadata.namespace: Forbidden: not allowed on this type'],
    },
    {
      name: 'negative generation',
      meta: { name: 'a', namespace: 'd', generation: -1 },
      want: ['metadata.generation: Invalid value: -1: must be greater than or equal to 0'],
    },
    {
      name: 'labels: errors at the map path, one per message',
      meta: { name: 'a', namespace: 'd', labels: { '-k': 'v', ok: 'bad value' } },
      want: [
        `metadata.labels: Invalid value: "-k": ${NAME_PART}`,
        `metadata.labels: Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    },
    {
      name: 'annotation keys are case-insensitive',
      meta: { name: 'a', namespace: 'd', annotations: { 'Example.COM/Key': 'v' } },
      want: [],
    },
    {
      name: 'annotation key invalid, original spelling reported',
      meta: { name: 'a', namespace: 'd', annotations: { 'A B': '' } },
      want: [`metadata.annotations: Invalid value: "A B": ${NAME_PART}`],
    },
    {
      name: 'annotations over 256 KiB in total',
      meta: {
        name: 'a',
        namespace: 'd',
        annotations: { a: 'x'.repeat(200_000), b: 'y'.repeat(62_143) },
      },
      want: ['metadata.annotations: Too long: may not be more than 262144 bytes'],
    },
    {
      name: 'annotations of exactly 256 KiB',
      meta: {
        name: 'a',
        namespace: 'd',
        annotations: { a: 'x'.repeat(200_000), b: 'y'.repeat(62_142) },
      },
      want: [],
    },
    {
      name: 'owner reference basics',
      meta: {
        name: 'a',
        namespace: 'd',
        ownerReferences: [{ apiVersion: 'apps/', kind: '', name: '', uid: '' }],
      },
      want: [
        'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty',
        'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
        'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
      ],
    },
    {
      name: 'events may not own objects',
      meta: {
        name: 'a',
        namespace: 'd',
        ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }],
      },
      want: [
        'metadata.ownerReferences: Invalid value: v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"e", UID:"u", Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}: /v1, Kind=Event is disallowed from being an owner',
      ],
    },
    {
      name: 'only one controller',
      meta: {
        name: 'a',
        namespace: 'd',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r1', uid: '1', controller: true },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r2', uid: '2', controller: true },
        ],
      },
      want: [
        'metadata.ownerReferences: Invalid value: []v1.OwnerReference{v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"r1", UID:"1", Controller:(*bool)(0xc000010000), BlockOwnerDeletion:(*bool)(nil)}, v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"r2", UID:"2", Controller:(*bool)(0xc000010000), BlockOwnerDeletion:(*bool)(nil)}}: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/r1 and ReplicaSet/r2',
      ],
    },
    {
      name: 'finalizers: qualified, standard, not both orphan and foreground',
      meta: {
        name: 'a',
        namespace: 'd',
        finalizers: ['example.com/f', 'kubernetes', 'orphan', 'foregroundDeletion', 'mine'],
      },
      want: [
        'metadata.finalizers: Invalid value: []string{"example.com/f", "kubernetes", "orphan", "foregroundDeletion", "mine"}: finalizer orphan and foregroundDeletion cannot be both set',
        'metadata.finalizers[4]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified',
      ],
    },
    {
      name: 'custom resources skip the standard finalizer rule',
      meta: { name: 'a', namespace: 'd', finalizers: ['mine', 'bad/-x'] },
      opts: { ...pod, kubeFinalizerNames: false } as typeof pod,
      want: [`metadata.finalizers: Invalid value: "bad/-x": ${NAME_PART}`],
    },
    {
      name: 'null fields are Go zero values',
      meta: { name: 'a', namespace: 'd', labels: null, finalizers: null },
      want: [],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(messages(c.meta, c.opts), c.want);
    });

  const kinds = [
    {
      name: 'Namespace name with a dot',
      kind: ['', 'Namespace'],
      meta: { name: 'a.b' },
      want: ['metadata.name: Invalid value: "a.b": must not contain dots'],
    },
    {
      name: 'Namespace name uppercase',
      kind: ['', 'Namespace'],
      meta: { name: 'A' },
      want: [`metadata.name: Invalid value: "A": ${LABEL}`],
    },
    {
      name: 'CSR name unconstrained',
      kind: ['certificates.k8s.io', 'CertificateSigningRequest'],
      meta: { name: 'Any Name' },
      want: [],
    },
  ];
  for (const c of kinds) {
    it(c.name, () => {
      const [group = '', kind = ''] = c.kind;
      const got = validateObjectMeta(c.meta, {
        requiresNamespace: false,
        validateName: nameValidatorFor(group, kind),
      });
      assert.deepEqual(got.map(formatFieldError), c.want);
    });
  }
  it('a custom name function is used for name and generateName', () => {
    const got = validateObjectMeta(
      { name: 'x', generateName: 'y' },
      { requiresNamespace: false, validateName: nameIsUnconstrained },
    );
    assert.deepEqual(got, []);
  });
});

describe('validateObjectMetaUpdate (upstream ValidateObjectMetaAccessorUpdate)', () => {
  const old: ObjectMetaUpdateInput = {
    name: 'a',
    namespace: 'd',
    uid: 'u1',
    resourceVersion: '5',
    generation: 3,
    creationTimestamp: '2024-05-01T10:00:00Z',
  };
  const cases: {
    name: string;
    next: ObjectMetaUpdateInput;
    old?: ObjectMetaUpdateInput;
    want: string[];
  }[] = [
    { name: 'unchanged', next: old, want: [] },
    {
      name: 'same instant in another offset',
      next: { ...old, creationTimestamp: '2024-05-01T12:00:00+02:00' },
      want: [],
    },
    {
      name: 'resourceVersion required',
      next: { ...old, resourceVersion: '' },
      want: ['metadata.resourceVersion: Invalid value: "": must be specified for an update'],
    },
    {
      name: 'generation decremented',
      next: { ...old, generation: 2 },
      want: ['metadata.generation: Invalid value: 2: must not be decremented'],
    },
    {
      name: 'identity immutable',
      next: { ...old, name: 'b', namespace: 'e', uid: 'u2' },
      want: [
        'metadata.name: Invalid value: "b": field is immutable',
        'metadata.namespace: Invalid value: "e": field is immutable',
        'metadata.uid: Invalid value: "u2": field is immutable',
      ],
    },
    {
      name: 'timestamps print as Go time.Time',
      next: {
        ...old,
        creationTimestamp: '2024-05-01T10:00:01Z',
        deletionTimestamp: '2024-06-01T00:00:00.5Z',
      },
      want: [
        'metadata.creationTimestamp: Invalid value: 2024-05-01 10:00:01 +0000 UTC: field is immutable',
        'metadata.deletionTimestamp: Invalid value: 2024-06-01 00:00:00.5 +0000 UTC: field is immutable',
      ],
    },
    {
      name: 'grace period cleared',
      next: old,
      old: { ...old, deletionGracePeriodSeconds: 30 },
      want: ['metadata.deletionGracePeriodSeconds: Invalid value: null: field is immutable'],
    },
    {
      name: 'no new finalizers while deleting, sorted',
      next: {
        ...old,
        deletionTimestamp: '2024-06-01T00:00:00Z',
        finalizers: ['x.io/b', 'x.io/a', 'x.io/keep'],
      },
      old: { ...old, deletionTimestamp: '2024-06-01T00:00:00Z', finalizers: ['x.io/keep'] },
      want: [
        'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x.io/a", "x.io/b"}',
      ],
    },
    {
      name: 'labels and unqualified finalizers checked again',
      next: { ...old, labels: { a: '-' }, finalizers: ['mine'] },
      want: [
        `metadata.labels: Invalid value: "-": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
        'metadata.finalizers[0]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        validateObjectMetaUpdate(c.next, c.old ?? old).map(formatFieldError),
        c.want,
      );
    });
  }
});

describe('validateLabelSelector (upstream metav1 validation)', () => {
  const cases = [
    { name: 'null is valid', sel: null, want: [] },
    {
      name: 'valid',
      sel: {
        matchLabels: { app: 'x' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }],
      },
      want: [],
    },
    {
      name: 'In without values',
      sel: { matchExpressions: [{ key: 'k', operator: 'In' }] },
      want: [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      ],
    },
    {
      name: 'Exists with values',
      sel: { matchExpressions: [{ key: 'k', operator: 'Exists', values: ['a'] }] },
      want: [
        "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      ],
    },
    {
      name: 'unknown operator, bad key and value',
      sel: {
        matchLabels: { '-a': 'b' },
        matchExpressions: [{ key: 'k', operator: 'in', values: ['-'] }],
      },
      want: [
        `spec.selector.matchLabels: Invalid value: "-a": ${NAME_PART}`,
        'spec.selector.matchExpressions[0].operator: Invalid value: "in": not a valid selector operator',
        `spec.selector.matchExpressions[0].values[0]: Invalid value: "-": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        validateLabelSelector(c.sel, {}, 'spec.selector').map(formatFieldError),
        c.want,
      );
    });
  }
});
