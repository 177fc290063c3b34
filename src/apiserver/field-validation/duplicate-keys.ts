/**
 * Duplicate keys in a JSON text, found in one tokenizer pass (JSON.parse silently keeps the last
 * one), reported as Go's strict decoder (sigs.k8s.io/json, DisallowDuplicateFields) does:
 * `duplicate field "spec.replicas"`. Given the kind's field structure it also reports unknown
 * struct keys in the same pass, interleaved in document order as upstream, and skips the values
 * Go does not look into (unknown fields, opaque values). Expects text JSON.parse accepted; runs
 * in linear time with an explicit stack, and stops after 100 problems.
 */
import type { FieldNode } from './field-schema.ts';
import { childPath, MAX_STRICT_ERRORS } from './unknown-fields.ts';

export type StrictProblemKind = 'unknown field' | 'duplicate field';

/** One strict decoding problem; `${kind} "${path}"` (Go-quoted) is upstream's text. */
export interface StrictProblem {
  readonly kind: StrictProblemKind;
  readonly path: string;
}

/**
 * How a container is checked: `null` means unguided (every object is a map: all duplicates
 * count), `'skip'` means not checked at all.
 */
type Guide = FieldNode | null | 'skip';

interface Frame {
  readonly isObject: boolean;
  readonly guide: Guide;
  readonly path: string;
  readonly keys: Set<string> | undefined;
  index: number;
}

/** Whether a value of this container kind is looked into under `guide`. */
function entered(guide: Guide, isObject: boolean): Guide {
  if (guide === null || guide === 'skip') return guide;
  switch (guide.shape) {
    case 'struct':
    case 'map':
      return isObject ? guide : 'skip';
    case 'list':
      return isObject ? 'skip' : guide;
    case 'opaque':
      return 'skip';
  }
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

/**
 * The duplicate keys of `json` (and, with `node`, its unknown fields), in document order,
 * each reported once.
 */
export function findDuplicateKeys(
  json: string | Buffer,
  node?: FieldNode,
  limit = MAX_STRICT_ERRORS,
): StrictProblem[] {
  const text = typeof json === 'string' ? json : json.toString('utf8');
  const n = text.length;
  const problems: StrictProblem[] = [];
  const reported = new Set<string>();
  const report = (kind: StrictProblemKind, path: string): void => {
    const id = `${kind}\u0000${path}`;
    if (reported.has(id)) return;
    reported.add(id);
    problems.push({ kind, path });
  };

  const skipSpace = (at: number): number => {
    while (at < n && isSpace(text.charCodeAt(at))) at++;
    return at;
  };
  /** The index just past the string starting at `at` (a quote). */
  const stringEnd = (at: number): number => {
    let from = at + 1;
    for (;;) {
      const q = text.indexOf('"', from);
      if (q < 0) return n;
      let slashes = 0;
      while (text.charCodeAt(q - 1 - slashes) === BACKSLASH) slashes++;
      if (slashes % 2 === 0) return q + 1;
      from = q + 1;
    }
  };

  const stack: Frame[] = [];
  let i = 0;
  // The value about to be read: its guide and path.
  let guide: Guide = node ?? null;
  let path = '';
  let expectValue = true;

  while (problems.length < limit) {
    i = skipSpace(i);
    if (i >= n) break;
    if (expectValue) {
      const c = text.charCodeAt(i);
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        const isObject = c === OPEN_OBJECT;
        const g = entered(guide, isObject);
        stack.push({
          isObject,
          guide: g,
          path,
          keys: isObject && g !== 'skip' ? new Set() : undefined,
          index: 0,
        });
        i++;
      } else if (c === QUOTE) {
        i = stringEnd(i);
        expectValue = false;
      } else {
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || isSpace(d)) break;
          i++;
        }
        expectValue = false;
      }
      if (expectValue) {
        // Just opened a container: read its first member (or its end) below.
        expectValue = false;
        const top = stack[stack.length - 1];
        if (top !== undefined) top.index = -1;
      }
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    let c = text.charCodeAt(i);
    if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
      i++;
      continue;
    }
    if (c === COMMA) {
      i = skipSpace(i + 1);
      c = text.charCodeAt(i);
    } else if (top.index !== -1) {
      break; // not JSON; JSON.parse would have refused it
    }
    top.index = top.index === -1 ? 0 : top.index + 1;
    if (!top.isObject) {
      const g = top.guide;
      guide = g === 'skip' || g === null ? g : g.shape === 'list' ? g.item : 'skip';
      path = g === 'skip' ? '' : `${top.path}[${String(top.index)}]`;
      expectValue = true;
      continue;
    }
    // An object member: the key, a colon, then the value.
    const end = stringEnd(i);
    const g = top.guide;
    if (g === 'skip') {
      guide = 'skip';
      path = '';
    } else {
      const raw = text.slice(i + 1, end - 1);
      const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw;
      path = childPath(top.path, key);
      const field = g !== null && g.shape === 'struct' ? g.fields.get(key) : undefined;
      if (g !== null && g.shape === 'struct' && field === undefined) {
        report('unknown field', path);
        guide = 'skip';
      } else {
        if (top.keys?.has(key) === true) report('duplicate field', path);
        else top.keys?.add(key);
        guide = g === null ? null : g.shape === 'map' ? g.value : (field ?? 'skip');
      }
    }
    i = skipSpace(end);
    if (text.charCodeAt(i) !== COLON) break;
    i++;
    expectValue = true;
  }
  return problems;
}
