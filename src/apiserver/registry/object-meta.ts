/**
 * The metadata rules every kind shares (upstream's rest.BeforeCreate/BeforeUpdate): the server
 * owns uid, creationTimestamp, resourceVersion, generation and deletion fields; names come from
 * the URL or generateName; a status subresource splits what the main resource and the status
 * endpoint may change. Pure functions over JSON objects.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { isJsonObject, jsonText } from '../../api/json.ts';
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { groupVersion, hasSubresource } from '../../api/resource.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import { badRequest, conflict } from '../../api/status.ts';

export function metadataOf(obj: JsonObject): JsonObject {
  const m = obj['metadata'];
  if (isJsonObject(m)) return m;
  const fresh: JsonObject = {};
  obj['metadata'] = fresh;
  return fresh;
}

/** RFC 3339 with second precision, as Kubernetes' metav1.Time serializes. */
export function timestamp(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

/** Upstream's SimpleNameGenerator alphabet (no vowels, no confusable characters), 5 chars. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_NAME_LENGTH = 63 - 5;

export function generateName(base: string): string {
  const prefix =
    base.length > MAX_GENERATED_NAME_LENGTH ? base.slice(0, MAX_GENERATED_NAME_LENGTH) : base;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)] ?? 'x';
  return prefix + suffix;
}

const gr = (def: ResourceDefinition): { group: string; resource: string } => ({
  group: def.group,
  resource: def.plural,
});

/**
 * Checks the body's apiVersion/kind against the endpoint (filling them when absent, as the
 * decoder defaults them from the URL) and its namespace against the URL's.
 */
export function checkTypeAndNamespace(
  def: ResourceDefinition,
  obj: JsonObject,
  namespace: string | undefined,
): void {
  const apiVersion = obj['apiVersion'];
  const kind = obj['kind'];
  const want = groupVersion(def);
  if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== want) {
    throw badRequest(
      `the API version in the data (${jsonText(apiVersion)}) does not match the expected API version (${want})`,
    );
  }
  if (kind !== undefined && kind !== '' && kind !== def.kind) {
    throw badRequest(
      `the kind in the data (${jsonText(kind)}) does not match the expected kind (${def.kind})`,
    );
  }
  obj['apiVersion'] = want;
  obj['kind'] = def.kind;
  const meta = metadataOf(obj);
  if (!def.namespaced) {
    delete meta['namespace'];
    return;
  }
  const given = meta['namespace'];
  if (given !== undefined && given !== '' && given !== namespace) {
    throw badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  if (namespace !== undefined) meta['namespace'] = namespace;
}

/** Server-owned fields for a new object. Returns the object's name (possibly generated). */
export function prepareCreateMeta(def: ResourceDefinition, obj: JsonObject, now: Date): void {
  const meta = metadataOf(obj);
  const name = meta['name'];
  const base = meta['generateName'];
  if ((name === undefined || name === '') && typeof base === 'string' && base !== '') {
    meta['name'] = generateName(base);
  }
  meta['uid'] = randomUUID();
  meta['creationTimestamp'] = timestamp(now);
  for (const k of [
    'resourceVersion',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'selfLink',
  ]) {
    Reflect.deleteProperty(meta, k);
  }
  if (tracksGeneration(def, obj)) meta['generation'] = 1;
  else delete meta['generation'];
}

/** Objects whose spec is reconciled by a controller count spec changes in metadata.generation. */
function tracksGeneration(def: ResourceDefinition, obj: JsonObject): boolean {
  return hasSubresource(def, 'status') && obj['spec'] !== undefined && def.kind !== 'Namespace';
}

/**
 * What an update may change: `main` (a PUT/PATCH of the object: not its status, when the kind
 * has a status subresource), `status` (only status), `all` (server-internal writes such as
 * pods/binding that set spec and status together).
 */
export type UpdateScope = 'main' | 'status' | 'all';

/**
 * Merges an update onto the stored object. The main resource cannot change status (when there
 * is a status subresource); the status subresource changes only status. Server-owned metadata
 * always comes from the stored object. Throws on a name or uid mismatch.
 */
export function prepareUpdate(
  def: ResourceDefinition,
  next: JsonObject,
  old: JsonObject,
  name: string,
  scope: UpdateScope,
): JsonObject {
  const meta = metadataOf(next);
  const oldMeta = metadataOf(old);
  const givenName = meta['name'];
  if (givenName !== undefined && givenName !== '' && givenName !== name) {
    throw badRequest(
      `the name of the object (${jsonText(givenName)}) does not match the name on the URL (${name})`,
    );
  }
  const uid = meta['uid'];
  if (uid !== undefined && uid !== '' && uid !== oldMeta['uid']) {
    throw conflict(
      gr(def),
      name,
      `Precondition failed: UID in precondition: ${jsonText(uid)}, UID in object meta: ${jsonText(oldMeta['uid'])}`,
    );
  }
  let result: JsonObject;
  if (scope === 'status') {
    // Only status may change through the status endpoint.
    result = { ...old, status: next['status'] ?? null };
    if (result['status'] === null) delete result['status'];
    result['metadata'] = { ...oldMeta };
  } else {
    result = { ...next };
    if (scope === 'main' && hasSubresource(def, 'status')) {
      if (old['status'] === undefined) delete result['status'];
      else result['status'] = old['status'];
    }
    const merged: JsonObject = { ...meta };
    for (const k of [
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'generation',
      'namespace',
      'name',
    ]) {
      const v = oldMeta[k];
      if (v === undefined) Reflect.deleteProperty(merged, k);
      else merged[k] = v;
    }
    delete merged['selfLink'];
    result['metadata'] = merged;
    if (tracksGeneration(def, result) && !jsonEqual(result['spec'], old['spec'])) {
      const g = oldMeta['generation'];
      merged['generation'] = (typeof g === 'number' ? g : 0) + 1;
    }
  }
  result['apiVersion'] = old['apiVersion'] ?? groupVersion(def);
  result['kind'] = def.kind;
  return result;
}

/** Structural equality of JSON values (object key order ignored). */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => jsonEqual(a[k], b[k]));
}
