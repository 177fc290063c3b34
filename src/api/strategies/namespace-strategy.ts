/**
 * The Namespace strategy (pkg/apis/core/v1/defaults.go and pkg/registry/core/namespace, v1.33):
 * the `kubernetes.io/metadata.name` label, status phase Active, and on create the `kubernetes`
 * finalizer in `spec.finalizers`. Not done: update resetting spec.finalizers (only the
 * finalize subresource may change them upstream).
 */
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import type { FieldError } from '../validation/field-error.ts';
import { invalid } from '../validation/field-error.ts';
import { validateFinalizerName } from '../validation/object-meta.ts';
import { defaultEmpty, ensureObj, obj, str, strs } from './json-fields.ts';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** SetDefaults_Namespace (the name label, when the name is known) and SetDefaults_NamespaceStatus. */
export function defaultNamespace(ns: JsonObject): void {
  const meta = ensureObj(ns, 'metadata');
  const name = str(meta, 'name');
  if (name !== '') ensureObj(meta, 'labels')[NAMESPACE_NAME_LABEL] = name;
  defaultEmpty(ensureObj(ns, 'status'), 'phase', 'Active');
}

/** PrepareForCreate: status Active and the `kubernetes` finalizer. */
export function prepareNamespaceForCreate(ns: JsonObject): void {
  ns['status'] = { phase: 'Active' };
  const spec = ensureObj(ns, 'spec');
  const finalizers = strs(spec, 'finalizers');
  if (!finalizers.includes('kubernetes')) spec['finalizers'] = [...finalizers, 'kubernetes'];
}

/** ValidateNamespace's spec part: each finalizer a qualified, or standard, name. */
export function validateNamespace(ns: JsonObject): FieldError[] {
  const path = 'spec.finalizers';
  return strs(obj(ns, 'spec'), 'finalizers').flatMap((f) => {
    const errs = validateFinalizerName(f, path);
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(
        invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'),
      );
    }
    return errs;
  });
}

export const namespaceStrategy: ResourceStrategy = {
  defaults: defaultNamespace,
  prepareForCreate: prepareNamespaceForCreate,
  validate: validateNamespace,
  validateUpdate: (ns) => validateNamespace(ns),
};
