/**
 * What the API server knows about one kind: its group/version/kind, REST names, scope,
 * subresources and the strategy hooks (defaults, validation, printing, field selection). Adding
 * a kind is an entry in `builtin-resources.ts` plus its hooks, never a new handler.
 */
import type { JsonObject } from './json.ts';

export type Verb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export const ALL_VERBS: readonly Verb[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

/**
 * Subresources served by the generic handlers: `status` and `scale` (get/update/patch of a part
 * of the object), and the action subresources whose handlers later components provide.
 */
export type SubresourceName =
  | 'status'
  | 'finalize'
  | 'scale'
  | 'binding'
  | 'eviction'
  | 'approval'
  | 'token'
  | 'log'
  | 'exec'
  | 'attach'
  | 'portforward';

import type { FieldError } from './validation/field-error.ts';

export type { FieldError };

/** A server-side printer: upstream's column definitions and one row of cells per object. */
export interface TableColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly format: string;
  readonly description: string;
  /** 0: always shown; 1: only with `-o wide`. */
  readonly priority: number;
}

export interface Printer {
  readonly columns: readonly TableColumn[];
  /** Cells for one object, in column order; `now` for ages. */
  cells(obj: JsonObject, now: Date): (string | number | boolean | null)[];
}

export interface ResourceStrategy {
  /** Fills defaults in place (upstream's SetDefaults_*). Runs on create and update. */
  readonly defaults?: (obj: JsonObject) => void;
  /**
   * Create-only changes made in place after the server-owned metadata is set and before
   * defaulting and validation (upstream's PrepareForCreate: a fresh status, generated fields).
   */
  readonly prepareForCreate?: (obj: JsonObject) => void;
  /**
   * Update-only changes made in place after the generic merge and before defaulting and
   * validation (upstream's PrepareForUpdate: keep allocated or immutable values from `old`).
   */
  readonly prepareForUpdate?: (obj: JsonObject, old: JsonObject) => void;
  /** Errors for a new object (beyond the generic metadata checks). */
  readonly validate?: (obj: JsonObject) => FieldError[];
  /** Errors for an update (immutable fields, transitions). */
  readonly validateUpdate?: (obj: JsonObject, old: JsonObject) => FieldError[];
  readonly printer?: Printer;
}

export interface ResourceDefinition {
  /** '' for the core (legacy) group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Lowercase plural, the REST path segment: `pods`. */
  readonly plural: string;
  /** Lowercase singular: `pod`. */
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  /** Default: every verb. */
  readonly verbs?: readonly Verb[];
  readonly subresources?: readonly SubresourceName[];
  /**
   * Not stored: a create answers a computed object (reviews such as SelfSubjectAccessReview,
   * whose handler the API server provides). Default: false.
   */
  readonly ephemeral?: boolean;
  /**
   * Stored as another kind's objects (upstream stores events.k8s.io/v1 Events as core/v1 Events):
   * the storage folder of `resource` (a plural, `.group` for named groups), and the conversions
   * to and from the stored form. Default: stored as itself.
   */
  readonly storedAs?: {
    readonly resource: string;
    readonly toStored: (obj: JsonObject) => JsonObject;
    readonly fromStored: (obj: JsonObject) => JsonObject;
  };
  /**
   * With a status subresource, the main resource ignores status changes and the status
   * subresource ignores everything else, and `metadata.generation` counts spec changes only.
   */
  readonly strategy?: ResourceStrategy;
}

/** `apps/v1`, or `v1` for the core group. */
export function groupVersion(def: { readonly group: string; readonly version: string }): string {
  return def.group === '' ? def.version : `${def.group}/${def.version}`;
}

export function hasSubresource(def: ResourceDefinition, sub: SubresourceName): boolean {
  return def.subresources?.includes(sub) ?? false;
}

export function verbsOf(def: ResourceDefinition): readonly Verb[] {
  return def.verbs ?? ALL_VERBS;
}
