/**
 * Upstream's ValidatePodSpec and ValidatePodTemplateSpec essentials (k/k core validation,
 * v1.33), in upstream's order: volumes (volume-validation.ts), containers and init containers
 * (with their volume mounts), restart and DNS policies, node selector, the pod security
 * context's IDs and fsGroupChangePolicy, DNS config for `None`, service account and node
 * names, activeDeadlineSeconds, hostname, subdomain, tolerations. Not checked: the rest of
 * the security contexts, affinity, topology spread, host aliases, readiness and scheduling
 * gates' names, overhead, OS and resource claims.
 */
import type { JsonObject } from '../json.ts';
import type { FieldError } from '../validation/field-error.ts';
import { forbidden, invalid, notSupported, required } from '../validation/field-error.ts';
import { childPath, indexPath } from '../validation/field-path.ts';
import { validateAnnotations } from '../validation/object-meta.ts';
import { validateLabelName, validateLabels } from '../validation/labels.ts';
import { isDNS1123Subdomain, isValidLabelValue } from '../validation/names.ts';
import { validateContainers, validateInitContainers } from './container-validation.ts';
import { validatePodSecurityContext } from './pod-security-context-validation.ts';
import { validateVolumes } from './volume-validation.ts';
import { inclusiveRangeError, validateDNS1123Label } from './field-rules.ts';
import { isUnset, num, obj, objs, str, strMap } from './json-fields.ts';

function validatePolicy(value: string, valid: readonly string[], path: string): FieldError[] {
  if (value === '') return [required(path)];
  return valid.includes(value) ? [] : [notSupported(path, value, valid)];
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** Upstream's ValidateTolerations. */
export function validateTolerations(spec: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  objs(spec, 'tolerations').forEach((t, i) => {
    const p = indexPath(path, i);
    const key = str(t, 'key');
    const operator = str(t, 'operator');
    const effect = str(t, 'effect');
    if (key !== '') errs.push(...validateLabelName(key, childPath(p, 'key')));
    if (key === '' && operator !== 'Exists') {
      errs.push(
        invalid(
          childPath(p, 'operator'),
          operator,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (!isUnset(t['tolerationSeconds']) && effect !== 'NoExecute') {
      errs.push(
        invalid(
          childPath(p, 'effect'),
          effect,
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    if (operator === 'Equal' || operator === '') {
      const value = str(t, 'value');
      const msgs = isValidLabelValue(value);
      if (msgs.length > 0) errs.push(invalid(childPath(p, 'operator'), value, msgs.join(';')));
    } else if (operator !== 'Exists') {
      errs.push(notSupported(childPath(p, 'operator'), operator, ['Equal', 'Exists']));
    }
    if (effect !== '' && !EFFECTS.includes(effect)) {
      errs.push(notSupported(childPath(p, 'effect'), effect, EFFECTS));
    }
  });
  return errs;
}

/** Upstream's ValidatePodSpec (the essential checks). */
export function validatePodSpec(spec: JsonObject, path: string): FieldError[] {
  const [volumes, errs] = validateVolumes(spec, childPath(path, 'volumes'));
  errs.push(...validateContainers(spec['containers'], volumes, childPath(path, 'containers')));
  errs.push(
    ...validateInitContainers(
      spec['initContainers'],
      spec['containers'],
      volumes,
      childPath(path, 'initContainers'),
    ),
  );
  errs.push(
    ...validatePolicy(
      str(spec, 'restartPolicy'),
      ['Always', 'OnFailure', 'Never'],
      childPath(path, 'restartPolicy'),
    ),
  );
  const dnsPolicy = str(spec, 'dnsPolicy');
  errs.push(
    ...validatePolicy(
      dnsPolicy,
      ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'],
      childPath(path, 'dnsPolicy'),
    ),
  );
  errs.push(...validateLabels(strMap(spec, 'nodeSelector'), childPath(path, 'nodeSelector')));
  errs.push(...validatePodSecurityContext(spec, childPath(path, 'securityContext')));
  if (dnsPolicy === 'None' && obj(spec, 'dnsConfig') === undefined) {
    errs.push(
      required(childPath(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'),
    );
  }
  for (const field of ['serviceAccountName', 'nodeName'] as const) {
    const value = str(spec, field);
    if (value === '') continue;
    for (const msg of isDNS1123Subdomain(value)) {
      errs.push(invalid(childPath(path, field), value, msg));
    }
  }
  const deadline = num(spec, 'activeDeadlineSeconds');
  if (deadline !== undefined && (deadline < 1 || deadline > 2147483647)) {
    errs.push(
      invalid(
        childPath(path, 'activeDeadlineSeconds'),
        deadline,
        inclusiveRangeError(1, 2147483647),
      ),
    );
  }
  for (const field of ['hostname', 'subdomain'] as const) {
    const value = str(spec, field);
    if (value !== '') errs.push(...validateDNS1123Label(value, childPath(path, field)));
  }
  errs.push(...validateTolerations(spec, childPath(path, 'tolerations')));
  return errs;
}

/** Upstream's ValidatePodTemplateSpec: template labels and annotations, then the spec. */
export function validatePodTemplateSpec(
  template: JsonObject | undefined,
  path: string,
): FieldError[] {
  const meta = obj(template, 'metadata');
  const errs = validateLabels(strMap(meta, 'labels'), childPath(path, 'labels'));
  errs.push(...validateAnnotations(strMap(meta, 'annotations'), childPath(path, 'annotations')));
  const spec = obj(template, 'spec') ?? {};
  errs.push(...validatePodSpec(spec, childPath(path, 'spec')));
  if (objs(spec, 'ephemeralContainers').length > 0) {
    errs.push(
      forbidden(
        childPath(path, 'spec', 'ephemeralContainers'),
        'ephemeral containers not allowed in pod template',
      ),
    );
  }
  return errs;
}
