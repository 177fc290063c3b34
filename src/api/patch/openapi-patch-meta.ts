/**
 * Patch metadata read from an upstream OpenAPI v3 document, as upstream's PatchMetaFromOpenAPIV3
 * reads it: `x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key` on the property,
 * then `allOf[0]` and `$ref` (into `components.schemas`) for the schema below; the root schema of
 * a kind is the one whose `x-kubernetes-group-version-kind` lists it. Where kube-apiserver's own
 * lookup (Go struct tags, PatchMetaFromStruct) fails, this fails the same way: looking inside a
 * map[string]struct value (e.g. CRD `properties`) or an opaque struct (RawExtension). A property
 * the schema does not know gets no metadata instead of an error (upstream cannot meet one, as
 * its typed objects have no unknown fields).
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { OpenApiDocumentNotFoundError } from '../openapi/errors.ts';
import { groupVersionPath, loadOpenApiV3 } from '../openapi/openapi-documents.ts';
import { getOwn, isObject } from './json-values.ts';
import type { FieldPatchMeta, PatchMetaSource } from './patch-meta.ts';
import { NO_PATCH_META } from './patch-meta.ts';
import { smpFailed } from './smp-errors.ts';

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

const REF_PREFIX = '#/components/schemas/';
/** Bound on `allOf`/`$ref` hops when resolving one schema (upstream documents use one). */
const MAX_RESOLVE_HOPS = 16;

interface Resolved {
  readonly schema: JsonObject;
  /** The component name the last `$ref` pointed at, '' for an inline schema. */
  readonly name: string;
}

function stringList(value: JsonValue | undefined): readonly string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === 'string');
}

/** Upstream's kind names for a schema type, as reflect prints them in messages. */
function goKindName(schema: JsonObject): string {
  const type = getOwn(schema, 'type');
  const format = getOwn(schema, 'format');
  if (typeof type !== 'string') return 'struct';
  switch (type) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'integer':
      return format === 'int64' ? 'int64' : 'int32';
    case 'number':
      return 'float64';
    case 'array':
      return 'slice';
    default:
      return 'struct';
  }
}

/** An index over one OpenAPI v3 document: root schemas by kind, patch metadata by field. */
export class OpenApiPatchMetaIndex {
  private readonly schemas: JsonObject;
  private kinds: Map<string, string> | undefined;
  private readonly sources = new WeakMap<JsonObject, PatchMetaSource>();
  private readonly fields = new WeakMap<JsonObject, FieldPatchMeta>();

  constructor(document: JsonObject) {
    const components = getOwn(document, 'components');
    const schemas = isObject(components) ? getOwn(components, 'schemas') : undefined;
    this.schemas = isObject(schemas) ? schemas : {};
  }

  /** The schema of a kind (`x-kubernetes-group-version-kind`), or undefined if none lists it. */
  forKind(gvk: GroupVersionKind): PatchMetaSource | undefined {
    if (this.kinds === undefined) {
      this.kinds = new Map();
      for (const [name, schema] of Object.entries(this.schemas)) {
        const listed = isObject(schema) ? getOwn(schema, 'x-kubernetes-group-version-kind') : null;
        if (!Array.isArray(listed)) continue;
        for (const g of listed) {
          if (!isObject(g)) continue;
          const [group, version, kind] = [g['group'], g['version'], g['kind']];
          if (typeof group !== 'string' || typeof version !== 'string') continue;
          if (typeof kind !== 'string') continue;
          const key = `${group}/${version}/${kind}`;
          if (!this.kinds.has(key)) this.kinds.set(key, name);
        }
      }
    }
    const name = this.kinds.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
    return name === undefined ? undefined : this.forSchema(name);
  }

  /** The schema `components.schemas[name]`, or undefined. */
  forSchema(name: string): PatchMetaSource | undefined {
    const schema = getOwn(this.schemas, name);
    return isObject(schema) ? this.source({ schema, name }) : undefined;
  }

  /** upstream's resolve(): `allOf[0]`, then `$ref`, until neither is left. */
  private resolve(start: JsonObject): Resolved {
    let schema = start;
    let name = '';
    for (let hop = 0; hop < MAX_RESOLVE_HOPS; hop++) {
      const allOf = getOwn(schema, 'allOf');
      const first = Array.isArray(allOf) ? allOf[0] : undefined;
      if (isObject(first ?? null)) {
        schema = first as JsonObject;
        continue;
      }
      const ref = getOwn(schema, '$ref');
      if (typeof ref !== 'string') return { schema, name };
      const target = ref.startsWith(REF_PREFIX)
        ? getOwn(this.schemas, ref.slice(REF_PREFIX.length))
        : undefined;
      if (!isObject(target)) throw smpFailed(`unable to resolve ${ref} in OpenAPI V3`);
      schema = target;
      name = ref.slice(REF_PREFIX.length);
    }
    throw smpFailed(`too many $ref hops resolving a schema in OpenAPI V3`);
  }

  private source(resolved: Resolved): PatchMetaSource {
    const cached = this.sources.get(resolved.schema);
    if (cached !== undefined) return cached;
    const { schema, name } = resolved;
    const properties = getOwn(schema, 'properties');
    const additional = getOwn(schema, 'additionalProperties');
    const shortName = name.slice(name.lastIndexOf('.') + 1);
    let source: PatchMetaSource;
    if (isObject(properties) && Object.keys(properties).length > 0) {
      source = {
        name: 'struct',
        lookupField: (key) => {
          const prop = getOwn(properties, key);
          return isObject(prop) ? this.field(prop) : NO_PATCH_META.lookupField(key);
        },
      };
    } else if (isObject(additional) || additional === true) {
      // A Go map: upstream's forkedjson lookup refuses to look for fields in it.
      source = {
        name: 'map',
        lookupField: () => {
          throw smpFailed('merging an object in json but data type is not struct, instead is: map');
        },
      };
    } else {
      const kind = goKindName(schema);
      source = {
        name: kind,
        lookupField: (key) => {
          throw smpFailed(
            kind === 'struct'
              ? `unable to find api field in struct ${shortName} for the json field "${key}"`
              : `merging an object in json but data type is not struct, instead is: ${kind}`,
          );
        },
      };
    }
    this.sources.set(schema, source);
    return source;
  }

  private field(prop: JsonObject): FieldPatchMeta {
    const cached = this.fields.get(prop);
    if (cached !== undefined) return cached;
    const strategy = getOwn(prop, 'x-kubernetes-patch-strategy');
    const mergeKey = getOwn(prop, 'x-kubernetes-patch-merge-key');
    const listType = getOwn(prop, 'x-kubernetes-list-type');
    const items = getOwn(prop, 'items');
    let fieldSchema: PatchMetaSource | undefined;
    let itemSchema: PatchMetaSource | undefined;
    const below = (schema: JsonObject): PatchMetaSource => this.source(this.resolve(schema));
    const meta: FieldPatchMeta = {
      strategies: typeof strategy === 'string' ? strategy.split(',') : [],
      mergeKey: typeof mergeKey === 'string' ? mergeKey : '',
      listType: typeof listType === 'string' ? listType : undefined,
      listMapKeys: stringList(getOwn(prop, 'x-kubernetes-list-map-keys')),
      // Resolved on first use: the schema graph is cyclic (JSONSchemaProps refers to itself).
      get fieldSchema(): PatchMetaSource {
        fieldSchema ??= below(prop);
        return fieldSchema;
      },
      get itemSchema(): PatchMetaSource {
        itemSchema ??= below(isObject(items ?? null) ? (items as JsonObject) : prop);
        return itemSchema;
      },
    };
    this.fields.set(prop, meta);
    return meta;
  }
}

/**
 * Documents already indexed, keyed by the (cached, immutable) document object; a WeakMap, so it
 * holds nothing the document cache does not.
 */
const indexes = new WeakMap<JsonObject, OpenApiPatchMetaIndex>();

/**
 * The patch metadata of a built-in kind from the shipped upstream documents, or undefined when
 * no document or schema describes it (custom resources: upstream refuses strategic merge patch
 * for them with 415 Unsupported Media Type).
 */
export async function loadPatchMetaForKind(
  gvk: GroupVersionKind,
): Promise<PatchMetaSource | undefined> {
  let document: JsonObject;
  try {
    document = await loadOpenApiV3(groupVersionPath(gvk.group, gvk.version));
  } catch (err: unknown) {
    if (err instanceof OpenApiDocumentNotFoundError) return undefined;
    throw err;
  }
  let index = indexes.get(document);
  if (index === undefined) {
    index = new OpenApiPatchMetaIndex(document);
    indexes.set(document, index);
  }
  return index.forKind(gvk);
}
