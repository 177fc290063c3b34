/**
 * Line-level edits of a TOML document such as `containerd config default` prints: read or set
 * one key of one table, keeping every other line (comments, order, layout) as it was. Tables are
 * named by their key segments (`['plugins', 'io.containerd.grpc.v1.cri', 'cni']`), so quoting
 * style (`"..."` or `'...'`) does not matter. Not a TOML parser: inline tables, arrays of tables
 * and multi-line values are left alone (containerd's defaults use none for the keys set here).
 */

/** Splits a dotted TOML key (`plugins."io.containerd.grpc.v1.cri".cni`) into its segments. */
export function tomlKeySegments(dotted: string): string[] {
  const out: string[] = [];
  let i = 0;
  const s = dotted.trim();
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    const q = s[i];
    if (q === '"' || q === "'") {
      const end = s.indexOf(q, i + 1);
      if (end < 0) throw new SyntaxError(`unterminated quoted key in ${dotted}`);
      out.push(s.slice(i + 1, end));
      i = end + 1;
    } else {
      let end = s.indexOf('.', i);
      if (end < 0) end = s.length;
      out.push(s.slice(i, end).trim());
      i = end;
    }
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (s[i] === '.') i++;
  }
  return out;
}

const HEADER = /^\s*\[([^[\]]+)\]\s*(#.*)?$/;
const ANY_HEADER = /^\s*\[/;

function sameKey(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

interface Section {
  /** Index of the header line (-1 for the root table). */
  readonly header: number;
  /** Index one past the section's last line. */
  readonly end: number;
}

function findSection(lines: readonly string[], table: readonly string[]): Section | undefined {
  let header = -1;
  if (table.length > 0) {
    header = lines.findIndex((line) => {
      const m = HEADER.exec(line);
      return m?.[1] !== undefined && sameKey(tomlKeySegments(m[1]), table);
    });
    if (header < 0) return undefined;
  }
  let end = header + 1;
  while (end < lines.length && !ANY_HEADER.test(lines[end] ?? '')) end++;
  return { header, end };
}

function keyLine(lines: readonly string[], section: Section, key: string): number {
  for (let i = section.header + 1; i < section.end; i++) {
    const line = lines[i] ?? '';
    const eq = line.indexOf('=');
    if (eq < 0 || line.trimStart().startsWith('#')) continue;
    const segments = tomlKeySegments(line.slice(0, eq));
    if (segments.length === 1 && segments[0] === key) return i;
  }
  return -1;
}

/** The raw value literal of `key` in `table` (`"x"`, `true`, `0`), or undefined. */
export function readTomlValue(
  text: string,
  table: readonly string[],
  key: string,
): string | undefined {
  const lines = text.split('\n');
  const section = findSection(lines, table);
  if (section === undefined) return undefined;
  const i = keyLine(lines, section, key);
  if (i < 0) return undefined;
  const line = lines[i] ?? '';
  return stripComment(line.slice(line.indexOf('=') + 1)).trim();
}

function stripComment(value: string): string {
  let quote: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return value.slice(0, i);
  }
  return value;
}

function quoteSegment(s: string): string {
  return /^[A-Za-z0-9_-]+$/.test(s) ? s : JSON.stringify(s);
}

/**
 * Sets `key = literal` in `table`: replaces the existing line, or adds the key right under the
 * table's header, or appends the table at the end when the document has none.
 */
export function setTomlValue(
  text: string,
  table: readonly string[],
  key: string,
  literal: string,
): string {
  const lines = text.split('\n');
  const section = findSection(lines, table);
  const keyText = quoteSegment(key);
  if (section === undefined) {
    const header = `[${table.map(quoteSegment).join('.')}]`;
    const body = text.endsWith('\n') ? text : `${text}\n`;
    return `${body}\n${header}\n  ${keyText} = ${literal}\n`;
  }
  const i = keyLine(lines, section, key);
  if (i >= 0) {
    const line = lines[i] ?? '';
    const indent = /^\s*/.exec(line)?.[0] ?? '';
    lines[i] = `${indent}${keyText} = ${literal}`;
  } else {
    const headerLine = section.header >= 0 ? (lines[section.header] ?? '') : '';
    const indent = section.header >= 0 ? `${/^\s*/.exec(headerLine)?.[0] ?? ''}  ` : '';
    lines.splice(section.header + 1, 0, `${indent}${keyText} = ${literal}`);
  }
  return lines.join('\n');
}

/** A TOML basic string literal. */
export function tomlString(value: string): string {
  return JSON.stringify(value);
}
