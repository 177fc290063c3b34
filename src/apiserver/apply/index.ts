/**
 * Server-side apply and managedFields (upstream's structured-merge-diff and field manager):
 * handleApply serves `application/apply-patch+yaml` PATCHes; managedFieldsHook gives create,
 * update and patch handlers the hook that records Update entries on every write.
 */
export { APPLY_PATCH_MEDIA_TYPE } from './apply-config.ts';
export { handleApply } from './apply-handler.ts';
export { managedFieldsHook } from './write-hook.ts';
export { FieldManager } from './field-manager.ts';
export type { FieldManagerOptions } from './field-manager.ts';
export { FieldSet } from './field-set.ts';
export { fromFieldsV1, toFieldsV1 } from './fields-v1.ts';
export { ApplyConflictError } from './conflicts.ts';
