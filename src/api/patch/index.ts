/**
 * The patch engines the API server's PATCH handler calls, one per content type:
 * `application/json-patch+json` (applyJsonPatch), `application/merge-patch+json`
 * (applyMergePatch) and `application/strategic-merge-patch+json` (applyStrategicMergePatch with
 * the kind's PatchMetaSource). All are pure functions that throw PatchError subclasses carrying
 * the HTTP status and Status message kube-apiserver would answer with.
 */
export {
  GENERIC_INVALID_MESSAGE,
  JsonPatchCopyTooLargeError,
  JsonPatchOperationError,
  JsonPatchTestFailedError,
  PatchError,
  PatchMalformedError,
  PatchTooDeepError,
  PatchTooManyOperationsError,
  StrategicMergePatchError,
  isPatchError,
} from './errors.ts';
export type { PatchErrorCode, PatchErrorReason } from './errors.ts';
export { DEFAULT_MAX_DEPTH } from './json-values.ts';
export { parsePatchBody } from './patch-body.ts';
export type { ParsePatchBodyOptions } from './patch-body.ts';
export {
  DEFAULT_JSON_PATCH_MAX_COPY_BYTES,
  MAX_JSON_PATCH_OPERATIONS,
  applyJsonPatch,
} from './json-patch.ts';
export type { JsonPatchOptions } from './json-patch.ts';
export { BAD_JSON_PATCH_MESSAGE, applyMergePatch } from './merge-patch.ts';
export type { MergePatchOptions } from './merge-patch.ts';
export { applyStrategicMergePatch } from './strategic-merge-patch.ts';
export type { StrategicMergePatchOptions } from './strategic-merge-patch.ts';
export { NO_PATCH_META } from './patch-meta.ts';
export type { FieldPatchMeta, PatchMetaSource } from './patch-meta.ts';
export { OpenApiPatchMetaIndex, loadPatchMetaForKind } from './openapi-patch-meta.ts';
export type { GroupVersionKind } from './openapi-patch-meta.ts';
