/** PUT: replaces an object, its status, or its scale; 409 on a stale resourceVersion. */
import { methodNotAllowed } from '../../api/status.ts';
import { decodeObjectBody } from '../http/decode-body.ts';
import { checkTypeAndNamespace } from '../registry/object-meta.ts';
import type { ResourceContext } from './context.ts';
import { isDryRun } from './context.ts';
import { applyScale, toScale } from './scale.ts';

export async function handleUpdate(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  const name = info.name ?? '';
  const dryRun = isDryRun(ex.url.searchParams);
  const body = decodeObjectBody(await ex.readBody(), ex.header('content-type'));
  if (info.subresource === 'scale') {
    const updated = await services.resources.guaranteedUpdate(
      def,
      info.namespace,
      name,
      (current) => applyScale(current, body),
      'main',
      dryRun,
    );
    ex.sendJson(200, toScale(def, updated));
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
  checkTypeAndNamespace(def, body, info.namespace);
  const statusLike = info.subresource === undefined ? 'main' : 'status';
  const updated = await services.resources.update(
    def,
    info.namespace,
    name,
    body,
    statusLike,
    dryRun,
  );
  ex.sendJson(200, updated);
}
