/**
 * DELETE of a collection: every object matching the selectors (in the URL's namespace), each
 * deleted as a single DELETE would; answers the list of what was deleted, as upstream.
 */
import { groupVersion } from '../../api/resource.ts';
import { ApiError } from '../../api/status.ts';
import { nodeRestrictionFor } from '../admission/request-admission.ts';
import { listResource } from '../registry/resource-list.ts';
import type { ResourceContext } from './context.ts';
import { readDeleteOptions } from './delete.ts';
import { compileSelectors } from './selectors.ts';

export async function handleDeleteCollection(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  const options = await readDeleteOptions(ctx);
  const page = await listResource(services.store, def, {
    namespace: info.namespace,
    filter: compileSelectors(def, ex.url.searchParams),
  });
  const restriction = nodeRestrictionFor(ctx);
  const items = [];
  for (const obj of page.items) {
    const meta = obj['metadata'] as { name?: string; namespace?: string } | undefined;
    try {
      const outcome = await services.resources.delete(
        def,
        meta?.namespace,
        meta?.name ?? '',
        options,
        restriction === undefined
          ? undefined
          : (current) => {
              restriction.checkDelete(current);
            },
      );
      items.push(outcome.deleted ? obj : outcome.body);
    } catch (err: unknown) {
      if (err instanceof ApiError && err.reason === 'NotFound') continue; // deleted meanwhile
      throw err;
    }
  }
  ex.sendJson(200, {
    kind: `${def.kind}List`,
    apiVersion: groupVersion(def),
    metadata: { resourceVersion: page.resourceVersion },
    items,
  });
}
