/**
 * The label selector grammar, lexed and parsed exactly as upstream's labels.Parse
 * (k8s.io/apimachinery/pkg/labels/selector.go, v1.27-v1.33), errors word for word:
 *
 *   <selector>    ::= <requirement> | <requirement> "," <selector>
 *   <requirement> ::= ["!"] KEY [ ("in"|"notin") "(" VALUES ")" | ("="|"=="|"!="|">"|"<") VALUE ]
 *
 * Quirks kept on purpose: a NUL character ends the input like end of string does, `in`/`notin`
 * are plain identifiers where a value is expected, and `(a,,)` is rejected (fixed upstream in
 * 1.34). Linear in the input; the caller bounds its length (see SelectorLimits).
 */
import { aggregateMessage, formatFieldError } from '../validation/field-error.ts';
import { compareGoStrings } from '../validation/go-format.ts';
import type { SelectorLimits } from './errors.ts';
import { checkRequirementCount, SelectorParseError } from './errors.ts';
import type { LabelOperator, LabelRequirement } from './label-requirement.ts';
import { BINARY_OPERATORS, newRequirement, validateLabelKey } from './label-requirement.ts';

type Token =
  | 'error'
  | 'eos'
  | ')'
  | ','
  | '!'
  | '=='
  | '='
  | '>'
  | 'ident'
  | 'in'
  | '<'
  | '!='
  | 'notin'
  | '(';

const STRING_TO_TOKEN: ReadonlyMap<string, Token> = new Map<string, Token>([
  [')', ')'],
  [',', ','],
  ['!', '!'],
  ['==', '=='],
  ['=', '='],
  ['>', '>'],
  ['in', 'in'],
  ['<', '<'],
  ['!=', '!='],
  ['notin', 'notin'],
  ['(', '('],
]);

interface Item {
  readonly tok: Token;
  readonly lit: string;
}

const isWhitespace = (ch: number): boolean => ch === 32 || ch === 9 || ch === 13 || ch === 10;
// = ! ( ) , > <
const isSpecial = (ch: number): boolean =>
  ch === 61 || ch === 33 || ch === 40 || ch === 41 || ch === 44 || ch === 62 || ch === 60;

/** Upstream's Lexer, including read() returning 0 both at the end and for a NUL character. */
function lex(s: string): Item[] {
  let pos = 0;
  const read = (): number => (pos < s.length ? s.charCodeAt(pos++) : 0);
  const items: Item[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === 0) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    pos--;
    if (isSpecial(ch)) {
      let buffer = '';
      let last: Item | undefined;
      for (;;) {
        const c = read();
        if (c === 0) break;
        if (!isSpecial(c)) {
          pos--;
          break;
        }
        buffer += String.fromCharCode(c);
        const tok = STRING_TO_TOKEN.get(buffer);
        if (tok !== undefined) last = { tok, lit: buffer };
        else if (last !== undefined) {
          pos--;
          break;
        }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
    } else {
      const start = pos;
      let end: number;
      for (;;) {
        const atEnd = pos >= s.length;
        const c = read();
        if (c === 0) {
          end = atEnd ? pos : pos - 1;
          break;
        }
        if (isSpecial(c) || isWhitespace(c)) {
          pos--;
          end = pos;
          break;
        }
      }
      const lit = s.slice(start, end);
      items.push({ tok: STRING_TO_TOKEN.get(lit) ?? 'ident', lit });
    }
  }
}

/** The binary operator tokens (`!` is unary, handled before the operator). */
const OPERATOR_OF_TOKEN: ReadonlyMap<Token, LabelOperator> = new Map<Token, LabelOperator>([
  ['in', 'in'],
  ['notin', 'notin'],
  ['=', '='],
  ['==', '=='],
  ['!=', '!='],
  ['>', 'gt'],
  ['<', 'lt'],
]);

/** A requirement-level failure; parse() prefixes "unable to parse requirement: ". */
class RequirementFailure extends Error {}

type Context = 'keyAndOperator' | 'values';

class Parser {
  private position = 0;
  private readonly items: readonly Item[];
  constructor(items: readonly Item[]) {
    this.items = items;
  }

  lookahead(ctx: Context): Item {
    const item = this.items[this.position] ?? { tok: 'eos', lit: '' };
    return ctx === 'values' && (item.tok === 'in' || item.tok === 'notin')
      ? { tok: 'ident', lit: item.lit }
      : item;
  }

  consume(ctx: Context): Item {
    const item = this.lookahead(ctx);
    this.position++;
    return item;
  }

  parseRequirement(): LabelRequirement {
    let operator: LabelOperator | undefined;
    let item = this.consume('values');
    if (item.tok === '!') {
      operator = '!';
      item = this.consume('values');
    }
    if (item.tok !== 'ident')
      throw new RequirementFailure(`found '${item.lit}', expected: identifier`);
    const key = item.lit;
    // Upstream validates the key with a nil path, which prints as "<nil>".
    const keyErr = validateLabelKey(key, '<nil>');
    if (keyErr !== undefined) throw new RequirementFailure(formatFieldError(keyErr));
    const next = this.lookahead('values').tok;
    if (operator === undefined && (next === 'eos' || next === ',')) operator = 'exists';
    let values: string[];
    if (operator === 'exists' || operator === '!') {
      values = [];
    } else {
      operator = this.parseOperator();
      values =
        operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    }
    const { requirement, errors } = newRequirement(key, operator, values);
    const agg = aggregateMessage(errors);
    if (agg !== undefined || requirement === undefined) throw new RequirementFailure(agg ?? '');
    return requirement;
  }

  parseOperator(): LabelOperator {
    const { tok, lit } = this.consume('keyAndOperator');
    const op = OPERATOR_OF_TOKEN.get(tok);
    if (op === undefined) {
      throw new RequirementFailure(`found '${lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
    return op;
  }

  /** Sorted and unique, as upstream's sets.String.List(). */
  parseValues(): string[] {
    const open = this.consume('values');
    if (open.tok !== '(') throw new RequirementFailure(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead('values');
    if (tok === ')') {
      this.consume('values');
      return [''];
    }
    if (tok !== 'ident' && tok !== ',') {
      throw new RequirementFailure(`found '${lit}', expected: ',', ')' or identifier`);
    }
    const set = this.parseIdentifiersList();
    // Upstream prints the literal seen before the list here; the list only returns at ')'.
    if (this.consume('values').tok !== ')') {
      throw new RequirementFailure(`found '${lit}', expected: ')'`);
    }
    return [...set].sort(compareGoStrings);
  }

  parseIdentifiersList(): Set<string> {
    const set = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume('values');
      if (tok === 'ident') {
        set.add(lit);
        const next = this.lookahead('values');
        if (next.tok === ',') continue;
        if (next.tok === ')') return set;
        throw new RequirementFailure(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === ',') {
        if (set.size === 0) set.add(''); // "(,"
        const next = this.lookahead('values').tok;
        if (next === ')') {
          set.add(''); // ",)"
          return set;
        }
        if (next === ',') {
          this.consume('values'); // v1.33 consumes here, so "(a,,)" fails; 1.34 does not
          set.add('');
        }
      } else {
        throw new RequirementFailure(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  parseExactValue(): string[] {
    const next = this.lookahead('values').tok;
    if (next === 'eos' || next === ',') return [''];
    const { tok, lit } = this.consume('values');
    if (tok === 'ident') return [lit];
    throw new RequirementFailure(`found '${lit}', expected: identifier`);
  }
}

/**
 * Parses `selector` into requirements sorted by key (stable, so equal keys keep their order).
 * Throws SelectorParseError with upstream's message, or SelectorTooLongError past the limits.
 */
export function parseLabelRequirements(
  selector: string,
  limits: SelectorLimits,
): LabelRequirement[] {
  const p = new Parser(lex(selector));
  const fail = (message: string, cause?: unknown): never => {
    throw new SelectorParseError(selector, message, cause === undefined ? undefined : { cause });
  };
  const requirements: LabelRequirement[] = [];
  const done = (): LabelRequirement[] =>
    requirements.sort((a, b) => compareGoStrings(a.key, b.key));
  for (;;) {
    const { tok, lit } = p.lookahead('values');
    if (tok === 'eos') return done();
    if (tok !== 'ident' && tok !== '!')
      fail(`found '${lit}', expected: !, identifier, or 'end of string'`);
    try {
      requirements.push(p.parseRequirement());
    } catch (err: unknown) {
      if (!(err instanceof RequirementFailure)) throw err;
      fail(`unable to parse requirement: ${err.message}`, err);
    }
    checkRequirementCount('label', requirements.length, limits);
    const after = p.consume('values');
    if (after.tok === 'eos') return done();
    if (after.tok !== ',') fail(`found '${after.lit}', expected: ',' or 'end of string'`);
    const next = p.lookahead('values');
    if (next.tok !== 'ident' && next.tok !== '!') {
      fail(`found '${next.lit}', expected: identifier after ','`);
    }
  }
}
