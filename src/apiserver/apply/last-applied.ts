/**
 * kubectl's client-side apply annotation (`kubectl.kubernetes.io/last-applied-configuration`)
 * as server-side apply upgrades from it, for the `kubectl` field manager only (upstream's
 * lastAppliedManager and lastAppliedUpdater):
 *   - a conflict on a field that the annotation records with the value the object still has
 *     is the same user taking over from client-side apply, so it is not a conflict;
 *   - an apply keeps an existing annotation in step with the applied configuration (Go's
 *     JSON of it, keys sorted, with a trailing newline), or drops it when annotations would
 *     exceed 256 KiB.
 */
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject, objectField } from '../../api/json.ts';
import { compare } from './compare.ts';
import type { FieldSet } from './field-set.ts';
import { goJson } from './path-element.ts';
import type { Atom } from './schema.ts';
import { toFieldSet } from './to-field-set.ts';
import { validateTyped } from './validate-typed.ts';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The only field manager whose applies upgrade client-side apply ownership. */
export const KUBECTL_MANAGER = 'kubectl';

/** upstream's TotalAnnotationSizeLimitB. */
const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

export function lastAppliedOf(obj: JsonObject): string | undefined {
  const annotations = objectField(objectField(obj, 'metadata') ?? {}, 'annotations');
  const v = annotations?.[LAST_APPLIED_ANNOTATION];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** upstream's buildLastApplied: the configuration without the annotation, as Go encodes it. */
export function buildLastApplied(config: JsonObject): string {
  const meta = objectField(config, 'metadata');
  const annotations = meta === undefined ? undefined : objectField(meta, 'annotations');
  if (meta === undefined || annotations?.[LAST_APPLIED_ANNOTATION] === undefined) {
    return `${goJson(config)}\n`;
  }
  const rest: JsonObject = { ...annotations };
  Reflect.deleteProperty(rest, LAST_APPLIED_ANNOTATION);
  const newMeta: JsonObject = { ...meta, annotations: rest };
  if (Object.keys(rest).length === 0) Reflect.deleteProperty(newMeta, 'annotations');
  return `${goJson({ ...config, metadata: newMeta })}\n`;
}

/** upstream's SetLastApplied, on a copy of `obj`'s metadata. */
export function setLastApplied(obj: JsonObject, value: string): JsonObject {
  const meta = objectField(obj, 'metadata') ?? {};
  const annotations: JsonObject = { ...(objectField(meta, 'annotations') ?? {}) };
  annotations[LAST_APPLIED_ANNOTATION] = value;
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    size +=
      Buffer.byteLength(k, 'utf8') + Buffer.byteLength(typeof v === 'string' ? v : '', 'utf8');
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) {
    Reflect.deleteProperty(annotations, LAST_APPLIED_ANNOTATION);
  }
  return { ...obj, metadata: { ...meta, annotations } };
}

/**
 * upstream's allowedConflictsFromLastApplied: the annotation's fields whose value the live
 * object still has. Undefined when there is no usable annotation.
 */
export function allowedConflictsFromLastApplied(
  live: JsonObject,
  root: Atom,
  apiVersion: string,
): FieldSet | undefined {
  const text = lastAppliedOf(live);
  if (text === undefined) return undefined;
  let last: JsonValue;
  try {
    last = JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
  if (!isJsonObject(last) || last['apiVersion'] !== apiVersion) return undefined;
  if (validateTyped(last, root).length > 0) return undefined;
  const diff = compare(last, live, root);
  return toFieldSet(last, root)
    .difference(diff.modified)
    .difference(diff.added)
    .difference(diff.removed);
}
