/**
 * Create-time `metadata` checks in upstream's order and wording: apimachinery's
 * ValidateObjectMetaAccessor (api/validation/objectmeta.go, v1.33) plus, for built-in kinds,
 * k/k core validation's finalizer rule. Returns every error, never throws. Managed fields are
 * not checked (k8ts does not serve server-side apply metadata through this path).
 */
import { childPath, indexPath } from './field-path.ts';
import type { FieldError, GoLiteral } from './field-error.ts';
import { forbidden, invalid, required, stringSliceValue, tooLong } from './field-error.ts';
import { goQuote, utf8Length } from './go-format.ts';
import { validateLabels } from './labels.ts';
import type { ValidateNameFunc } from './name-validators.ts';
import { validateNamespaceName } from './name-validators.ts';
import { isQualifiedName } from './names.ts';

/** metav1.OwnerReference as it arrives in JSON (null is Go's zero value). */
export interface OwnerReferenceInput {
  readonly apiVersion?: string | null;
  readonly kind?: string | null;
  readonly name?: string | null;
  readonly uid?: string | null;
  readonly controller?: boolean | null;
  readonly blockOwnerDeletion?: boolean | null;
}

/** The metav1.ObjectMeta fields these checks read, as they arrive in JSON. */
export interface ObjectMetaInput {
  readonly name?: string | null;
  readonly generateName?: string | null;
  readonly namespace?: string | null;
  readonly generation?: number | null;
  readonly labels?: Readonly<Record<string, string>> | null;
  readonly annotations?: Readonly<Record<string, string>> | null;
  readonly ownerReferences?: readonly OwnerReferenceInput[] | null;
  readonly finalizers?: readonly string[] | null;
}

export interface ObjectMetaValidationOptions {
  /** True for namespaced kinds: namespace required; false: namespace forbidden. */
  readonly requiresNamespace: boolean;
  /** The kind's name rule, see nameValidatorFor(). */
  readonly validateName: ValidateNameFunc;
  /** Path of the metadata. Default `metadata`. */
  readonly path?: string;
  /**
   * Built-in kinds also require unqualified finalizers to be standard ones (`kubernetes`,
   * `orphan`, `foregroundDeletion`); custom resources do not. Default true.
   */
  readonly kubeFinalizerNames?: boolean;
}

/** Upstream's TotalAnnotationSizeLimitB: 256 KiB over all keys and values, in bytes. */
export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

export const FINALIZER_ORPHAN_DEPENDENTS = 'orphan';
export const FINALIZER_DELETE_DEPENDENTS = 'foregroundDeletion';
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** Upstream's ValidateAnnotations: keys are qualified names (case-insensitive), 256 KiB total. */
export function validateAnnotations(
  annotations: Readonly<Record<string, string>> | null | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  let totalBytes = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, msg));
    totalBytes += utf8Length(k) + utf8Length(v);
  }
  if (totalBytes > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) {
    errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
  }
  return errs;
}

/**
 * `%#v` of a metav1.OwnerReference. Go prints a set *bool as its address, which varies per
 * process; a fixed stand-in address is printed instead.
 */
function ownerRefLiteral(ref: OwnerReferenceInput): string {
  const ptr = (b: boolean | null | undefined): string =>
    b === null || b === undefined ? '(*bool)(nil)' : '(*bool)(0xc000010000)';
  return (
    `v1.OwnerReference{APIVersion:${goQuote(ref.apiVersion ?? '')}, Kind:${goQuote(ref.kind ?? '')}, ` +
    `Name:${goQuote(ref.name ?? '')}, UID:${goQuote(ref.uid ?? '')}, ` +
    `Controller:${ptr(ref.controller)}, BlockOwnerDeletion:${ptr(ref.blockOwnerDeletion)}}`
  );
}

/** schema.FromAPIVersionAndKind: `v1` is the core group; two or more slashes parse as empty. */
function groupVersionOf(apiVersion: string): { group: string; version: string } {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group: parts[0] ?? '', version: parts[1] ?? '' };
  return { group: '', version: '' };
}

/** Upstream's ValidateOwnerReferences: basic fields, no Event owners, at most one controller. */
export function validateOwnerReferences(
  refs: readonly OwnerReferenceInput[] | null | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const { group, version } = groupVersionOf(ref.apiVersion ?? '');
    const kind = ref.kind ?? '';
    if (version === '') {
      errs.push(
        invalid(childPath(path, 'apiVersion'), ref.apiVersion ?? '', 'version must not be empty'),
      );
    }
    if (kind === '') errs.push(invalid(childPath(path, 'kind'), kind, 'kind must not be empty'));
    if ((ref.name ?? '') === '') {
      errs.push(invalid(childPath(path, 'name'), ref.name ?? '', 'name must not be empty'));
    }
    if ((ref.uid ?? '') === '') {
      errs.push(invalid(childPath(path, 'uid'), ref.uid ?? '', 'uid must not be empty'));
    }
    if (group === '' && version === 'v1' && kind === 'Event') {
      const value: GoLiteral = { goSyntax: ownerRefLiteral(ref) };
      errs.push(invalid(path, value, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const current = `${kind}/${ref.name ?? ''}`;
      if (firstController === '') {
        firstController = current;
      } else {
        const all = (refs ?? []).map(ownerRefLiteral).join(', ');
        errs.push(
          invalid(
            path,
            { goSyntax: `[]v1.OwnerReference{${all}}` },
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      }
    }
  }
  return errs;
}

/** Upstream's ValidateFinalizerName: a qualified name. */
export function validateFinalizerName(finalizer: string, path: string): FieldError[] {
  return isQualifiedName(finalizer).map((msg) => invalid(path, finalizer, msg));
}

/** Upstream's ValidateFinalizers: names, and not both `orphan` and `foregroundDeletion`. */
export function validateFinalizers(
  finalizers: readonly string[] | null | undefined,
  path: string,
): FieldError[] {
  const list = finalizers ?? [];
  const errs = list.flatMap((f) => validateFinalizerName(f, path));
  if (list.includes(FINALIZER_ORPHAN_DEPENDENTS) && list.includes(FINALIZER_DELETE_DEPENDENTS)) {
    errs.push(
      invalid(
        path,
        stringSliceValue(finalizers ?? null),
        `finalizer ${FINALIZER_ORPHAN_DEPENDENTS} and ${FINALIZER_DELETE_DEPENDENTS} cannot be both set`,
      ),
    );
  }
  return errs;
}

/**
 * k/k core validation's validateKubeFinalizerName for built-in kinds: an unqualified finalizer
 * must be `kubernetes`, `orphan` or `foregroundDeletion`. Errors at `<path>[i]`.
 */
export function validateKubeFinalizerNames(
  finalizers: readonly string[],
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  finalizers.forEach((f, i) => {
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(
        invalid(
          indexPath(path, i),
          f,
          'name is neither a standard finalizer name nor is it fully qualified',
        ),
      );
    }
  });
  return errs;
}

/** Upstream's ValidateNonnegativeField. */
export function validateNonnegativeField(value: number, path: string): FieldError[] {
  return value < 0 ? [invalid(path, value, 'must be greater than or equal to 0')] : [];
}

/**
 * Upstream's ValidateObjectMeta for a new object, after generateName has been turned into a
 * name (a generateName is still validated as a prefix): generateName, name, namespace,
 * generation, labels, annotations, ownerReferences, finalizers — in that order.
 */
export function validateObjectMeta(
  meta: ObjectMetaInput,
  opts: ObjectMetaValidationOptions,
): FieldError[] {
  const path = opts.path ?? 'metadata';
  const errs: FieldError[] = [];
  const generateName = meta.generateName ?? '';
  if (generateName !== '') {
    for (const msg of opts.validateName(generateName, true)) {
      errs.push(invalid(childPath(path, 'generateName'), generateName, msg));
    }
  }
  const name = meta.name ?? '';
  if (name === '') {
    errs.push(required(childPath(path, 'name'), 'name or generateName is required'));
  } else {
    for (const msg of opts.validateName(name, false)) {
      errs.push(invalid(childPath(path, 'name'), name, msg));
    }
  }
  const namespace = meta.namespace ?? '';
  if (opts.requiresNamespace) {
    if (namespace === '') errs.push(required(childPath(path, 'namespace')));
    else {
      for (const msg of validateNamespaceName(namespace, false)) {
        errs.push(invalid(childPath(path, 'namespace'), namespace, msg));
      }
    }
  } else if (namespace !== '') {
    errs.push(forbidden(childPath(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegativeField(meta.generation ?? 0, childPath(path, 'generation')));
  errs.push(...validateLabels(meta.labels, childPath(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, childPath(path, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, childPath(path, 'ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, childPath(path, 'finalizers')));
  if (opts.kubeFinalizerNames ?? true) {
    errs.push(...validateKubeFinalizerNames(meta.finalizers ?? [], childPath(path, 'finalizers')));
  }
  return errs;
}
