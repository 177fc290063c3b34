/**
 * Update-time `metadata` checks as upstream's ValidateObjectMetaAccessorUpdate
 * (api/validation/objectmeta.go, v1.33) plus k/k core's finalizer rule: no new finalizers once
 * deleting, resourceVersion required, generation never decremented, identity and timestamps
 * immutable, then labels, annotations and ownerReferences as on create. Returns every error.
 */
import { childPath } from './field-path.ts';
import type { FieldError, FieldValue } from './field-error.ts';
import { forbidden, invalid } from './field-error.ts';
import { goStringSlice, compareGoStrings } from './go-format.ts';
import { validateLabels } from './labels.ts';
import type { ObjectMetaInput } from './object-meta.ts';
import {
  validateAnnotations,
  validateKubeFinalizerNames,
  validateOwnerReferences,
} from './object-meta.ts';

/** The ObjectMeta fields an update check reads, as they arrive in JSON. */
export interface ObjectMetaUpdateInput extends ObjectMetaInput {
  readonly resourceVersion?: string | null;
  readonly uid?: string | null;
  /** RFC 3339, as metav1.Time is serialized. */
  readonly creationTimestamp?: string | null;
  readonly deletionTimestamp?: string | null;
  readonly deletionGracePeriodSeconds?: number | null;
}

export interface ObjectMetaUpdateOptions {
  /** Path of the metadata. Default `metadata`. */
  readonly path?: string;
  /** See ObjectMetaValidationOptions.kubeFinalizerNames. Default true. */
  readonly kubeFinalizerNames?: boolean;
}

const IMMUTABLE = 'field is immutable';

/**
 * Go's time.Time.String() in UTC (kube-apiserver runs with TZ=UTC): `2024-05-01 10:00:00 +0000
 * UTC`, fractional seconds only when non-zero. An unparsable time prints as Go's zero time.
 */
function goTimeString(rfc3339: string): string {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return '0001-01-01 00:00:00 +0000 UTC';
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac === '' ? '' : `.${frac}`} +0000 UTC`;
}

function sameInstant(a: string, b: string): boolean {
  const x = Date.parse(a);
  const y = Date.parse(b);
  return Number.isNaN(x) || Number.isNaN(y) ? a === b : x === y;
}

function immutable(path: string, changed: boolean, value: FieldValue): FieldError[] {
  return changed ? [invalid(path, value, IMMUTABLE)] : [];
}

/** Upstream's ValidateNoNewFinalizers: the added names, sorted, in Go syntax. */
function validateNoNewFinalizers(
  next: readonly string[],
  old: readonly string[],
  path: string,
): FieldError[] {
  const oldSet = new Set(old);
  const extra = [...new Set(next.filter((f) => !oldSet.has(f)))].sort(compareGoStrings);
  if (extra.length === 0) return [];
  return [
    forbidden(
      path,
      `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`,
    ),
  ];
}

export function validateObjectMetaUpdate(
  next: ObjectMetaUpdateInput,
  old: ObjectMetaUpdateInput,
  opts: ObjectMetaUpdateOptions = {},
): FieldError[] {
  const path = opts.path ?? 'metadata';
  const errs: FieldError[] = [];
  const p = (name: string): string => childPath(path, name);
  if ((old.deletionTimestamp ?? null) !== null) {
    errs.push(
      ...validateNoNewFinalizers(next.finalizers ?? [], old.finalizers ?? [], p('finalizers')),
    );
  }
  if ((next.resourceVersion ?? '') === '') {
    errs.push(invalid(p('resourceVersion'), '', 'must be specified for an update'));
  }
  if ((next.generation ?? 0) < (old.generation ?? 0)) {
    errs.push(invalid(p('generation'), next.generation ?? 0, 'must not be decremented'));
  }
  const str = (v: string | null | undefined): string => v ?? '';
  errs.push(...immutable(p('name'), str(next.name) !== str(old.name), str(next.name)));
  errs.push(
    ...immutable(p('namespace'), str(next.namespace) !== str(old.namespace), str(next.namespace)),
  );
  errs.push(...immutable(p('uid'), str(next.uid) !== str(old.uid), str(next.uid)));
  const created = str(next.creationTimestamp);
  errs.push(
    ...immutable(p('creationTimestamp'), !sameInstant(created, str(old.creationTimestamp)), {
      goSyntax: goTimeString(created),
    }),
  );
  const deleted = next.deletionTimestamp ?? null;
  const oldDeleted = old.deletionTimestamp ?? null;
  errs.push(
    ...immutable(
      p('deletionTimestamp'),
      deleted === null || oldDeleted === null
        ? deleted !== oldDeleted
        : !sameInstant(deleted, oldDeleted),
      deleted === null ? null : { goSyntax: goTimeString(deleted) },
    ),
  );
  const grace = next.deletionGracePeriodSeconds ?? null;
  errs.push(
    ...immutable(
      p('deletionGracePeriodSeconds'),
      grace !== (old.deletionGracePeriodSeconds ?? null),
      grace,
    ),
  );
  errs.push(...validateLabels(next.labels, p('labels')));
  errs.push(...validateAnnotations(next.annotations, p('annotations')));
  errs.push(...validateOwnerReferences(next.ownerReferences, p('ownerReferences')));
  if (opts.kubeFinalizerNames ?? true) {
    errs.push(...validateKubeFinalizerNames(next.finalizers ?? [], p('finalizers')));
  }
  return errs;
}
