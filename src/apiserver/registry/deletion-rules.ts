/**
 * The rules of a DELETE that every kind shares (upstream's registry.Store deletion): which
 * finalizers a propagation policy adds, graceful deletion of bound pods, the two-step deletion
 * of namespaces, preconditions, and event TTLs. Pure functions of the object and the options.
 */
import type { JsonObject } from '../../api/json.ts';
import { isJsonObject, jsonText } from '../../api/json.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import { conflict } from '../../api/status.ts';
import { metadataOf, timestamp } from './object-meta.ts';

/** The DeleteOptions of a request (body or query). */
export interface DeleteOptions {
  readonly gracePeriodSeconds?: number;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly dryRun?: boolean;
}

/**
 * The object as it must stay when deletion cannot finish now (finalizers, including the ones
 * a propagation policy adds, or a graceful pod deletion), or undefined to delete at once.
 */
export function pendingDeletion(
  def: ResourceDefinition,
  current: JsonObject,
  options: DeleteOptions,
  now: Date,
): JsonObject | undefined {
  const next = structuredClone(current);
  const meta = metadataOf(next);
  const finalizers = new Set(
    Array.isArray(meta['finalizers'])
      ? meta['finalizers'].filter((f) => typeof f === 'string')
      : [],
  );
  if (options.propagationPolicy === 'Orphan') finalizers.add('orphan');
  if (options.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
  const grace = gracePeriodFor(def, current, options);
  if (namespaceFinalizersPending(def, next)) {
    // Upstream's namespace deletion: mark it Terminating; the namespace controller empties it
    // and clears spec.finalizers (namespaces/<name>/finalize), which deletes it.
    next['status'] = {
      ...(isJsonObject(next['status']) ? next['status'] : {}),
      phase: 'Terminating',
    };
    meta['deletionTimestamp'] ??= timestamp(now);
    meta['deletionGracePeriodSeconds'] ??= 0;
    if (finalizers.size > 0) meta['finalizers'] = [...finalizers];
    return next;
  }
  if (finalizers.size === 0 && grace === 0) return undefined;
  if (finalizers.size > 0) meta['finalizers'] = [...finalizers];
  if (meta['deletionTimestamp'] === undefined) {
    meta['deletionTimestamp'] = timestamp(new Date(now.getTime() + grace * 1000));
    meta['deletionGracePeriodSeconds'] = grace;
  } else if (grace < Number(meta['deletionGracePeriodSeconds'] ?? 0)) {
    // A second delete may only shorten the grace period.
    meta['deletionTimestamp'] = timestamp(new Date(now.getTime() + grace * 1000));
    meta['deletionGracePeriodSeconds'] = grace;
  } else if (finalizers.size === 0) {
    return current; // already terminating gracefully; nothing changes
  }
  return next;
}

/** A namespace is kept until the `kubernetes` (and any other) spec.finalizers are cleared. */
export function namespaceFinalizersPending(def: ResourceDefinition, obj: JsonObject): boolean {
  if (def.kind !== 'Namespace' || def.group !== '') return false;
  const spec = obj['spec'];
  const list = isJsonObject(spec) ? spec['finalizers'] : undefined;
  return Array.isArray(list) && list.length > 0;
}

export function withoutResourceVersion(obj: JsonObject): JsonObject {
  const meta: JsonObject = { ...metadataOf(obj) };
  Reflect.deleteProperty(meta, 'resourceVersion');
  return { ...obj, metadata: meta };
}

/** Only pods bound to a node terminate gracefully; everything else goes at once. */
export function gracePeriodFor(
  def: ResourceDefinition,
  obj: JsonObject,
  options: DeleteOptions,
): number {
  if (def.kind !== 'Pod') return 0;
  const spec = obj['spec'];
  const nodeName =
    typeof spec === 'object' && spec !== null && !Array.isArray(spec)
      ? spec['nodeName']
      : undefined;
  if (typeof nodeName !== 'string' || nodeName === '') return 0;
  const phase = (obj['status'] as JsonObject | undefined)?.['phase'];
  if (phase === 'Succeeded' || phase === 'Failed') return 0;
  if (options.gracePeriodSeconds !== undefined) return Math.max(0, options.gracePeriodSeconds);
  const fromSpec =
    typeof spec === 'object' && spec !== null && !Array.isArray(spec)
      ? spec['terminationGracePeriodSeconds']
      : undefined;
  return typeof fromSpec === 'number' ? fromSpec : 30;
}

export function checkPreconditions(
  gr: { group: string; resource: string },
  name: string,
  meta: JsonObject,
  preconditions: DeleteOptions['preconditions'],
): void {
  if (preconditions?.uid !== undefined && preconditions.uid !== meta['uid']) {
    throw conflict(
      gr,
      name,
      `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${jsonText(meta['uid'])}`,
    );
  }
  if (
    preconditions?.resourceVersion !== undefined &&
    preconditions.resourceVersion !== meta['resourceVersion']
  ) {
    throw conflict(
      gr,
      name,
      `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${jsonText(meta['resourceVersion'])}`,
    );
  }
}

/** Events expire after an hour, as upstream's --event-ttl default. */
export function ttlFor(def: ResourceDefinition): { ttlSeconds: number } | undefined {
  return def.kind === 'Event' ? { ttlSeconds: 3600 } : undefined;
}
