/**
 * Field checks that many kinds share, with upstream's messages (k8s.io/apimachinery
 * util/validation and k/k core validation, v1.33): DNS names, port numbers and names, config
 * keys, percents, immutable fields. Each returns its errors, empty when valid.
 */
import type { JsonValue } from '../json.ts';
import type { FieldError, FieldValue } from '../validation/field-error.ts';
import { invalid } from '../validation/field-error.ts';
import { utf8Length } from '../validation/go-format.ts';
import {
  DNS1123_SUBDOMAIN_MAX_LENGTH,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  maxLenError,
  regexError,
} from '../validation/names.ts';
import { semanticEqual } from './semantic-equal.ts';

/** Upstream's fieldImmutableErrorMsg. */
export const FIELD_IMMUTABLE = 'field is immutable';

/** Upstream's InclusiveRangeError. */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${String(lo)} and ${String(hi)}, inclusive`;
}

export function validateDNS1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((msg) => invalid(path, value, msg));
}

export function validateDNS1123Subdomain(value: string, path: string): FieldError[] {
  return isDNS1123Subdomain(value).map((msg) => invalid(path, value, msg));
}

export function validateQualifiedName(value: string, path: string): FieldError[] {
  return isQualifiedName(value).map((msg) => invalid(path, value, msg));
}

/** Upstream's IsValidPortNum. */
export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** Upstream's IsValidPortName (an IANA_SVC_NAME). */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) {
    errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  }
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.startsWith('-') || port.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** Upstream's ValidatePortNumOrName over an IntOrString (absent is the int 0). */
export function validatePortNumOrName(port: JsonValue | undefined, path: string): FieldError[] {
  if (typeof port === 'string') {
    return isValidPortName(port).map((msg) => invalid(path, port, msg));
  }
  const n = typeof port === 'number' ? port : 0;
  return isValidPortNum(n).map((msg) => invalid(path, n, msg));
}

const CONFIG_MAP_KEY_RE = /^[-._a-zA-Z0-9]+$/;

/** Upstream's IsConfigMapKey: keys of ConfigMap and Secret data, and of key selectors. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
    errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  }
  if (!CONFIG_MAP_KEY_RE.test(value)) {
    errs.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        '[-._a-zA-Z0-9]+',
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    );
  }
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** Upstream's IsValidPercent. */
export function isValidPercent(percent: string): string[] {
  if (/^[0-9]+%$/.test(percent)) return [];
  return [
    regexError(
      "a valid percent string must be a numeric string followed by an ending '%'",
      '[0-9]+%',
      '1%',
      '93%',
    ),
  ];
}

/** Upstream's ValidateImmutableField: `value` is how the new value prints. */
export function validateImmutableField(
  next: JsonValue | undefined,
  old: JsonValue | undefined,
  path: string,
  value: FieldValue,
): FieldError[] {
  return semanticEqual(next, old) ? [] : [invalid(path, value, FIELD_IMMUTABLE)];
}
