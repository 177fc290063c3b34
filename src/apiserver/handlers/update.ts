/** PUT: replaces an object, its status, or its scale; 409 on a stale resourceVersion. */
import { isJsonObject } from '../../api/json.ts';
import { methodNotAllowed } from '../../api/status.ts';
import { managedFieldsHook } from '../apply/index.ts';
import { checkFieldValidation } from '../field-validation/index.ts';
import type { GroupVersionKind } from '../field-validation/index.ts';
import { decodeObjectBody } from '../http/decode-body.ts';
import { checkTypeAndNamespace } from '../registry/object-meta.ts';
import type { ResourceContext } from './context.ts';
import { endpointKind, isDryRun } from './context.ts';
import { applyScale, toScale } from './scale.ts';

/** The type a `/scale` body decodes into. */
const SCALE_KIND: GroupVersionKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

export async function handleUpdate(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  const name = info.name ?? '';
  const dryRun = isDryRun(ex.url.searchParams);
  const raw = await ex.readBody();
  const recordManagedFields = await managedFieldsHook(ctx, 'UpdateOptions');
  const contentType = ex.header('content-type');
  const body = decodeObjectBody(raw, contentType, endpointKind(def));
  const validateFields = async (target: GroupVersionKind): Promise<void> => {
    const { warnings } = await checkFieldValidation({
      target,
      documentOf: def,
      body: raw,
      contentType,
      object: body,
      query: ex.url.searchParams,
      options: 'UpdateOptions',
    });
    for (const w of warnings) ex.addWarning(w);
  };
  if (info.subresource === 'scale') {
    await validateFields(SCALE_KIND);
    const updated = await services.resources.guaranteedUpdate(
      def,
      info.namespace,
      name,
      (current) => applyScale(current, body),
      'main',
      dryRun,
      recordManagedFields,
    );
    ex.sendJson(200, toScale(def, updated));
    return;
  }
  if (info.subresource === 'finalize') {
    // namespaces/<name>/finalize: only spec.finalizers changes (the namespace controller's
    // last step; an empty list on a terminating namespace deletes it).
    const spec = body['spec'];
    const finalizers =
      isJsonObject(spec) && Array.isArray(spec['finalizers']) ? spec['finalizers'] : [];
    const updated = await services.resources.guaranteedUpdate(
      def,
      info.namespace,
      name,
      (current) => ({
        ...current,
        spec: { ...(isJsonObject(current['spec']) ? current['spec'] : {}), finalizers },
      }),
      'all',
      dryRun,
      recordManagedFields,
    );
    ex.sendJson(200, updated);
    return;
  }
  if (
    info.subresource !== undefined &&
    info.subresource !== 'status' &&
    info.subresource !== 'approval'
  ) {
    throw methodNotAllowed('update', {
      group: def.group,
      resource: `${def.plural}/${info.subresource}`,
    });
  }
  await validateFields(def);
  checkTypeAndNamespace(def, body, info.namespace);
  const statusLike = info.subresource === undefined ? 'main' : 'status';
  const updated = await services.resources.update(
    def,
    info.namespace,
    name,
    body,
    statusLike,
    dryRun,
    recordManagedFields,
  );
  ex.sendJson(200, updated);
}
