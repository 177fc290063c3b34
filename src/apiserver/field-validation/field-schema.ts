/**
 * The field structure of a kind, compiled from its OpenAPI v3 schema into the four shapes Go's
 * strict JSON decoding tells apart: a struct (known fields only), a map, a list, and an opaque
 * value (scalars, int-or-string, RawExtension, preserve-unknown-fields), whose insides Go never
 * checks. Compiled lazily per document and cached per group-version-kind; recursive schemas
 * (JSONSchemaProps) compile to cyclic nodes.
 */
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import { OpenApiDocumentNotFoundError } from '../../api/openapi/errors.ts';
import { groupVersionPath, loadOpenApiV3 } from '../../api/openapi/openapi-documents.ts';

export type FieldNode = StructNode | MapNode | ListNode | OpaqueNode;

/** A Go struct: only `fields` are known; any other key is an unknown field. */
export interface StructNode {
  readonly shape: 'struct';
  readonly fields: ReadonlyMap<string, FieldNode>;
}
/** A Go map: every key is allowed, each value has the shape `value`. */
export interface MapNode {
  readonly shape: 'map';
  readonly value: FieldNode;
}
export interface ListNode {
  readonly shape: 'list';
  readonly item: FieldNode;
}
/** Decoded as a whole (a scalar or a custom unmarshaler): nothing inside is checked. */
export interface OpaqueNode {
  readonly shape: 'opaque';
}

export const OPAQUE: OpaqueNode = { shape: 'opaque' };

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

const REF_PREFIX = '#/components/schemas/';

/** Compiles the schemas of one OpenAPI v3 document, memoizing each named schema. */
export class SchemaCompiler {
  readonly #schemas: JsonObject;
  readonly #named = new Map<string, FieldNode>();

  constructor(document: JsonObject) {
    const components = document['components'];
    const schemas = isJsonObject(components) ? components['schemas'] : undefined;
    this.#schemas = isJsonObject(schemas) ? schemas : {};
  }

  /** The schema name (`io.k8s.api.apps.v1.Deployment`) whose x-kubernetes-group-version-kind lists gvk. */
  nameOf(gvk: GroupVersionKind): string | undefined {
    for (const [name, schema] of Object.entries(this.#schemas)) {
      if (!isJsonObject(schema)) continue;
      const list = schema['x-kubernetes-group-version-kind'];
      if (!Array.isArray(list)) continue;
      const hit = list.some(
        (e) =>
          isJsonObject(e) &&
          e['group'] === gvk.group &&
          e['version'] === gvk.version &&
          e['kind'] === gvk.kind,
      );
      if (hit) return name;
    }
    return undefined;
  }

  /** The node of a named schema (`components.schemas[name]`); opaque when absent. */
  named(name: string): FieldNode {
    const hit = this.#named.get(name);
    if (hit !== undefined) return hit;
    const schema = this.#schemas[name];
    if (!isJsonObject(schema)) return OPAQUE;
    if (isStructSchema(schema)) {
      // Registered before its fields compile, so a schema that refers to itself terminates.
      const fields = new Map<string, FieldNode>();
      const node: StructNode = { shape: 'struct', fields };
      this.#named.set(name, node);
      this.#fillFields(fields, schema);
      return node;
    }
    const node = this.compile(schema);
    this.#named.set(name, node);
    return node;
  }

  /** The node of an inline schema. */
  compile(schema: JsonValue | undefined): FieldNode {
    if (!isJsonObject(schema)) return OPAQUE;
    const ref = schema['$ref'];
    if (typeof ref === 'string') {
      return ref.startsWith(REF_PREFIX) ? this.named(ref.slice(REF_PREFIX.length)) : OPAQUE;
    }
    if (
      schema['x-kubernetes-preserve-unknown-fields'] === true ||
      schema['x-kubernetes-int-or-string'] === true
    ) {
      return OPAQUE;
    }
    const allOf = schema['allOf'];
    if (Array.isArray(allOf) && allOf.length > 0 && !isStructSchema(schema)) {
      // Upstream wraps a `$ref` in allOf to attach a description or default: one part is
      // the type. Several struct parts merge their fields.
      const parts = allOf.map((p) => this.compile(p));
      if (parts.length === 1 || parts.some((p) => p.shape !== 'struct')) return parts[0] ?? OPAQUE;
      const fields = new Map<string, FieldNode>();
      for (const p of parts)
        if (p.shape === 'struct') for (const [k, v] of p.fields) fields.set(k, v);
      return { shape: 'struct', fields };
    }
    if (isStructSchema(schema)) {
      const fields = new Map<string, FieldNode>();
      this.#fillFields(fields, schema);
      return { shape: 'struct', fields };
    }
    if (schema['type'] === 'array') return { shape: 'list', item: this.compile(schema['items']) };
    const additional = schema['additionalProperties'];
    if (isJsonObject(additional) && Object.keys(additional).length > 0) {
      return { shape: 'map', value: this.compile(additional) };
    }
    // Scalars, `type: object` without properties (RawExtension, FieldsV1: custom
    // unmarshalers), `additionalProperties: true` and untyped schemas.
    return OPAQUE;
  }

  #fillFields(fields: Map<string, FieldNode>, schema: JsonObject): void {
    const properties = schema['properties'];
    if (isJsonObject(properties)) {
      for (const [key, value] of Object.entries(properties)) fields.set(key, this.compile(value));
    }
    if (schema['x-kubernetes-embedded-resource'] === true) {
      // An embedded object always carries its own type and metadata.
      for (const key of ['apiVersion', 'kind', 'metadata']) {
        if (!fields.has(key)) fields.set(key, OPAQUE);
      }
    }
  }
}

/** A schema compiled as a struct: it has properties and does not keep unknown fields. */
function isStructSchema(schema: JsonObject): boolean {
  return (
    isJsonObject(schema['properties']) &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true &&
    schema['$ref'] === undefined
  );
}

/** Loads the v3 document of a group-version path (`api/v1`, `apis/apps/v1`). */
export type OpenApiV3Loader = (path: string) => Promise<JsonObject>;

/**
 * Field structures per kind, read through from the shipped OpenAPI v3 documents. Resolves to
 * undefined for a kind no document describes (the caller then skips unknown-field checks).
 */
export class FieldSchemas {
  readonly #load: OpenApiV3Loader;
  readonly #compilers = new Map<string, Promise<SchemaCompiler | undefined>>();
  readonly #kinds = new Map<string, Promise<FieldNode | undefined>>();

  /** `load` defaults to the package's shipped documents. */
  constructor(load: OpenApiV3Loader = loadOpenApiV3) {
    this.#load = load;
  }

  /**
   * The structure of `gvk` as the document of `documentOf` describes it (default: the kind's own
   * group-version; autoscaling/v1 Scale is described in the documents of the resources that have
   * a `/scale` subresource, as `apps/v1`).
   */
  forKind(
    gvk: GroupVersionKind,
    documentOf: { readonly group: string; readonly version: string } = gvk,
  ): Promise<FieldNode | undefined> {
    const path = groupVersionPath(documentOf.group, documentOf.version);
    const key = `${path}#${gvk.group}/${gvk.version}/${gvk.kind}`;
    let hit = this.#kinds.get(key);
    if (hit === undefined) {
      hit = this.#compile(path, gvk);
      this.#kinds.set(key, hit);
    }
    return hit;
  }

  #forget(path: string, pending: Promise<SchemaCompiler | undefined>): void {
    if (this.#compilers.get(path) !== pending) return;
    this.#compilers.delete(path);
    for (const key of [...this.#kinds.keys()]) this.#kinds.delete(key);
  }

  async #compile(path: string, gvk: GroupVersionKind): Promise<FieldNode | undefined> {
    const compiler = await this.#compiler(path);
    const name = compiler?.nameOf(gvk);
    return name === undefined ? undefined : compiler?.named(name);
  }

  #compiler(path: string): Promise<SchemaCompiler | undefined> {
    let hit = this.#compilers.get(path);
    if (hit === undefined) {
      const pending = this.#load(path).then(
        (doc) => new SchemaCompiler(doc),
        (err: unknown) => {
          // No document for this group-version: nothing to check against. Any other failure
          // is not cached, so the next request reads again.
          if (!(err instanceof OpenApiDocumentNotFoundError)) this.#forget(path, pending);
          return undefined;
        },
      );
      hit = pending;
      this.#compilers.set(path, hit);
    }
    return hit;
  }
}

/**
 * The shared instance over the shipped documents: module state, but only a read-through cache
 * of data that never changes while the process runs (as openapi-documents.ts's own cache).
 */
export const shippedFieldSchemas = new FieldSchemas();
