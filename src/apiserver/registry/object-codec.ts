/**
 * How API objects sit in the store: JSON bytes without `metadata.resourceVersion`, which is the
 * key's modRevision and is stamped on every read. Keys follow upstream's layout per resource:
 * `/registry/<plural>[.<group>]/<namespace>/<name>`. Identical on every API server replica.
 */
import { isJsonObject } from '../../api/json.ts';
import type { JsonObject } from '../../api/json.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import { internalError } from '../../api/status.ts';
import { listPrefix, objectKey } from '../../storage/keys.ts';
import type { KeyValue } from '../../storage/store.ts';

/** The storage folder of a resource: `pods`, `deployments.apps`. */
export function storageResource(def: ResourceDefinition): string {
  if (def.storedAs !== undefined) return def.storedAs.resource;
  return def.group === '' ? def.plural : `${def.plural}.${def.group}`;
}

export function keyFor(
  def: ResourceDefinition,
  namespace: string | undefined,
  name: string,
): string {
  return objectKey(storageResource(def), def.namespaced ? namespace : undefined, name);
}

/** The prefix of a resource's objects, or of one namespace's (`namespace` set). */
export function prefixFor(def: ResourceDefinition, namespace: string | undefined): string {
  return listPrefix(storageResource(def), def.namespaced ? namespace : undefined);
}

/** The bytes stored for an object; `def` converts a view (events.k8s.io) to its stored kind. */
export function encodeObject(input: JsonObject, def?: ResourceDefinition): Uint8Array {
  const obj = def?.storedAs === undefined ? input : def.storedAs.toStored(input);
  const meta = obj['metadata'];
  if (isJsonObject(meta) && 'resourceVersion' in meta) {
    const copy: JsonObject = { ...meta };
    delete copy['resourceVersion'];
    return Buffer.from(JSON.stringify({ ...obj, metadata: copy }));
  }
  return Buffer.from(JSON.stringify(obj));
}

/**
 * `obj` (as encodeObject stores it) with `resourceVersion` stamped last in its metadata, as
 * decodeObject returns it; `obj` itself is reused, not copied.
 */
export function withResourceVersion(obj: JsonObject, revision: number): JsonObject {
  const meta: JsonObject = isJsonObject(obj['metadata']) ? { ...obj['metadata'] } : {};
  delete meta['resourceVersion'];
  meta['resourceVersion'] = String(revision);
  obj['metadata'] = meta;
  return obj;
}

/** Decodes a stored value, stamping `resourceVersion` (the modRevision, or `revision`). */
export function decodeObject(
  kv: KeyValue,
  revision = kv.modRevision,
  def?: ResourceDefinition,
): JsonObject {
  let parsed: unknown;
  try {
    // A view of the stored bytes, not a copy.
    const bytes = Buffer.from(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength);
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err: unknown) {
    throw internalError(`stored object at ${kv.key} is not valid JSON`, err);
  }
  if (!isJsonObject(parsed)) throw internalError(`stored object at ${kv.key} is not an object`);
  const meta = isJsonObject(parsed['metadata']) ? parsed['metadata'] : {};
  parsed['metadata'] = { ...meta, resourceVersion: String(revision) };
  return def?.storedAs === undefined ? parsed : def.storedAs.fromStored(parsed);
}
