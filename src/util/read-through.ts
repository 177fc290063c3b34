/**
 * A read-through cache of promises: concurrent callers for one key share a single load, and a
 * failed load is dropped from the cache (once it settles) so that the next call reads again
 * instead of replaying the failure forever.
 */

/** The cached promise for `key`, starting `load()` only on a miss. */
export function readThrough<T>(
  cache: Map<string, Promise<T>>,
  key: string,
  load: () => Promise<T>,
): Promise<T> {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const pending = load();
  cache.set(key, pending);
  pending.catch(() => {
    if (cache.get(key) === pending) cache.delete(key);
  });
  return pending;
}
