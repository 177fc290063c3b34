/**
 * One step of a field path, as structured-merge-diff's fieldpath.PathElement: a field name
 * (`f:spec`), the key of an associative-list item (`k:{"name":"web"}`), a set member
 * (`v:"a"`) or a list index (`i:0`). Each element carries its FieldsV1 serialization, which is
 * canonical (key fields sorted, values in Go's JSON encoding), so two elements are equal exactly
 * when their `key`s are. Ordering follows upstream's PathElement.Compare: fields < keys <
 * values < indexes, then by name, key fields or value (value.Compare across JSON types).
 */
import type { JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import { compareGoStrings, goQuote } from '../../api/validation/go-format.ts';

export interface KeyField {
  readonly name: string;
  readonly value: JsonValue;
}

export type PathElement =
  | { readonly type: 'field'; readonly name: string; readonly key: string }
  | { readonly type: 'key'; readonly fields: readonly KeyField[]; readonly key: string }
  | { readonly type: 'value'; readonly value: JsonValue; readonly key: string }
  | { readonly type: 'index'; readonly index: number; readonly key: string };

export type Path = readonly PathElement[];

/** Raised for a FieldsV1 key that does not parse (upstream's DeserializePathElement errors). */
export class PathElementError extends Error {
  readonly code = 'APPLY_BAD_PATH_ELEMENT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PathElementError';
  }
}

const fieldCache = new Map<string, PathElement>();
const FIELD_CACHE_LIMIT = 10_000;

/** `f:<name>`. Field elements are interned: objects repeat the same few hundred names. */
export function fieldElement(name: string): PathElement {
  const hit = fieldCache.get(name);
  if (hit !== undefined) return hit;
  const pe: PathElement = { type: 'field', name, key: `f:${name}` };
  // Bounded, so unknown-field keys from clients cannot grow it without limit.
  if (fieldCache.size < FIELD_CACHE_LIMIT) fieldCache.set(name, pe);
  return pe;
}

/** `k:{...}` of an associative-list item; `fields` need not be sorted. */
export function keyElement(fields: readonly KeyField[]): PathElement {
  const sorted = [...fields].sort((a, b) => compareGoStrings(a.name, b.name));
  const body = sorted.map((f) => `${goJson(f.name)}:${goJson(f.value)}`).join(',');
  return { type: 'key', fields: sorted, key: `k:{${body}}` };
}

/** `v:<json>` of a set member. */
export function valueElement(value: JsonValue): PathElement {
  return { type: 'value', value, key: `v:${goJson(value)}` };
}

export function indexElement(index: number): PathElement {
  return { type: 'index', index, key: `i:${String(index)}` };
}

/**
 * A JSON value as Go's encoding/json writes it (jsoniter's standard-library mode does the same):
 * `<`, `>`, `&`, U+2028 and U+2029 escaped, object keys sorted.
 */
export function goJson(value: JsonValue): string {
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort(compareGoStrings);
    return `{${keys.map((k) => `${goJson(k)}:${goJson(value[k] ?? null)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const text = JSON.stringify(value);
  return typeof value === 'string' ? escapeHtml(text) : text;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

function escapeHtml(text: string): string {
  return /[<>&\u2028\u2029]/.test(text)
    ? text.replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c] ?? c)
    : text;
}

/** Parses one FieldsV1 key; undefined for an unknown element type (upstream skips those). */
export function parsePathElement(key: string): PathElement | undefined {
  if (key.length < 2 || key[1] !== ':') {
    throw new PathElementError(
      key.length < 2 ? 'key must be 2 characters long:' : `missing colon: ${key}`,
    );
  }
  const body = key.slice(2);
  switch (key.charAt(0)) {
    case 'f':
      return fieldElement(body);
    case 'v':
      return valueElement(parseJson(body));
    case 'k': {
      const parsed = parseJson(body);
      if (!isJsonObject(parsed)) throw new PathElementError(`key element is not an object: ${key}`);
      return keyElement(Object.entries(parsed).map(([name, value]) => ({ name, value })));
    }
    case 'i': {
      if (!/^[+-]?\d+$/.test(body)) throw new PathElementError(`invalid index: ${key}`);
      return indexElement(Number(body));
    }
    default:
      return undefined;
  }
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err: unknown) {
    throw new PathElementError(`invalid JSON in path element: ${text}`, { cause: err });
  }
}

const TYPE_ORDER = { field: 0, key: 1, value: 2, index: 3 } as const;

/** Upstream's PathElement.Compare. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a.type !== b.type) return TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
  switch (a.type) {
    case 'field':
      return compareGoStrings(a.name, (b as typeof a).name);
    case 'key':
      return compareKeyFields(a.fields, (b as typeof a).fields);
    case 'value':
      return compareValues(a.value, (b as typeof a).value);
    case 'index':
      return Math.sign(a.index - (b as typeof a).index);
  }
}

function compareKeyFields(a: readonly KeyField[], b: readonly KeyField[]): number {
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return y === undefined ? 0 : -1;
    if (y === undefined) return 1;
    const c = compareGoStrings(x.name, y.name) || compareValues(x.value, y.value);
    if (c !== 0) return c;
  }
}

function rank(v: JsonValue): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v === null) return 5;
  return 4;
}

/** Upstream's value.Compare: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number') return Math.sign(a - (b as number));
  if (typeof a === 'string') return compareGoStrings(a, b as string);
  if (typeof a === 'boolean') return Number(a) - Number(b);
  if (Array.isArray(a)) {
    const l = b as JsonValue[];
    for (let i = 0; i < Math.min(a.length, l.length); i++) {
      const c = compareValues(a[i] ?? null, l[i] ?? null);
      if (c !== 0) return c;
    }
    return Math.sign(a.length - l.length);
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a).sort(compareGoStrings);
    const kb = Object.keys(b).sort(compareGoStrings);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const x = ka[i] ?? '';
      const y = kb[i] ?? '';
      const c = compareGoStrings(x, y) || compareValues(a[x] ?? null, b[y] ?? null);
      if (c !== 0) return c;
    }
    return Math.sign(ka.length - kb.length);
  }
  return 0;
}

/** value.ToString: strings quoted as Go's %q, everything else as JSON. */
function valueText(v: JsonValue): string {
  return typeof v === 'string' ? goQuote(v) : JSON.stringify(v);
}

/** Upstream's PathElement.String(): `.name`, `[k=v,k2=v2]`, `[=v]`, `[3]`. */
export function pathElementString(pe: PathElement): string {
  switch (pe.type) {
    case 'field':
      return `.${pe.name}`;
    case 'key':
      return `[${pe.fields.map((f) => `${f.name}=${valueText(f.value)}`).join(',')}]`;
    case 'value':
      return `[=${valueText(pe.value)}]`;
    case 'index':
      return `[${String(pe.index)}]`;
  }
}

/** Upstream's Path.String(): the elements' strings concatenated. */
export function pathString(path: Path): string {
  return path.map(pathElementString).join('');
}
