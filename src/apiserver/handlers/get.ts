/** GET of one object (and its status or scale subresource), as JSON or as a one-row Table. */
import { toTable, wantsTable } from '../table.ts';
import type { ResourceContext } from './context.ts';
import { toScale } from './scale.ts';

export async function handleGet(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  const obj = await services.resources.get(def, info.namespace, info.name ?? '');
  if (info.subresource === 'scale') {
    ex.sendJson(200, toScale(def, obj));
    return;
  }
  if (wantsTable(ex.header('accept'))) {
    const meta = obj['metadata'];
    const rv =
      typeof meta === 'object' && meta !== null && !Array.isArray(meta)
        ? meta['resourceVersion']
        : undefined;
    ex.sendJson(
      200,
      toTable(def, [obj], { resourceVersion: rv ?? '' }, ex.header('accept'), services.now()),
    );
    return;
  }
  ex.sendJson(200, obj);
}
