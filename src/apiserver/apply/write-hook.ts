/**
 * managedFields bookkeeping for create, update and non-apply patch requests: checks the
 * request's field-manager options (422 as upstream), then returns the BeforeWrite hook the
 * resource store runs on the object about to be stored. The hook records an Update entry for
 * the request's manager (upstream's FieldManager.UpdateNoErrors: if the bookkeeping itself
 * fails, the stored entries are kept unchanged) and refuses entries upstream's ObjectMeta
 * validation refuses (a manager name over 128 bytes, ...).
 */
import type { JsonObject } from '../../api/json.ts';
import { objectField } from '../../api/json.ts';
import { ApiError, invalid } from '../../api/status.ts';
import type { ResourceContext } from '../handlers/context.ts';
import type { BeforeWrite } from '../registry/resource-store.ts';
import { nodeRestrictionFor } from '../admission/request-admission.ts';
import { endpointFieldManager } from './endpoint-field-manager.ts';
import { validateManagedFields } from './managed-fields.ts';
import type { WriteOptionsKind } from './write-options.ts';
import { checkWriteOptions } from './write-options.ts';

export async function managedFieldsHook(
  ctx: ResourceContext,
  kind: WriteOptionsKind,
): Promise<BeforeWrite> {
  const { ex, info, def, services } = ctx;
  const { manager } = checkWriteOptions(ex.url.searchParams, kind, ex.header('user-agent') ?? '');
  const subresource = info.subresource ?? '';
  const fieldManager = await endpointFieldManager(def, subresource, services);
  const restriction = nodeRestrictionFor(ctx);
  return (next: JsonObject, current: JsonObject | undefined): void => {
    restriction?.checkWrite(next, current);
    let entries: JsonObject[];
    try {
      entries = fieldManager.update(current, next, manager);
    } catch (err: unknown) {
      if (err instanceof ApiError) throw err;
      keepStoredEntries(next, current);
      return;
    }
    const errors = validateManagedFields(entries);
    if (errors.length > 0) {
      const name = objectField(next, 'metadata')?.['name'];
      throw invalid(def, typeof name === 'string' ? name : '', errors);
    }
  };
}

function keepStoredEntries(next: JsonObject, current: JsonObject | undefined): void {
  const meta = objectField(next, 'metadata');
  if (meta === undefined) return;
  const stored = objectField(current ?? {}, 'metadata')?.['managedFields'];
  if (stored === undefined) Reflect.deleteProperty(meta, 'managedFields');
  else meta['managedFields'] = stored;
}
