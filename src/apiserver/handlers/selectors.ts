/**
 * Compiles `labelSelector` and `fieldSelector` query parameters into one predicate over
 * objects (undefined when neither is given), with upstream's parsing, per-kind field label
 * conversion and messages. A bad selector is a 400 BadRequest.
 */
import { objectField } from '../../api/json.ts';
import type { JsonObject } from '../../api/json.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import { badRequest } from '../../api/status.ts';
import { SelectorError } from '../../api/selectors/errors.ts';
import { FieldSelector } from '../../api/selectors/field-selector.ts';
import { LabelSelector } from '../../api/selectors/label-selector.ts';
import { convertFieldSelector, selectableFields } from '../../api/selectors/selectable-fields.ts';

export type ObjectFilter = (obj: JsonObject) => boolean;

export function compileSelectors(
  def: ResourceDefinition,
  q: URLSearchParams,
): ObjectFilter | undefined {
  const labelText = q.get('labelSelector') ?? '';
  const fieldText = q.get('fieldSelector') ?? '';
  if (labelText === '' && fieldText === '') return undefined;
  let labels: LabelSelector;
  let fields: FieldSelector;
  try {
    labels = LabelSelector.parse(labelText);
    fields = convertFieldSelector(def, FieldSelector.parse(fieldText));
  } catch (err: unknown) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
  return compileFilter(def, labels, fields);
}

export function compileFilter(
  def: ResourceDefinition,
  labels: LabelSelector,
  fields: FieldSelector,
): ObjectFilter | undefined {
  const labelsAll = labels.isEmpty() && !labels.selectsNothing;
  const fieldsAll = fields.isEmpty() && !fields.selectsNothing;
  if (labelsAll && fieldsAll) return undefined;
  return (obj) => {
    if (!labelsAll) {
      const raw = objectField(obj, 'metadata')?.['labels'];
      const objLabels: Record<string, string> = {};
      if (raw !== undefined && raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
        for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') objLabels[k] = v;
      }
      if (!labels.matches(objLabels)) return false;
    }
    return fieldsAll || fields.matches(selectableFields(def, obj, def.namespaced));
  };
}
