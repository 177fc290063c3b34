/**
 * The schema seam of the strategic merge patch: how a field is patched (its
 * `x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key`) and the schema to use below
 * it. Mirrors upstream's LookupPatchMeta. A source may throw StrategicMergePatchError where
 * upstream's lookup fails (a field inside a map[string]struct, see openapi-patch-meta.ts).
 */

export interface FieldPatchMeta {
  /** `x-kubernetes-patch-strategy` split on `,` (e.g. `['merge', 'retainKeys']`); empty if none. */
  readonly strategies: readonly string[];
  /** `x-kubernetes-patch-merge-key`, or '' when the field has none (as upstream's GetPatchMergeKey). */
  readonly mergeKey: string;
  /** `x-kubernetes-list-type` (informational: strategic merge ignores it, as upstream does). */
  readonly listType: string | undefined;
  /** `x-kubernetes-list-map-keys` (informational, for server-side apply). */
  readonly listMapKeys: readonly string[] | undefined;
  /** The schema of the field's value, for a field holding an object. */
  readonly fieldSchema: PatchMetaSource;
  /** The schema of the field's items, for a field holding a list. */
  readonly itemSchema: PatchMetaSource;
}

export interface PatchMetaSource {
  /** The Go kind upstream prints for this schema in "cannot merge lists without merge key for %s". */
  readonly name: string;
  /** Patch metadata of field `key` of the object this schema describes. */
  lookupField(key: string): FieldPatchMeta;
}

const EMPTY_META: FieldPatchMeta = {
  strategies: [],
  mergeKey: '',
  listType: undefined,
  listMapKeys: undefined,
  get fieldSchema(): PatchMetaSource {
    return NO_PATCH_META;
  },
  get itemSchema(): PatchMetaSource {
    return NO_PATCH_META;
  },
};

/**
 * A schema with no patch metadata anywhere: every map merges and every list is replaced, i.e. a
 * JSON merge patch with directives. Upstream's PatchMetaFromOpenAPIV3 with a nil schema.
 */
export const NO_PATCH_META: PatchMetaSource = {
  name: 'Struct',
  lookupField(): FieldPatchMeta {
    return EMPTY_META;
  },
};
