/**
 * The few Go formatting and string rules that leak into kube-apiserver's messages: `%q`
 * (strconv.Quote), `%#v` of string slices, `len()` counting UTF-8 bytes, and `<` on strings
 * comparing bytes. Guarantees: output equals Go's for valid Unicode input; a lone UTF-16
 * surrogate is treated as U+FFFD, which is what Go's JSON decoder turns it into.
 */

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
  0x5c: '\\\\',
  0x22: '\\"',
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Go's `strconv.Quote` / `fmt.Sprintf("%q", s)`. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    let cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    const short = SHORT_ESCAPES[cp];
    if (short !== undefined) out += short;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x80 || PRINTABLE.test(String.fromCodePoint(cp))) out += String.fromCodePoint(cp);
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + '"';
}

/** Go's `%#v` of a `[]string`: `[]string{"a", "b"}`, and `[]string(nil)` for a nil slice. */
export function goStringSlice(values: readonly string[] | null): string {
  if (values === null) return '[]string(nil)';
  return `[]string{${values.map(goQuote).join(', ')}}`;
}

/** Go's `len(s)`: the length of `s` in UTF-8 bytes. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * Go's string order (byte-wise on UTF-8), which is code point order. JavaScript's default sort
 * compares UTF-16 code units, which differs for characters above U+FFFF versus U+E000-U+FFFF.
 */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const cx = a.codePointAt(i) ?? x;
      const cy = b.codePointAt(i) ?? y;
      return cx < cy ? -1 : 1;
    }
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
