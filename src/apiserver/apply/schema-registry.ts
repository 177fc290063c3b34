/**
 * The structured-merge-diff schema of each kind, read through from the shipped OpenAPI v3
 * documents and cached per group-version document. A kind no document describes gets the
 * deduced schema (maps granular, lists atomic), which is what upstream uses for custom
 * resources that preserve unknown fields. A failed read is not cached.
 */
import type { JsonObject } from '../../api/json.ts';
import { OpenApiDocumentNotFoundError } from '../../api/openapi/errors.ts';
import { groupVersionPath, loadOpenApiV3 } from '../../api/openapi/openapi-documents.ts';
import type { Atom } from './schema.ts';
import { DEDUCED, OpenApiSmdSchema } from './schema.ts';

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** Loads the v3 document of a group-version path (`api/v1`, `apis/apps/v1`). */
export type OpenApiV3Loader = (path: string) => Promise<JsonObject>;

export class SmdSchemas {
  readonly #load: OpenApiV3Loader;
  readonly #documents = new Map<string, Promise<OpenApiSmdSchema | undefined>>();

  /** `load` defaults to the package's shipped documents. */
  constructor(load: OpenApiV3Loader = loadOpenApiV3) {
    this.#load = load;
  }

  async forKind(gvk: GroupVersionKind): Promise<Atom> {
    const schema = await this.#document(groupVersionPath(gvk.group, gvk.version));
    return schema?.forKind(gvk.group, gvk.version, gvk.kind) ?? DEDUCED;
  }

  #document(path: string): Promise<OpenApiSmdSchema | undefined> {
    let hit = this.#documents.get(path);
    if (hit === undefined) {
      const pending = this.#load(path).then(
        (doc) => new OpenApiSmdSchema(doc),
        (err: unknown) => {
          if (err instanceof OpenApiDocumentNotFoundError) return undefined;
          if (this.#documents.get(path) === pending) this.#documents.delete(path);
          throw err;
        },
      );
      hit = pending;
      this.#documents.set(path, hit);
    }
    return hit;
  }
}

/**
 * The shared instance over the shipped documents: module state, but only a read-through cache
 * of files that never change while the process runs (as openapi-documents.ts's own cache).
 */
export const shippedSmdSchemas = new SmdSchemas();
