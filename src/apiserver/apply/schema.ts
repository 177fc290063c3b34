/**
 * The structured-merge-diff schema of a kind, converted from an OpenAPI v3 document by
 * kube-openapi's schemaconv rules:
 *   - `x-kubernetes-list-type`: atomic | set (associative, no keys) | map (associative, keyed by
 *     `x-kubernetes-list-map-keys`); without it, `x-kubernetes-patch-strategy: merge` makes an
 *     associative list keyed by `x-kubernetes-patch-merge-key` (a set without one); otherwise
 *     lists are atomic;
 *   - `x-kubernetes-map-type: atomic` makes a map or struct one leaf, on the schema or on a
 *     property's `$ref`;
 *   - objects without properties, `additionalProperties: true` and preserve-unknown-fields
 *     hold "deduced" values (maps granular, lists atomic); Quantity is a scalar and
 *     RawExtension an atomic untyped value; untyped schemas accept any shape.
 * Named types resolve lazily (the schema graph is cyclic). A struct field whose OpenAPI
 * `default` is `{}` is a non-pointer Go struct: it exists (empty) in every typed object, which
 * compare() uses to see JSON objects as upstream sees typed ones.
 */
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';

export type ScalarType = 'numeric' | 'string' | 'boolean' | 'untyped';

export interface StructField {
  readonly type: TypeRef;
  /** The OpenAPI `default`, used for missing associative-list keys (upstream's field.Default). */
  readonly default: JsonValue | undefined;
}

export interface MapType {
  readonly relationship: 'separable' | 'atomic';
  readonly fields: ReadonlyMap<string, StructField>;
  /** The type of keys that are not fields; undefined when unknown keys are not allowed. */
  readonly elementType: TypeRef | undefined;
  /** Fields that exist as `{}` in a zero-valued Go object (non-pointer structs). */
  readonly zeroFields: readonly string[];
  /** OpenAPI `required` fields (Go fields without omitempty: present even when zero). */
  readonly required: readonly string[];
}

export interface ListType {
  readonly relationship: 'atomic' | 'associative';
  readonly keys: readonly string[];
  readonly elementType: TypeRef;
}

/** upstream's schema.Atom: at most one of each; several for untyped values. */
export interface Atom {
  readonly scalar?: ScalarType;
  readonly list?: ListType;
  readonly map?: MapType;
}

/** A lazily resolved type. */
export interface TypeRef {
  readonly atom: Atom;
}

function lazy(resolve: () => Atom): TypeRef {
  let atom: Atom | undefined;
  return {
    get atom(): Atom {
      atom ??= resolve();
      return atom;
    },
  };
}

const fixed = (atom: Atom): TypeRef => ({ atom });

const NO_FIELDS: ReadonlyMap<string, StructField> = new Map();

/** upstream's `__untyped_atomic_`: any value, as one leaf. */
export const UNTYPED: Atom = {
  scalar: 'untyped',
  get list(): ListType {
    return { relationship: 'atomic', keys: [], elementType: fixed(UNTYPED) };
  },
  get map(): MapType {
    return {
      relationship: 'atomic',
      fields: NO_FIELDS,
      elementType: fixed(UNTYPED),
      zeroFields: [],
      required: [],
    };
  },
};

/** upstream's `__untyped_deduced_`: maps are granular, lists atomic. */
export const DEDUCED: Atom = {
  scalar: 'untyped',
  list: { relationship: 'atomic', keys: [], elementType: fixed(UNTYPED) },
  get map(): MapType {
    return DEDUCED_MAP;
  },
};
const DEDUCED_MAP: MapType = {
  relationship: 'separable',
  fields: NO_FIELDS,
  elementType: fixed(DEDUCED),
  zeroFields: [],
  required: [],
};

const REF_PREFIX = '#/components/schemas/';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

const str = (v: JsonValue | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;

/** Converts the schemas of one OpenAPI v3 document, memoizing each named type. */
export class OpenApiSmdSchema {
  readonly #schemas: JsonObject;
  readonly #named = new Map<string, Atom>();
  #kinds: Map<string, string> | undefined;

  constructor(document: JsonObject) {
    const components = document['components'];
    const schemas = isJsonObject(components) ? components['schemas'] : undefined;
    this.#schemas = isJsonObject(schemas) ? schemas : {};
  }

  /** The root type of a kind (the schema listing it in x-kubernetes-group-version-kind). */
  forKind(group: string, version: string, kind: string): Atom | undefined {
    if (this.#kinds === undefined) {
      this.#kinds = new Map();
      for (const [name, schema] of Object.entries(this.#schemas)) {
        const gvks = isJsonObject(schema) ? schema['x-kubernetes-group-version-kind'] : undefined;
        if (!Array.isArray(gvks)) continue;
        for (const g of gvks) {
          if (!isJsonObject(g)) continue;
          const key = `${str(g['group']) ?? ''}/${str(g['version']) ?? ''}/${str(g['kind']) ?? ''}`;
          if (!this.#kinds.has(key)) this.#kinds.set(key, name);
        }
      }
    }
    const name = this.#kinds.get(`${group}/${version}/${kind}`);
    return name === undefined ? undefined : this.named(name);
  }

  named(name: string): Atom {
    const hit = this.#named.get(name);
    if (hit !== undefined) return hit;
    let atom: Atom;
    if (name === QUANTITY) atom = { scalar: 'untyped' };
    else if (name === RAW_EXTENSION) atom = UNTYPED;
    else {
      const schema = this.#schemas[name];
      atom = isJsonObject(schema) ? this.#parse(schema, false) : DEDUCED;
    }
    this.#named.set(name, atom);
    return atom;
  }

  #parse(m: JsonObject, inheritedPreserve: boolean): Atom {
    const preserve = inheritedPreserve || m['x-kubernetes-preserve-unknown-fields'] === true;
    const type = typeof m['type'] === 'string' ? m['type'] : undefined;
    switch (type) {
      case undefined:
        return {
          scalar: 'untyped',
          list: this.#list(m, preserve),
          map: this.#map(m, preserve),
        };
      case 'object':
        return { map: this.#map(m, preserve) };
      case 'array':
        return { list: this.#list(m, preserve) };
      case 'integer':
      case 'number':
        return { scalar: 'numeric' };
      case 'boolean':
        return { scalar: 'boolean' };
      case 'string':
        return {
          scalar: m['format'] === undefined || m['format'] === 'byte' ? 'string' : 'untyped',
        };
      default:
        return { scalar: 'untyped' };
    }
  }

  /** upstream's makeOpenAPIRef: a `$ref` (or a one-element `allOf` of one), or an inline type. */
  #ref(prop: JsonObject, preserve: boolean): TypeRef {
    const allOf = prop['allOf'];
    const only = Array.isArray(allOf) && allOf.length === 1 ? allOf[0] : undefined;
    const ref = str(prop['$ref']) ?? (isJsonObject(only) ? str(only['$ref']) : undefined);
    if (ref !== undefined) {
      const name = ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
      const mapType = prop['x-kubernetes-map-type'];
      if (mapType === 'atomic' || mapType === 'granular') {
        const relationship = mapType === 'atomic' ? 'atomic' : 'separable';
        return lazy(() => withMapRelationship(this.named(name), relationship));
      }
      return lazy(() => this.named(name));
    }
    return lazy(() => this.#parse(prop, preserve));
  }

  #map(m: JsonObject, preserve: boolean): MapType {
    const properties = isJsonObject(m['properties']) ? m['properties'] : {};
    const fields = new Map<string, StructField>();
    const zeroFields: string[] = [];
    for (const [name, prop] of Object.entries(properties)) {
      if (!isJsonObject(prop)) continue;
      const def = prop['default'];
      fields.set(name, { type: this.#ref(prop, preserve), default: def });
      if (isJsonObject(def) && Object.keys(def).length === 0 && refersToStruct(prop)) {
        zeroFields.push(name);
      }
    }
    const additional = m['additionalProperties'];
    let elementType: TypeRef | undefined;
    if (additional === undefined) {
      elementType = preserve || fields.size === 0 ? fixed(DEDUCED) : undefined;
    } else if (isJsonObject(additional)) {
      elementType = this.#ref(additional, preserve);
    } else if (additional === true) {
      elementType = fixed(DEDUCED);
    }
    const relationship = m['x-kubernetes-map-type'] === 'atomic' ? 'atomic' : 'separable';
    const required = Array.isArray(m['required'])
      ? m['required'].filter((r): r is string => typeof r === 'string' && fields.has(r))
      : [];
    return { relationship, fields, elementType, zeroFields, required };
  }

  #list(m: JsonObject, preserve: boolean): ListType {
    const items = m['items'];
    const elementType = isJsonObject(items) ? this.#ref(items, preserve) : fixed(UNTYPED);
    const listType = m['x-kubernetes-list-type'];
    if (listType === 'set') return { relationship: 'associative', keys: [], elementType };
    if (listType === 'map') {
      const keys = m['x-kubernetes-list-map-keys'];
      return {
        relationship: 'associative',
        keys: Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [],
        elementType,
      };
    }
    if (listType === undefined) {
      const strategy = m['x-kubernetes-patch-strategy'];
      if (strategy === 'merge' || strategy === 'merge,retainKeys') {
        const key = str(m['x-kubernetes-patch-merge-key']);
        return { relationship: 'associative', keys: key === undefined ? [] : [key], elementType };
      }
    }
    return { relationship: 'atomic', keys: [], elementType };
  }
}

/** A property whose schema is a `$ref` (a named struct in upstream's documents). */
function refersToStruct(prop: JsonObject): boolean {
  const allOf = prop['allOf'];
  return typeof prop['$ref'] === 'string' || (Array.isArray(allOf) && allOf.length === 1);
}

function withMapRelationship(atom: Atom, relationship: 'atomic' | 'separable'): Atom {
  if (atom.map === undefined) return atom;
  return { ...atom, map: { ...atom.map, relationship } };
}
