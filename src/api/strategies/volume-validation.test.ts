import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import { formatFieldError } from '../validation/field-error.ts';
import { podStrategy } from './pod-strategy.ts';

/**
 * Pod volume, volume mount and fsGroup validation through the Pod strategy (defaulted as the
 * API server defaults a created pod), with upstream's exact field paths and messages (k/k
 * core validation v1.33, ValidateVolumes/ValidateVolumeMounts and their helpers).
 */

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';

function errors(spec: JsonObject): string[] {
  const pod: JsonObject = { metadata: { name: 'p', namespace: 'd', uid: 'u' }, spec };
  podStrategy.prepareForCreate?.(pod);
  podStrategy.defaults?.(pod);
  return (podStrategy.validate?.(pod) ?? []).map(formatFieldError);
}

/** A pod with `volumes` and one container mounting `mounts`. */
const withVolumes = (volumes: JsonObject[], mounts: JsonObject[] = [], c: JsonObject = {}) => ({
  volumes,
  containers: [{ name: 'c', image: 'busybox', volumeMounts: mounts, ...c }],
});

const cases: { name: string; spec: JsonObject; want: string[] }[] = [
  {
    name: 'every supported source, well formed',
    spec: withVolumes(
      [
        { name: 'e', emptyDir: { sizeLimit: '1Gi' } },
        { name: 'h', hostPath: { path: '/srv/data', type: 'DirectoryOrCreate' } },
        {
          name: 'cm',
          configMap: { name: 'c', items: [{ key: 'k', path: 'dir/k.txt', mode: 0o600 }] },
        },
        { name: 's', secret: { secretName: 's', defaultMode: 0o400 } },
        {
          name: 'd',
          downwardAPI: {
            items: [
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu' } },
            ],
          },
        },
        {
          name: 'p',
          projected: {
            sources: [
              { serviceAccountToken: { path: 'token', expirationSeconds: 600 } },
              { configMap: { name: 'c', items: [{ key: 'k', path: 'k' }] } },
            ],
          },
        },
      ],
      [
        { name: 'e', mountPath: '/e', subPath: 'sub/dir' },
        { name: 'h', mountPath: '/h', subPathExpr: '$(POD_NAME)', mountPropagation: 'None' },
        { name: 'cm', mountPath: '/cm', readOnly: true, recursiveReadOnly: 'Enabled' },
        { name: 's', mountPath: '/s' },
        { name: 'd', mountPath: '/d' },
        { name: 'p', mountPath: '/p' },
      ],
    ),
    want: [],
  },
  {
    name: 'names: a DNS label, unique; a volume that fails is not found by its mounts',
    spec: withVolumes(
      [
        { name: 'Bad_Name', emptyDir: {} },
        { name: 'v', emptyDir: {} },
        { name: 'v', emptyDir: {} },
      ],
      [{ name: 'Bad_Name', mountPath: '/a' }],
    ),
    want: [
      `spec.volumes[0].name: Invalid value: "Bad_Name": ${LABEL_MSG}`,
      'spec.volumes[2].name: Duplicate value: "v"',
      'spec.containers[0].volumeMounts[0].name: Not found: "Bad_Name"',
    ],
  },
  {
    name: 'exactly one source, named as upstream names it',
    spec: withVolumes([
      { name: 'a', emptyDir: {}, hostPath: { path: '/x' } },
      { name: 'b', secret: { secretName: 's' }, downwardAPI: {}, configMap: { name: 'c' } },
      { name: 'c', gcePersistentDisk: { pdName: '', partition: 300 } },
    ]),
    want: [
      'spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
      'spec.volumes[1].downwarAPI: Forbidden: may not specify more than 1 volume type',
      'spec.volumes[1].configMap: Forbidden: may not specify more than 1 volume type',
      'spec.volumes[2].persistentDisk.pdName: Required value',
      'spec.volumes[2].persistentDisk.partition: Invalid value: 300: must be between 1 and 255, inclusive',
    ],
  },
  {
    name: 'configMap and secret: name, modes, item keys and paths',
    spec: withVolumes([
      {
        name: 'cm',
        configMap: {
          name: '',
          defaultMode: -1,
          items: [
            { key: '', path: '/etc/passwd', mode: 0o1000 },
            { key: 'k', path: 'a/../../b' },
            { key: 'k', path: '..data' },
            { key: 'k', path: '../x' },
            { key: 'k', path: '' },
          ],
        },
      },
      { name: 's', secret: { defaultMode: 0o1000, items: [{ key: 'k', path: '..' }] } },
    ]),
    want: [
      'spec.volumes[0].configMap.name: Required value',
      `spec.volumes[0].configMap.defaultMode: Invalid value: -1: ${MODE_MSG}`,
      'spec.volumes[0].configMap.items[0].key: Required value',
      'spec.volumes[0].configMap.items[0].path: Invalid value: "/etc/passwd": must be a relative path',
      `spec.volumes[0].configMap.items[0].mode: Invalid value: 512: ${MODE_MSG}`,
      `spec.volumes[0].configMap.items[1].path: Invalid value: "a/../../b": must not contain '..'`,
      `spec.volumes[0].configMap.items[2].path: Invalid value: "..data": must not start with '..'`,
      `spec.volumes[0].configMap.items[3].path: Invalid value: "../x": must not contain '..'`,
      'spec.volumes[0].configMap.items[4].path: Required value',
      'spec.volumes[1].secret.secretName: Required value',
      `spec.volumes[1].secret.defaultMode: Invalid value: 512: ${MODE_MSG}`,
      `spec.volumes[1].secret.items[0].path: Invalid value: "..": must not contain '..'`,
      // Both, as upstream's code does (its comment says otherwise; only `../` is spared).
      `spec.volumes[1].secret.items[0].path: Invalid value: "..": must not start with '..'`,
    ],
  },
  {
    name: 'hostPath: path required, no backsteps, a known type; emptyDir sizeLimit not negative',
    spec: withVolumes([
      { name: 'a', hostPath: { path: '' } },
      { name: 'b', hostPath: { path: '/var/../etc', type: 'Dir' } },
      { name: 'c', emptyDir: { medium: 'Memory', sizeLimit: '-1Gi' } },
    ]),
    want: [
      'spec.volumes[0].hostPath.path: Required value',
      `spec.volumes[1].hostPath.path: Invalid value: "/var/../etc": must not contain '..'`,
      'spec.volumes[1].hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
      'spec.volumes[2].emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid resource quantity',
    ],
  },
  {
    name: 'downwardAPI: items reported on the source path, without an index (as upstream)',
    spec: withVolumes([
      {
        name: 'd',
        downwardAPI: {
          defaultMode: 0o1000,
          items: [
            { path: '', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'x', fieldRef: { fieldPath: 'spec.nodeName' } },
            { path: 'y' },
            {
              path: 'z',
              fieldRef: { fieldPath: 'metadata.name' },
              resourceFieldRef: { containerName: 'c', resource: 'limits.cpu' },
            },
            { path: 'w', resourceFieldRef: { containerName: 'c', resource: 'limits.gpu' } },
            { path: 'v', resourceFieldRef: { resource: 'limits.cpu' }, mode: -2 },
            { path: '/abs', fieldRef: { fieldPath: "metadata.labels['a b']" } },
          ],
        },
      },
    ]),
    want: [
      `spec.volumes[0].downwardAPI.defaultMode: Invalid value: 512: ${MODE_MSG}`,
      'spec.volumes[0].downwardAPI.path: Required value',
      'spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "spec.nodeName": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
      'spec.volumes[0].downwardAPI: Required value: one of fieldRef and resourceFieldRef is required',
      'spec.volumes[0].downwardAPI: Invalid value: "resource": fieldRef and resourceFieldRef can not be specified simultaneously',
      'spec.volumes[0].downwardAPI.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"',
      'spec.volumes[0].downwardAPI.resourceFieldRef.containerName: Required value',
      `spec.volumes[0].downwardAPI.mode: Invalid value: -2: ${MODE_MSG}`,
      'spec.volumes[0].downwardAPI.path: Invalid value: "/abs": must be a relative path',
      `spec.volumes[0].downwardAPI.fieldRef: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
  },
  {
    name: 'projected: token rules, unique paths across sources, one kind per source',
    spec: withVolumes([
      {
        name: 'p',
        projected: {
          defaultMode: 0o1000,
          sources: [
            { serviceAccountToken: { path: '', expirationSeconds: 60 } },
            { serviceAccountToken: { path: '../t', expirationSeconds: 4294967297 } },
            {
              secret: { name: 's', items: [{ key: 'a', path: 'same' }] },
              configMap: { name: 'c', items: [{ key: 'b', path: 'same' }] },
            },
            { downwardAPI: { items: [{ path: 'same', fieldRef: { fieldPath: 'metadata.uid' } }] } },
            { configMap: { name: '', items: [{ key: 'k', path: '/abs' }] } },
          ],
        },
      },
    ]),
    want: [
      `spec.volumes[0].projected.defaultMode: Invalid value: 512: ${MODE_MSG}`,
      'spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
      'spec.volumes[0].projected.path: Required value',
      'spec.volumes[0].projected.sources[1].serviceAccountToken.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds',
      `spec.volumes[0].projected.path: Invalid value: "../t": must not contain '..'`,
      'spec.volumes[0].projected: Invalid value: "c": conflicting duplicate paths',
      'spec.volumes[0].projected.sources[2]: Forbidden: may not specify more than 1 volume type per source',
      'spec.volumes[0].projected: Invalid value: "same": conflicting duplicate paths',
      'spec.volumes[0].projected.sources[4].configMap.name: Required value',
      'spec.volumes[0].projected.sources[4].configMap.items[0].path: Invalid value: "/abs": must be a relative path',
    ],
  },
  {
    name: 'volume mounts: unknown volume, duplicate path, subPath and subPathExpr, propagation',
    spec: withVolumes(
      [{ name: 'v', emptyDir: {} }],
      [
        { name: 'nope', mountPath: '/a' },
        { name: 'v', mountPath: '/a', subPath: '/abs' },
        { name: 'v', mountPath: '/b', subPath: 'x/../..', subPathExpr: '$(X)' },
        { name: 'v', mountPath: '/c', subPathExpr: '../$(X)', mountPropagation: 'Shared' },
        { name: 'v', mountPath: '/d', mountPropagation: 'Bidirectional' },
        { name: 'v', mountPath: '/e', recursiveReadOnly: 'Enabled', mountPropagation: 'None' },
        { name: 'v', mountPath: '/f', readOnly: true, recursiveReadOnly: 'Always' },
        { name: '', mountPath: '' },
      ],
    ),
    want: [
      'spec.containers[0].volumeMounts[0].name: Not found: "nope"',
      'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
      'spec.containers[0].volumeMounts.subPath: Invalid value: "/abs": must be a relative path',
      `spec.containers[0].volumeMounts.subPath: Invalid value: "x/../..": must not contain '..'`,
      'spec.containers[0].volumeMounts[2].subPathExpr: Invalid value: "$(X)": subPathExpr and subPath are mutually exclusive',
      `spec.containers[0].volumeMounts.subPathExpr: Invalid value: "../$(X)": must not contain '..'`,
      'spec.containers[0].volumeMounts.mountPropagation: Unsupported value: "Shared": supported values: "Bidirectional", "HostToContainer", "None"',
      'spec.containers[0].volumeMounts.mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers',
      'spec.containers[0].volumeMounts.recursiveReadOnly: Forbidden: may only be specified when readOnly is true',
      'spec.containers[0].volumeMounts.recursiveReadOnly: Unsupported value: "Always": supported values: "Disabled", "Enabled", "IfPossible"',
      'spec.containers[0].volumeMounts[7].name: Required value',
      'spec.containers[0].volumeMounts[7].name: Not found: ""',
      'spec.containers[0].volumeMounts[7].mountPath: Required value',
    ],
  },
  {
    name: 'Bidirectional propagation in a privileged container; init container mounts',
    spec: {
      volumes: [{ name: 'v', emptyDir: {} }],
      containers: [
        {
          name: 'c',
          image: 'busybox',
          securityContext: { privileged: true },
          volumeMounts: [{ name: 'v', mountPath: '/v', mountPropagation: 'Bidirectional' }],
        },
      ],
      initContainers: [
        { name: 'i', image: 'busybox', volumeMounts: [{ name: 'w', mountPath: '/w' }] },
      ],
    },
    want: ['spec.initContainers[0].volumeMounts[0].name: Not found: "w"'],
  },
  {
    name: 'security context: fsGroup and IDs in range, a known fsGroupChangePolicy',
    spec: {
      containers: [{ name: 'c', image: 'busybox' }],
      securityContext: {
        fsGroup: -1,
        runAsUser: 2147483648,
        supplementalGroups: [5, -5],
        fsGroupChangePolicy: 'Sometimes',
      },
    },
    want: [
      'spec.securityContext.fsGroup: Invalid value: -1: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.runAsUser: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.supplementalGroups[1]: Invalid value: -5: must be between 0 and 2147483647, inclusive',
      'spec.securityContext.fsGroupChangePolicy: Unsupported value: "Sometimes": supported values: "Always", "OnRootMismatch"',
    ],
  },
];

describe('pod volume validation (upstream ValidateVolumes, ValidateVolumeMounts)', () => {
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(errors(c.spec), c.want);
    });
});
