/**
 * Checks a value against its schema as upstream's typed conversion does before an apply
 * (typed/validate.go): fields a struct does not declare, values of the wrong shape, and list
 * items whose keys repeat or are missing. Messages are upstream's, each prefixed with the
 * path (`.spec.foo: field not declared in schema`). Scalar type errors print the value as JSON
 * where upstream prints Go's internal representation.
 */
import type { JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import { fieldElement, pathElementString } from './path-element.ts';
import type { Atom, ScalarType } from './schema.ts';
import { TypedValueError, deduceAtom, listItemElement } from './typed-helpers.ts';

export interface TypedError {
  readonly path: string;
  readonly message: string;
}

/** upstream's ValidationErrors.Error(). */
export function typedErrorsText(errors: readonly TypedError[]): string {
  const one = (e: TypedError): string => (e.path === '' ? e.message : `${e.path}: ${e.message}`);
  if (errors.length === 1 && errors[0] !== undefined) return one(errors[0]);
  return ['errors:', ...errors.map((e) => `  ${one(e)}`)].join('\n');
}

export function validateTyped(value: JsonValue, root: Atom): TypedError[] {
  const errors: TypedError[] = [];
  visit(value, root, '', errors);
  return errors;
}

function goType(v: JsonValue): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return v === null ? '<nil>' : 'map[string]interface {}';
}

function scalarError(t: ScalarType, v: JsonValue): string | undefined {
  if (v === null) return undefined;
  const text = JSON.stringify(v);
  switch (t) {
    case 'numeric':
      return typeof v === 'number'
        ? undefined
        : `expected numeric (int or float), got ${goType(v)}`;
    case 'string':
      return typeof v === 'string' ? undefined : `expected string, got ${text}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `expected boolean, got ${text}`;
    case 'untyped':
      return typeof v === 'object' ? `expected any scalar, got ${text}` : undefined;
  }
}

function visit(value: JsonValue, atom: Atom, path: string, errors: TypedError[]): void {
  const a = deduceAtom(atom, value);
  if (a.map !== undefined) {
    if (value === null) return;
    if (!isJsonObject(value)) {
      errors.push({ path, message: `expected map, got ${JSON.stringify(value)}` });
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      const childPath = path + pathElementString(fieldElement(key));
      const type = a.map.fields.get(key)?.type ?? a.map.elementType;
      if (type === undefined) {
        errors.push({ path: childPath, message: 'field not declared in schema' });
        return; // upstream stops at the first undeclared field of a map
      }
      visit(v, type.atom, childPath, errors);
    }
    return;
  }
  if (a.scalar !== undefined) {
    const message = scalarError(a.scalar, value);
    if (message !== undefined) errors.push({ path, message });
    return;
  }
  if (a.list !== undefined) {
    if (value === null) return;
    if (!Array.isArray(value)) {
      errors.push({ path, message: `expected list, got ${JSON.stringify(value)}` });
      return;
    }
    const seen = new Set<string>();
    for (let i = 0; i < value.length; i++) {
      const item = value[i] ?? null;
      let segment = `[${String(i)}]`;
      if (a.list.relationship === 'associative') {
        let pe;
        try {
          pe = listItemElement(a.list, item);
        } catch (err: unknown) {
          if (!(err instanceof TypedValueError)) throw err;
          errors.push({ path, message: `element ${String(i)}: ${err.message}` });
          return;
        }
        segment = pathElementString(pe);
        if (seen.has(pe.key))
          errors.push({ path, message: `duplicate entries for key ${segment}` });
        seen.add(pe.key);
      }
      visit(item, a.list.elementType.atom, path + segment, errors);
    }
  }
}
