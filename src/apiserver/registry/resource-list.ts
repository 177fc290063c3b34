/**
 * Lists one resource (optionally one namespace) in pages, as upstream's list with `limit`,
 * `continue`, `resourceVersion` and `resourceVersionMatch`: every page of one list is read at
 * the first page's revision; selector filtering happens here, so a page is filled from as many
 * store pages as it takes; `remainingItemCount` only when nothing is filtered (as upstream).
 */
import type { JsonObject } from '../../api/json.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import { badRequest, expired, timeout } from '../../api/status.ts';
import { decodeContinue, encodeContinue, keyAfter } from '../../storage/continue-token.ts';
import type { Store } from '../../storage/store.ts';
import { decodeObject, prefixFor } from './object-codec.ts';
import { parseResourceVersion } from './resource-store.ts';
import { toApiError } from './store-error.ts';

/** The list's resourceVersion semantics (unset: NotOlderThan, or any for "0"). */
export type ResourceVersionMatch = 'Exact' | 'NotOlderThan';

export interface ListRequest {
  readonly namespace?: string | undefined;
  /** Items per page; 0 or unset: everything. */
  readonly limit?: number | undefined;
  readonly continue?: string | undefined;
  readonly resourceVersion?: string | undefined;
  /** Already validated with the other read options (handlers/list-options.ts). */
  readonly resourceVersionMatch?: ResourceVersionMatch | undefined;
  /** Label and field selectors, compiled: true keeps the object. */
  readonly filter?: ((obj: JsonObject) => boolean) | undefined;
}

export interface ListPage {
  readonly items: JsonObject[];
  readonly resourceVersion: string;
  readonly continue: string | undefined;
  readonly remainingItemCount: number | undefined;
}

/** How many keys to read per store round trip while filling a filtered page. */
const STORE_PAGE = 500;

export async function listResource(
  store: Store,
  def: ResourceDefinition,
  req: ListRequest,
): Promise<ListPage> {
  const gr = { group: def.group, resource: def.plural };
  const prefix = prefixFor(def, req.namespace);
  const limit = req.limit !== undefined && req.limit > 0 ? req.limit : 0;
  let revision: number | undefined;
  let startKey = prefix;
  if (req.continue !== undefined && req.continue !== '') {
    if (
      req.resourceVersion !== undefined &&
      req.resourceVersion !== '' &&
      req.resourceVersion !== '0'
    ) {
      throw badRequest('specifying resource version is not allowed when using continue');
    }
    let point;
    try {
      point = decodeContinue(req.continue);
    } catch {
      throw badRequest('continue key is not valid: the token is malformed');
    }
    if (!point.startKey.startsWith(prefix))
      throw badRequest('continue key is not valid: it belongs to another list');
    revision = point.revision;
    startKey = point.startKey;
  } else {
    revision = await readRevision(store, req, gr);
  }
  const items: JsonObject[] = [];
  let token: string | undefined =
    revision === undefined ? undefined : encodeContinue({ revision, startKey });
  let atRevision: number | undefined = revision;
  for (;;) {
    const want =
      limit === 0
        ? 0
        : req.filter === undefined
          ? limit - items.length
          : Math.max(STORE_PAGE, limit);
    let page;
    try {
      page = await store.list(prefix, {
        ...(want > 0 ? { limit: want } : {}),
        ...(token === undefined ? {} : { continue: token }),
      });
    } catch (err: unknown) {
      const e = toApiError(err, gr, '');
      if (e.reason === 'Expired' && req.continue !== undefined) {
        throw expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      throw e;
    }
    atRevision = page.revision;
    for (let i = 0; i < page.items.length; i++) {
      const kv = page.items[i];
      if (kv === undefined) continue;
      const obj = decodeObject(kv, kv.modRevision, def);
      if (req.filter !== undefined && !req.filter(obj)) continue;
      items.push(obj);
      if (limit > 0 && items.length === limit) {
        const moreInPage = i < page.items.length - 1;
        if (!moreInPage && page.continue === undefined)
          return done(items, atRevision, undefined, undefined);
        const next = encodeContinue({ revision: atRevision, startKey: keyAfter(kv.key) });
        const remaining =
          req.filter === undefined ? page.remaining + (page.items.length - 1 - i) : undefined;
        return done(items, atRevision, next, remaining);
      }
    }
    if (page.continue === undefined) return done(items, atRevision, undefined, undefined);
    token = page.continue;
  }
}

function done(
  items: JsonObject[],
  revision: number,
  cont: string | undefined,
  remaining: number | undefined,
): ListPage {
  return {
    items,
    resourceVersion: String(revision),
    continue: cont,
    remainingItemCount: remaining !== undefined && remaining > 0 ? remaining : undefined,
  };
}

/** The revision to list at: Exact reads that one; NotOlderThan/unset/0 read the latest. */
async function readRevision(
  store: Store,
  req: ListRequest,
  gr: { group: string; resource: string },
): Promise<number | undefined> {
  const rv = req.resourceVersion;
  if (rv === undefined || rv === '') return undefined;
  const wanted = parseResourceVersion(rv);
  if (req.resourceVersionMatch === 'Exact') return wanted;
  if (wanted > 0) await assertNotInFuture(store, wanted, gr);
  return undefined;
}

/** The store's current revision; a store error is the API error upstream gives for it. */
export async function currentRevision(
  store: Store,
  gr: { group: string; resource: string },
): Promise<number> {
  try {
    return await store.currentRevision();
  } catch (err: unknown) {
    throw toApiError(err, gr, '');
  }
}

/**
 * NotOlderThan a revision the store has not reached: 504 "Too large resource version", as
 * upstream's TooLargeResourceVersionError (lists and watches alike).
 */
export async function assertNotInFuture(
  store: Store,
  wanted: number,
  gr: { group: string; resource: string },
): Promise<void> {
  const current = await currentRevision(store, gr);
  if (wanted > current)
    throw timeout(`Too large resource version: ${String(wanted)}, current: ${String(current)}`, 1);
}
