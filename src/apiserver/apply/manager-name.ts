/**
 * Field manager names: upstream's ValidateFieldManager (at most 128 bytes, printable
 * characters only; 422 when a request's `fieldManager` breaks it) and the name a write gets
 * when it names none (managerOrUserAgent: the User-Agent up to its first `/`, without
 * unprintable characters, cut at 128 bytes; kubectl's `kubectl/v1.33.0 (linux/amd64) ...`
 * gives `kubectl`).
 */
import { tooLong, invalid } from '../../api/validation/field-error.ts';
import type { FieldError } from '../../api/validation/field-error.ts';

/** upstream's validation.FieldManagerMaxLength. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const isPrintable = (ch: string): boolean => PRINTABLE.test(ch);

/** Go's `%#U`: `U+0007`, or `U+00E9 'é'` for a printable rune. */
function goRune(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return isPrintable(ch) ? `${hex} '${ch}'` : hex;
}

export function validateFieldManager(name: string, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (Buffer.byteLength(name, 'utf8') > FIELD_MANAGER_MAX_LENGTH) {
    errors.push(tooLong(field, FIELD_MANAGER_MAX_LENGTH));
  }
  let position = 0;
  for (const ch of name) {
    if (!isPrintable(ch)) {
      errors.push(
        invalid(field, name, `invalid character ${goRune(ch)} (at position ${String(position)})`),
      );
    }
    position += Buffer.byteLength(ch, 'utf8');
  }
  return errors;
}

/** upstream's prefixFromUserAgent. */
export function prefixFromUserAgent(userAgent: string): string {
  const head = userAgent.split('/')[0] ?? '';
  let out = '';
  let bytes = 0;
  for (const ch of head) {
    if (!isPrintable(ch)) continue;
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/** upstream's managerOrUserAgent. */
export function managerOrUserAgent(fieldManager: string, userAgent: string): string {
  return fieldManager !== '' ? fieldManager : prefixFromUserAgent(userAgent);
}
