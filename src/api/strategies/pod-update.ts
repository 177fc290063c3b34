/**
 * Upstream's ValidatePodUpdate spec rules (k/k core validation, v1.33): a pod's spec is
 * immutable except container and init-container images, activeDeadlineSeconds (set once, then
 * only lowered), added tolerations, removed scheduling gates and terminationGracePeriodSeconds
 * from negative to 1. One k8ts difference: `spec.nodeName` may go from unset to set, because
 * the pods/binding subresource writes through the same validation here (upstream's binding
 * bypasses it). The diff after the message imitates go-cmp's; upstream's is not stable either.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import type { FieldError } from '../validation/field-error.ts';
import { forbidden, invalid, required } from '../validation/field-error.ts';
import { childPath, indexPath } from '../validation/field-path.ts';
import { inclusiveRangeError } from './field-rules.ts';
import { NIL } from './go-literal.ts';
import { num, obj, objs, str } from './json-fields.ts';
import { validateTolerations } from './pod-spec-validation.ts';
import { semanticEqual } from './semantic-equal.ts';

export const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,' +
  '`spec.initContainers[*].image`,' +
  '`spec.activeDeadlineSeconds`,' +
  '`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

const MAX_INT32 = 2147483647;

/** Upstream's ValidateContainerUpdates; `stop` when the number of containers changed. */
function validateContainerUpdates(
  next: JsonObject[],
  old: JsonObject[],
  path: string,
): { errs: FieldError[]; stop: boolean } {
  if (next.length !== old.length) {
    return { errs: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  }
  const errs: FieldError[] = [];
  next.forEach((c, i) => {
    const image = str(c, 'image');
    const p = childPath(indexPath(path, i), 'image');
    if (image === '') errs.push(required(p));
    if (image.trim().length !== image.length) {
      errs.push(invalid(p, image, 'must not have leading or trailing whitespace'));
    }
  });
  return { errs, stop: false };
}

function validateActiveDeadline(next: JsonObject, old: JsonObject, path: string): FieldError[] {
  const value = num(next, 'activeDeadlineSeconds');
  const previous = num(old, 'activeDeadlineSeconds');
  if (value !== undefined) {
    if (value < 0 || value > MAX_INT32) {
      return [invalid(path, value, inclusiveRangeError(0, MAX_INT32))];
    }
    if (previous !== undefined && previous < value) {
      return [invalid(path, value, 'must be less than or equal to previous value')];
    }
  } else if (previous !== undefined) {
    return [invalid(path, NIL, 'must not update from a positive integer to nil value')];
  }
  return [];
}

/** Upstream's validateOnlyAddedTolerations. */
function validateOnlyAddedTolerations(
  next: JsonObject,
  old: JsonObject,
  path: string,
): FieldError[] {
  for (const o of objs(old, 'tolerations')) {
    const found = objs(next, 'tolerations').some((n) =>
      semanticEqual({ ...o, tolerationSeconds: n['tolerationSeconds'] ?? null }, n),
    );
    if (!found) {
      return [
        forbidden(path, 'existing toleration can not be modified except its tolerationSeconds'),
      ];
    }
  }
  return validateTolerations(next, path);
}

/** Upstream's validateOnlyDeletedSchedulingGates. */
function validateOnlyDeletedGates(next: JsonObject, old: JsonObject, path: string): FieldError[] {
  const oldNames = new Set(objs(old, 'schedulingGates').map((g) => str(g, 'name')));
  const errs: FieldError[] = [];
  objs(next, 'schedulingGates').forEach((g, i) => {
    const name = str(g, 'name');
    if (oldNames.has(name)) return;
    errs.push(
      forbidden(
        childPath(indexPath(path, i), 'name'),
        `only deletion is allowed, but found new scheduling gate '${name}'`,
      ),
    );
  });
  return errs;
}

/** The new spec with every field an update may change put back to the old value. */
function mungedSpec(next: JsonObject, old: JsonObject): JsonObject {
  const munged = structuredClone(next);
  for (const list of ['containers', 'initContainers'] as const) {
    const oldList = objs(old, list);
    objs(munged, list).forEach((c, i) => {
      const previous = oldList[i]?.['image'];
      if (previous === undefined) delete c['image'];
      else c['image'] = previous;
    });
  }
  for (const field of ['activeDeadlineSeconds', 'schedulingGates', 'tolerations'] as const) {
    const previous = old[field];
    if (previous === undefined) Reflect.deleteProperty(munged, field);
    else munged[field] = previous;
  }
  const oldGrace = num(old, 'terminationGracePeriodSeconds');
  if (oldGrace !== undefined && oldGrace < 0 && num(next, 'terminationGracePeriodSeconds') === 1) {
    munged['terminationGracePeriodSeconds'] = oldGrace;
  }
  if (str(old, 'nodeName') === '') {
    if (old['nodeName'] === undefined) delete munged['nodeName'];
    else munged['nodeName'] = old['nodeName'];
  }
  return munged;
}

/** Go's exported field name for a JSON member, for the diff (`nodeName` -> `NodeName`). */
function goFieldName(key: string): string {
  return key.replace(/^dns/, 'DNS').replace(/^./, (c) => c.toUpperCase());
}

/** A go-cmp–like diff of the top-level fields that differ. */
export function podSpecDiff(old: JsonObject, munged: JsonObject): string {
  const lines = ['  core.PodSpec{'];
  const keys = [...new Set([...Object.keys(old), ...Object.keys(munged)])];
  let same = 0;
  const show = (v: JsonValue | undefined): string => (v === undefined ? 'nil' : JSON.stringify(v));
  for (const k of keys) {
    if (semanticEqual(old[k], munged[k])) {
      same++;
      continue;
    }
    if (same > 0) lines.push(`  \t... // ${String(same)} identical fields`);
    same = 0;
    lines.push(`- \t${goFieldName(k)}: ${show(old[k])},`);
    lines.push(`+ \t${goFieldName(k)}: ${show(munged[k])},`);
  }
  if (same > 0) lines.push(`  \t... // ${String(same)} identical fields`);
  lines.push('  }');
  return `${lines.join('\n')}\n`;
}

/** The spec part of ValidatePodUpdate (metadata is checked by the registry). */
export function validatePodSpecUpdate(nextPod: JsonObject, oldPod: JsonObject): FieldError[] {
  const next = obj(nextPod, 'spec') ?? {};
  const old = obj(oldPod, 'spec') ?? {};
  const errs: FieldError[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    const r = validateContainerUpdates(objs(next, list), objs(old, list), childPath('spec', list));
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const deadline = validateActiveDeadline(next, old, 'spec.activeDeadlineSeconds');
  errs.push(...deadline);
  if (deadline.length > 0 && num(next, 'activeDeadlineSeconds') !== undefined) return errs;
  errs.push(...validateOnlyAddedTolerations(next, old, 'spec.tolerations'));
  errs.push(...validateOnlyDeletedGates(next, old, 'spec.schedulingGates'));
  if (semanticEqual(next, old)) return errs;
  const munged = mungedSpec(next, old);
  if (!semanticEqual(munged, old)) {
    errs.push(forbidden('spec', `${POD_UPDATE_FORBIDDEN}\n${podSpecDiff(old, munged)}`));
  }
  return errs;
}
