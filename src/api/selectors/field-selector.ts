/**
 * A field selector with upstream's grammar and semantics (k8s.io/apimachinery/pkg/fields,
 * v1.33): comma-separated `field=value`, `field==value` or `field!=value` terms, sorted; in a
 * value `\` escapes `\`, `,` and `=` (and nothing else: `\!` is an error); the field is taken
 * verbatim (no trimming). A missing field reads as `''`. Immutable.
 */
import { compareGoStrings } from '../validation/go-format.ts';
import type { SelectorLimits } from './errors.ts';
import { checkRequirementCount, checkSelectorLength, SelectorParseError } from './errors.ts';

/** `==` parses as `=` (upstream keeps one hasTerm for both). */
export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** Unescaped. */
  readonly value: string;
}

/** Reads a field of an object; undefined (missing) compares as `''`, as upstream's Fields.Get. */
export type FieldAccessor = (field: string) => string | undefined;

/** A field rename/rewrite applied to every term (upstream's TransformFunc). */
export type FieldTransform = (field: string, value: string) => { field: string; value: string };

/** Upstream's EscapeValue: `\` → `\\`, `,` → `\,`, `=` → `\=`. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Upstream's UnescapeValue. Throws SelectorParseError with upstream's messages; an unescaped
 * `,` or `=` is reported as its code point (`... unescaped character in value: 61`).
 */
export function unescapeFieldValue(s: string, selector = s): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new SelectorParseError(
          selector,
          `invalid field selector: invalid escape sequence: \\${c}`,
        );
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      const code = c.codePointAt(0) ?? 0;
      throw new SelectorParseError(
        selector,
        `invalid field selector: unescaped character in value: ${code}`,
      );
    } else {
      out += c;
    }
  }
  if (inSlash) {
    throw new SelectorParseError(selector, 'invalid field selector: invalid escape sequence: \\');
  }
  return out;
}

/** Upstream's splitTerms: split on unescaped commas, keeping the escapes. */
function splitTerms(selector: string): string[] {
  if (selector === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector.charCodeAt(i);
    if (inSlash) inSlash = false;
    else if (c === 0x5c) inSlash = true;
    else if (c === 0x2c) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** Upstream's splitTerm: the first `!=`, `==` or `=` (checked in that order at each index). */
function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i))
        return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

export class FieldSelector {
  /** In upstream's order: terms sorted as strings before parsing. */
  readonly requirements: readonly FieldRequirement[];
  /** True only for nothing(). */
  readonly selectsNothing: boolean;

  private constructor(requirements: readonly FieldRequirement[], selectsNothing: boolean) {
    this.requirements = requirements;
    this.selectsNothing = selectsNothing;
  }

  private static readonly EVERYTHING = new FieldSelector([], false);
  private static readonly NOTHING = new FieldSelector([], true);

  static everything(): FieldSelector {
    return FieldSelector.EVERYTHING;
  }

  static nothing(): FieldSelector {
    return FieldSelector.NOTHING;
  }

  /** Terms `field=value`, unvalidated; an empty list is everything(). */
  static of(requirements: readonly FieldRequirement[]): FieldSelector {
    return requirements.length === 0
      ? FieldSelector.EVERYTHING
      : new FieldSelector([...requirements], false);
  }

  /**
   * Upstream's fields.ParseSelector: `''` is everything(); empty terms (`a=b,`) are skipped.
   * Throws SelectorParseError with upstream's message, or SelectorTooLongError past `limits`.
   */
  static parse(selector: string, limits: SelectorLimits = {}): FieldSelector {
    checkSelectorLength('field', selector, limits);
    const terms = splitTerms(selector).sort(compareGoStrings);
    const requirements: FieldRequirement[] = [];
    for (const term of terms) {
      if (term === '') continue;
      const parts = splitTerm(term);
      if (parts === undefined) {
        throw new SelectorParseError(
          selector,
          `invalid selector: '${selector}'; can't understand '${term}'`,
        );
      }
      const value = unescapeFieldValue(parts.rhs, selector);
      requirements.push({ field: parts.lhs, operator: parts.op === '!=' ? '!=' : '=', value });
      checkRequirementCount('field', requirements.length, limits);
    }
    return FieldSelector.of(requirements);
  }

  /** Upstream's Matches: every term holds; a missing field is `''`. */
  matches(fields: FieldAccessor | Readonly<Record<string, string>>): boolean {
    if (this.selectsNothing) return false;
    const get: FieldAccessor =
      typeof fields === 'function'
        ? fields
        : (f) => (Object.hasOwn(fields, f) ? fields[f] : undefined);
    return this.requirements.every(
      (r) => ((get(r.field) ?? '') === r.value) === (r.operator === '='),
    );
  }

  /** Upstream's Empty(): true for everything(). */
  isEmpty(): boolean {
    return !this.selectsNothing && this.requirements.length === 0;
  }

  /** Upstream's RequiresExactMatch: the value of the first `field=value` term on `field`. */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  /**
   * Upstream's Transform: rewrites each term (e.g. a kind's field label conversion); a term
   * rewritten to an empty field and value is dropped. Errors thrown by `fn` propagate.
   */
  transform(fn: FieldTransform): FieldSelector {
    if (this.selectsNothing) return this;
    const next: FieldRequirement[] = [];
    for (const r of this.requirements) {
      const { field, value } = fn(r.field, r.value);
      if (field !== '' || value !== '') next.push({ field, operator: r.operator, value });
    }
    return FieldSelector.of(next);
  }

  /** Upstream's String(): `a=b,c!=d` with values escaped; `''` for everything() and nothing(). */
  toString(): string {
    return this.requirements
      .map((r) => `${r.field}${r.operator === '=' ? '=' : '!='}${escapeFieldValue(r.value)}`)
      .join(',');
  }
}
