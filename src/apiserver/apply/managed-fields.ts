/**
 * `metadata.managedFields` in and out (upstream's internal/managedfields.go). An entry is keyed
 * by its manager identifier: the JSON of its manager, operation, apiVersion (Update entries
 * only: an applier keeps one entry across versions) and subresource. Encoding sorts entries as
 * upstream (Apply before Update, then oldest first, then manager, apiVersion, subresource),
 * writes each in metav1.ManagedFieldsEntry field order with empty members omitted, and
 * re-serializes every field set canonically.
 */
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import { compareGoStrings } from '../../api/validation/go-format.ts';
import type { FieldError } from '../../api/validation/field-error.ts';
import { tooLong } from '../../api/validation/field-error.ts';
import { timestamp } from '../registry/object-meta.ts';
import { fromFieldsV1, toFieldsV1 } from './fields-v1.ts';
import { validateFieldManager } from './manager-name.ts';
import { goJson } from './path-element.ts';
import type { VersionedSet } from './updater.ts';

export type Operation = 'Apply' | 'Update';

/** Field sets and their last-change times (RFC 3339, seconds), by manager identifier. */
export interface Managed {
  readonly fields: ReadonlyMap<string, VersionedSet>;
  readonly times: ReadonlyMap<string, string>;
}

export const EMPTY_MANAGED: Managed = { fields: new Map(), times: new Map() };

/** A managedFields list that cannot be read (upstream falls back or fails per caller). */
export class ManagedFieldsDecodeError extends Error {
  readonly code = 'APPLY_MANAGED_FIELDS_DECODE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ManagedFieldsDecodeError';
  }
}

export interface ManagerInfo {
  readonly manager: string;
  readonly operation: Operation;
  /** Ignored for Apply. */
  readonly apiVersion: string;
  readonly subresource: string;
}

/** upstream's BuildManagerIdentifier. */
export function managerIdentifier(info: ManagerInfo): string {
  const parts: string[] = [];
  if (info.manager !== '') parts.push(`"manager":${goJson(info.manager)}`);
  parts.push(`"operation":${goJson(info.operation)}`);
  if (info.operation === 'Update' && info.apiVersion !== '') {
    parts.push(`"apiVersion":${goJson(info.apiVersion)}`);
  }
  if (info.subresource !== '') parts.push(`"subresource":${goJson(info.subresource)}`);
  return `{${parts.join(',')}}`;
}

function parseIdentifier(id: string): JsonObject {
  const parsed = JSON.parse(id) as JsonValue;
  return isJsonObject(parsed) ? parsed : {};
}

const text = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');

/** Go's metav1.Time round trip: RFC 3339 in, UTC seconds out. */
function normalizeTime(v: JsonValue | undefined, i: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ManagedFieldsDecodeError(`invalid time in managed fields entry ${String(i)}`);
  }
  return timestamp(new Date(ms));
}

/** upstream's DecodeManagedFields. */
export function decodeManagedFields(value: JsonValue | undefined): Managed {
  if (value === undefined || value === null) return EMPTY_MANAGED;
  if (!Array.isArray(value)) throw new ManagedFieldsDecodeError('managedFields must be a list');
  const fields = new Map<string, VersionedSet>();
  const times = new Map<string, string>();
  value.forEach((entry, i) => {
    if (!isJsonObject(entry)) throw new ManagedFieldsDecodeError('entry must be an object');
    const operation = entry['operation'];
    if (operation !== 'Apply' && operation !== 'Update') {
      throw new ManagedFieldsDecodeError('operation must be `Apply` or `Update`');
    }
    const apiVersion = text(entry['apiVersion']);
    if (apiVersion === '') throw new ManagedFieldsDecodeError('apiVersion must not be empty');
    const fieldsType = text(entry['fieldsType']);
    if (fieldsType === '') {
      throw new ManagedFieldsDecodeError(`missing fieldsType in managed fields entry ${String(i)}`);
    }
    if (fieldsType !== 'FieldsV1') {
      throw new ManagedFieldsDecodeError(
        `invalid fieldsType ${JSON.stringify(fieldsType)} in managed fields entry ${String(i)}`,
      );
    }
    const id = managerIdentifier({
      manager: text(entry['manager']),
      operation,
      apiVersion,
      subresource: text(entry['subresource']),
    });
    let set;
    try {
      set = fromFieldsV1(entry['fieldsV1']);
    } catch (err: unknown) {
      throw new ManagedFieldsDecodeError(`error decoding set of entry ${String(i)}`, {
        cause: err,
      });
    }
    fields.set(id, { set, apiVersion, applied: operation === 'Apply' });
    const time = normalizeTime(entry['time'], i);
    if (time === undefined) times.delete(id);
    else times.set(id, time);
  });
  return { fields, times };
}

const seconds = (t: string | undefined): number =>
  t === undefined ? 0 : Math.floor(Date.parse(t) / 1000);

/** upstream's encodeManagedFields: undefined when there is nothing to record. */
export function encodeManagedFields(managed: Managed): JsonObject[] | undefined {
  if (managed.fields.size === 0) return undefined;
  const entries: JsonObject[] = [];
  for (const [id, vs] of managed.fields) {
    const info = parseIdentifier(id);
    const entry: JsonObject = {};
    if (text(info['manager']) !== '') entry['manager'] = text(info['manager']);
    entry['operation'] = vs.applied ? 'Apply' : text(info['operation']);
    entry['apiVersion'] = vs.apiVersion;
    const time = managed.times.get(id);
    if (time !== undefined) entry['time'] = time;
    entry['fieldsType'] = 'FieldsV1';
    entry['fieldsV1'] = toFieldsV1(vs.set);
    if (text(info['subresource']) !== '') entry['subresource'] = text(info['subresource']);
    entries.push(entry);
  }
  const key = (e: JsonObject, k: string): string => text(e[k]);
  return entries.sort(
    (p, q) =>
      compareGoStrings(key(p, 'operation'), key(q, 'operation')) ||
      seconds(p['time'] as string | undefined) - seconds(q['time'] as string | undefined) ||
      compareGoStrings(key(p, 'manager'), key(q, 'manager')) ||
      compareGoStrings(key(p, 'apiVersion'), key(q, 'apiVersion')) ||
      compareGoStrings(key(p, 'subresource'), key(q, 'subresource')),
  );
}

/** upstream's isResetManagedFields: `[]`, or one entry with every member empty. */
export function isResetManagedFields(value: JsonValue | undefined): boolean {
  if (!Array.isArray(value)) return false;
  if (value.length === 0) return true;
  const only = value[0];
  return (
    value.length === 1 &&
    isJsonObject(only) &&
    Object.values(only).every((v) => v === '' || v === null)
  );
}

/** upstream's ValidateManagedFields, for what survives into a stored object. */
export function validateManagedFields(entries: readonly JsonObject[]): FieldError[] {
  const errors: FieldError[] = [];
  entries.forEach((e, i) => {
    const at = `metadata.managedFields[${String(i)}]`;
    errors.push(...validateFieldManager(text(e['manager']), `${at}.manager`));
    if (Buffer.byteLength(text(e['subresource']), 'utf8') > 256) {
      errors.push(tooLong(`${at}.subresource`, 256));
    }
  });
  return errors;
}
