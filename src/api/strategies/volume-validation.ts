/**
 * Upstream's ValidateVolumes and validateVolumeSource (k/k core validation, v1.33), with its
 * field paths, messages and quirks kept (the `downwarAPI` and `cephFS` paths of the
 * more-than-one-source error, the downwardAPI items' errors on the source's path without an
 * index, the gcePersistentDisk checks under `persistentDisk`). Checked in full: emptyDir,
 * hostPath, gitRepo, gcePersistentDisk, awsElasticBlockStore, secret, nfs,
 * persistentVolumeClaim, downwardAPI, configMap and projected; the other sources only count
 * for the exactly-one-source rule. Not checked: resourceFieldRef divisors, the ephemeral
 * source's claim template, and an unparsable emptyDir sizeLimit (upstream's decoder refuses
 * it with a 400 before validation runs).
 */
import type { JsonObject } from '../json.ts';
import type { FieldError } from '../validation/field-error.ts';
import {
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
} from '../validation/field-error.ts';
import { childPath, indexPath } from '../validation/field-path.ts';
import { inclusiveRangeError, validateDNS1123Label } from './field-rules.ts';
import { num, obj, objs, str } from './json-fields.ts';
import { validateLocalDescendingPath, validatePathNoBacksteps } from './local-path-validation.ts';
import { validateProjectedVolumeSource } from './projected-volume-validation.ts';
import {
  validateDownwardAPIVolumeFile,
  validateFileMode,
  validateKeyToPath,
} from './volume-file-validation.ts';
import { parseQuantity } from './quantity.ts';

/**
 * VolumeSource members in the order upstream's validateVolumeSource visits them, each with the
 * path segment its "may not specify more than 1 volume type" error names.
 */
const VOLUME_SOURCES: readonly (readonly [kind: string, errorName: string])[] = [
  ['emptyDir', 'emptyDir'],
  ['hostPath', 'hostPath'],
  ['gitRepo', 'gitRepo'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['secret', 'secret'],
  ['nfs', 'nfs'],
  ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'],
  ['flocker', 'flocker'],
  ['persistentVolumeClaim', 'persistentVolumeClaim'],
  ['rbd', 'rbd'],
  ['cinder', 'cinder'],
  ['cephfs', 'cephFS'],
  ['quobyte', 'quobyte'],
  ['downwardAPI', 'downwarAPI'],
  ['fc', 'fc'],
  ['flexVolume', 'flexVolume'],
  ['configMap', 'configMap'],
  ['azureFile', 'azureFile'],
  ['vsphereVolume', 'vsphereVolume'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'],
  ['azureDisk', 'azureDisk'],
  ['storageos', 'storageos'],
  ['projected', 'projected'],
  ['scaleIO', 'scaleIO'],
  ['csi', 'csi'],
  ['ephemeral', 'ephemeral'],
  ['image', 'image'],
];

/** Upstream's supportedHostPathTypes, sorted as sets.List prints them. */
const HOST_PATH_TYPES = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
];

/** Upstream's validateSecretVolumeSource and validateConfigMapVolumeSource. */
function validateObjectVolumeSource(
  src: JsonObject,
  nameField: string,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  if (str(src, nameField) === '') errs.push(required(childPath(path, nameField)));
  errs.push(...validateFileMode(src, 'defaultMode', path));
  objs(src, 'items').forEach((kp, i) => {
    errs.push(...validateKeyToPath(kp, indexPath(childPath(path, 'items'), i)));
  });
  return errs;
}

function validateHostPath(src: JsonObject, path: string): FieldError[] {
  const target = str(src, 'path');
  if (target === '') return [required(childPath(path, 'path'))];
  const errs = validatePathNoBacksteps(target, childPath(path, 'path'));
  const type = src['type'];
  if (typeof type === 'string' && !HOST_PATH_TYPES.includes(type)) {
    errs.push(notSupported(childPath(path, 'type'), type, HOST_PATH_TYPES));
  }
  return errs;
}

function validatePartition(src: JsonObject, path: string): FieldError[] {
  const partition = num(src, 'partition') ?? 0;
  return partition < 0 || partition > 255
    ? [invalid(childPath(path, 'partition'), partition, inclusiveRangeError(1, 255))]
    : [];
}

/**
 * The checks of the volume's source `kind` (`volumePath` is the volume's own path); `[]` for
 * the sources only counted.
 */
function validateSource(kind: string, src: JsonObject, volumePath: string): FieldError[] {
  const path = childPath(volumePath, kind);
  const requireField = (field: string): FieldError[] =>
    str(src, field) === '' ? [required(childPath(path, field))] : [];
  switch (kind) {
    case 'emptyDir': {
      const limit = src['sizeLimit'];
      const q = limit === undefined || limit === null ? undefined : parseQuantity(limit);
      return q !== undefined && q.num < 0n
        ? [
            forbidden(
              childPath(path, 'sizeLimit'),
              'SizeLimit field must be a valid resource quantity',
            ),
          ]
        : [];
    }
    case 'hostPath':
      return validateHostPath(src, path);
    case 'gitRepo':
      return [
        ...requireField('repository'),
        ...validateLocalDescendingPath(str(src, 'directory'), childPath(path, 'directory')),
      ];
    case 'gcePersistentDisk': {
      // Upstream names its errors `persistentDisk`, not `gcePersistentDisk`.
      const p = childPath(volumePath, 'persistentDisk');
      return [
        ...(str(src, 'pdName') === '' ? [required(childPath(p, 'pdName'))] : []),
        ...validatePartition(src, p),
      ];
    }
    case 'awsElasticBlockStore':
      return [...requireField('volumeID'), ...validatePartition(src, path)];
    case 'secret':
      return validateObjectVolumeSource(src, 'secretName', path);
    case 'configMap':
      return validateObjectVolumeSource(src, 'name', path);
    case 'nfs': {
      const errs = [...requireField('server'), ...requireField('path')];
      const target = str(src, 'path');
      if (!target.startsWith('/')) {
        errs.push(invalid(childPath(path, 'path'), target, 'must be an absolute path'));
      }
      return errs;
    }
    case 'persistentVolumeClaim':
      return requireField('claimName');
    case 'downwardAPI': {
      const errs = validateFileMode(src, 'defaultMode', path);
      for (const file of objs(src, 'items'))
        errs.push(...validateDownwardAPIVolumeFile(file, path));
      return errs;
    }
    case 'projected':
      return validateProjectedVolumeSource(src, path);
    default:
      return [];
  }
}

/** Upstream's validateVolumeSource: exactly one source, and that source's own checks. */
function validateVolumeSource(v: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const [kind, errorName] of VOLUME_SOURCES) {
    const source = obj(v, kind);
    if (source === undefined) continue;
    if (count > 0) {
      errs.push(forbidden(childPath(path, errorName), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...validateSource(kind, source, path));
  }
  if (count === 0) errs.push(required(path, 'must specify a volume type'));
  return errs;
}

/**
 * Upstream's ValidateVolumes: the volumes that passed, by name (what mounts may name), and the
 * errors of the others.
 */
export function validateVolumes(
  spec: JsonObject,
  path: string,
): [ReadonlyMap<string, JsonObject>, FieldError[]] {
  const volumes = new Map<string, JsonObject>();
  const errs: FieldError[] = [];
  objs(spec, 'volumes').forEach((v, i) => {
    const p = indexPath(path, i);
    const name = str(v, 'name');
    const el = validateVolumeSource(v, p);
    if (name === '') el.push(required(childPath(p, 'name')));
    else el.push(...validateDNS1123Label(name, childPath(p, 'name')));
    if (volumes.has(name)) el.push(duplicate(childPath(p, 'name'), name));
    if (el.length === 0) volumes.set(name, v);
    else errs.push(...el);
  });
  return [volumes, errs];
}
