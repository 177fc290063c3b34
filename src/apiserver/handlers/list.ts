/** GET of a collection: paged, filtered by label and field selectors, as a List or a Table. */
import type { JsonObject } from '../../api/json.ts';
import { groupVersion } from '../../api/resource.ts';
import { badRequest } from '../../api/status.ts';
import { listResource } from '../registry/resource-list.ts';
import { toTable, wantsTable } from '../table.ts';
import type { ResourceContext } from './context.ts';
import { parseReadOptions } from './list-options.ts';
import { compileSelectors } from './selectors.ts';

export function parseLimit(q: URLSearchParams): number | undefined {
  const raw = q.get('limit');
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,9}$/.test(raw)) throw badRequest(`invalid limit: ${JSON.stringify(raw)}`);
  return Number(raw);
}

export async function handleList(ctx: ResourceContext): Promise<void> {
  const { ex, info, def, services } = ctx;
  const q = ex.url.searchParams;
  const read = parseReadOptions(q, false);
  const page = await listResource(services.store, def, {
    namespace: info.namespace,
    limit: parseLimit(q),
    continue: q.get('continue') ?? undefined,
    resourceVersion: read.resourceVersion,
    resourceVersionMatch: read.resourceVersionMatch,
    filter: compileSelectors(def, q),
  });
  const listMeta: JsonObject = { resourceVersion: page.resourceVersion };
  if (page.continue !== undefined) listMeta['continue'] = page.continue;
  if (page.remainingItemCount !== undefined)
    listMeta['remainingItemCount'] = page.remainingItemCount;
  if (wantsTable(ex.header('accept'))) {
    ex.sendJson(200, toTable(def, page.items, listMeta, ex.header('accept'), services.now()));
    return;
  }
  ex.sendJson(200, {
    kind: `${def.kind}List`,
    apiVersion: groupVersion(def),
    metadata: listMeta,
    items: page.items,
  });
}
